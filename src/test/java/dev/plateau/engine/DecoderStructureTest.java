package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.checkpoint.TensorSource;
import dev.plateau.checkpoint.TensorSpec;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.RopeScaling;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties that a wrong decoder implementation breaks. */
class DecoderStructureTest {
    @TempDir
    Path dir;

    private Path tiny(String model) throws IOException {
        return CheckpointBuilder.write(SyntheticModels.named(model, false).orElseThrow(), dir.resolve(model),
                CheckpointBuilder.Fill.RANDOM, 5, 0, false);
    }

    @Test
    void aLayerWithZeroOutputProjectionsIsTheIdentity() throws IOException {
        Path source = tiny("qwen3");
        Path zeroed = dir.resolve("zeroed");
        try (Checkpoint c = Checkpoint.open(source); StagedFolder out = StagedFolder.create(zeroed, false)) {
            Json.write(out.path().resolve("config.json"), c.config());
            List<TensorSpec> specs = new ArrayList<>();
            c.tensors().forEach((name, e) -> specs.add(name.endsWith("o_proj.weight")
                    || name.endsWith("down_proj.weight")
                    ? new TensorSpec(name, e.info().dtype(), e.info().shape(),
                            new TensorSource.Bytes(new byte[(int) e.info().byteLength()]))
                    : TensorSpec.copyOf(name, e.file(), e.info())));
            SafetensorsWriter.writeWeights(out.path(), specs, 0, Map.of());
            out.commit();
        }
        Map<Integer, float[]> states = DecoderReferenceTest.run(zeroed, Set.of());
        for (int layer = 0; layer < 28; layer++) {
            assertArrayEquals(states.get(-1), states.get(layer), "layer " + layer + " passes its input through");
        }
    }

    @Test
    void causalAttentionNeverLetsALaterTokenChangeAnEarlierOne() throws IOException {
        Path folder = tiny("llama");
        List<int[]> a = List.of(new int[] {1, 20, 30, 40, 50});
        List<int[]> b = List.of(new int[] {1, 20, 30, 40, 99});
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            DecoderStack stack = new DecoderStack(c, DecoderConfig.ofHuggingFace(c.config()), "decoder",
                    "model.layers.", 16, "model.embed_tokens.weight");
            List<float[]> first = new ArrayList<>();
            List<float[]> second = new ArrayList<>();
            stack.run(a, Set.of(), (mod, layer, s) -> first.add(s.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
            stack.run(b, Set.of(), (mod, layer, s) -> second.add(s.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
            int width = 64;
            float[] lastA = first.getLast();
            float[] lastB = second.getLast();
            for (int i = 0; i < 4 * width; i++) {
                assertEquals(lastA[i], lastB[i], 1e-6, "tokens 0..3 do not see token 4");
            }
            double change = 0;
            for (int i = 4 * width; i < 5 * width; i++) {
                change += Math.abs(lastA[i] - lastB[i]);
            }
            assertTrue(change > 1e-3, "token 4 itself changed");
        }
    }

    @Test
    void bidirectionalMasksLetEveryTokenSeeEveryOther() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] mask = Blocks.mask(m, new int[] {3}, 4, false).toFloatArray();
            // query 0 sees keys 0..2 (3 valid tokens), not the padding key 3
            assertArrayEquals(new float[] {0, 0, 0, -1e30f}, java.util.Arrays.copyOfRange(mask, 0, 4));
            float[] causal = Blocks.mask(m, new int[] {3}, 4, true).toFloatArray();
            assertArrayEquals(new float[] {0, -1e30f, -1e30f, -1e30f}, java.util.Arrays.copyOfRange(causal, 0, 4));
        }
    }

    @Test
    void rotaryScoresDependOnlyOnRelativePosition() {
        SplittableRandom random = new SplittableRandom(3);
        try (NDManager m = NDManager.newBaseManager()) {
            int d = 16;
            NDArray tables = Rotary.tables(m, 40, d, 10000, new RopeScaling.None());
            float[] qv = new float[d];
            float[] kv = new float[d];
            for (int i = 0; i < d; i++) {
                qv[i] = (float) random.nextDouble(-1, 1);
                kv[i] = (float) random.nextDouble(-1, 1);
            }
            double reference = Double.NaN;
            for (int shift = 0; shift < 30; shift += 7) {
                // q at position 9 + shift, k at position 3 + shift: offset 6 every time
                NDArray q = rotatedAt(m, qv, tables, 9 + shift, 40);
                NDArray k = rotatedAt(m, kv, tables, 3 + shift, 40);
                double score = q.mul(k).sum().getFloat();
                if (Double.isNaN(reference)) {
                    reference = score;
                }
                assertEquals(reference, score, 1e-4, "shift " + shift);
            }
        }
    }

    /** The vector placed at {@code position} of a sequence of zeros, rotated, and read back. */
    private static NDArray rotatedAt(NDManager m, float[] v, NDArray tables, int position, int length) {
        float[] seq = new float[length * v.length];
        System.arraycopy(v, 0, seq, position * v.length, v.length);
        NDArray rotated = Blocks.rotate(m.create(seq, new Shape(1, length, v.length)), tables);
        return rotated.get("0, " + position);
    }

    @Test
    void groupedQueryAttentionEqualsAttentionWithRepeatedHeads() {
        SplittableRandom random = new SplittableRandom(4);
        try (NDManager m = NDManager.newBaseManager()) {
            int heads = 4;
            int kvHeads = 2;
            int t = 5;
            int d = 8;
            NDArray q = m.randomNormal(new Shape(1, heads, t, d));
            float[] k = new float[kvHeads * t * d];
            float[] v = new float[kvHeads * t * d];
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) random.nextDouble(-1, 1);
                v[i] = (float) random.nextDouble(-1, 1);
            }
            // plain attention: heads 0,1 use kv head 0, heads 2,3 kv head 1, copied out by hand
            float[] kFull = new float[heads * t * d];
            float[] vFull = new float[heads * t * d];
            for (int h = 0; h < heads; h++) {
                System.arraycopy(k, (h / 2) * t * d, kFull, h * t * d, t * d);
                System.arraycopy(v, (h / 2) * t * d, vFull, h * t * d, t * d);
            }
            NDArray mask = Blocks.mask(m, new int[] {t}, t, true);
            float[] grouped = Blocks.attend(q, m.create(k, new Shape(1, kvHeads, t, d)),
                    m.create(v, new Shape(1, kvHeads, t, d)), mask, 0.3).toFloatArray();
            float[] plain = Blocks.attend(q, m.create(kFull, new Shape(1, heads, t, d)),
                    m.create(vFull, new Shape(1, heads, t, d)), mask, 0.3).toFloatArray();
            assertArrayEquals(plain, grouped, 1e-6f);
        }
    }

    @Test
    void anExportedPrunedModelEqualsTheBaseWithTheSameSkipSetBitForBit() throws IOException {
        for (String model : List.of("qwen3", "gemma")) {
            Path base = tiny(model);
            int depth = model.equals("qwen3") ? 28 : 18;
            List<Integer> removed = List.of(2, 3, 9, depth - 1);
            Plan plan = new Plan("decoder_llm", Map.of("decoder", new ModulePlan("decoder", depth, removed,
                    Double.NaN, removed.size(), "hand-written", List.of(), List.of(), List.of(), List.of())),
                    List.of());
            Path pruned = dir.resolve(model + "-pruned");
            try (Checkpoint c = Checkpoint.open(base)) {
                Exporter.export(c, ModelDetector.detect(c), plan, pruned, false);
            }
            Map<Integer, float[]> skipped = DecoderReferenceTest.run(base, Set.copyOf(removed));
            Map<Integer, float[]> exported = DecoderReferenceTest.run(pruned, Set.of());
            int position = 0;
            for (int layer = 0; layer < depth; layer++) {
                if (!removed.contains(layer)) {
                    assertArrayEquals(skipped.get(layer), exported.get(position), model + " layer " + layer
                            + " is the export's layer " + position);
                    position++;
                }
            }
            assertArrayEquals(skipped.get(-1), exported.get(-1));
        }
    }
}
