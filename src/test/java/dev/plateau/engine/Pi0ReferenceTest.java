package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.PlanFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pi0's forward against an independent numpy implementation of forward-pi0.md (src/test/resources/pi0_reference.py)
 * on a tiny checkpoint, max abs error 1e-4 on every layer of both streams; and the paper's pruned export equals the
 * base with the same skip set, bit for bit.
 */
class Pi0ReferenceTest {
    @TempDir
    Path dir;

    static List<VlaSample> samples(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VlaSample> out = new ArrayList<>();
        int[][] tokens = {{1, 2, 3, 4, 49}, {1, 6, 7}};
        int[] cameras = {3, 1};
        for (int s = 0; s < 2; s++) {
            List<float[][][]> images = new ArrayList<>();
            for (int c = 0; c < cameras[s]; c++) {
                float[][][] image = new float[3][56][56];
                for (float[][] channel : image) {
                    for (float[] row : channel) {
                        for (int x = 0; x < row.length; x++) {
                            row[x] = (float) r.nextDouble(-1, 1);
                        }
                    }
                }
                images.add(image);
            }
            float[] state = new float[32];
            float[][] noise = new float[50][32];
            float[][] actions = new float[50][32];
            for (int i = 0; i < 32; i++) {
                state[i] = i < 7 ? (float) r.nextDouble(-1, 1) : 0;
            }
            for (int i = 0; i < 50; i++) {
                for (int j = 0; j < 32; j++) {
                    noise[i][j] = (float) r.nextDouble(-2, 2);
                    actions[i][j] = j < 7 ? (float) r.nextDouble(-1, 1) : 0;
                }
            }
            out.add(new VlaSample(images, tokens[s], state, actions, noise, s == 0 ? 0.42f : 0.9f));
        }
        return out;
    }

    static Map<String, Map<Integer, float[]>> run(Path checkpoint, List<VlaSample> samples, Set<Integer> skip) {
        Map<String, Map<Integer, float[]>> out = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(checkpoint); NDManager m = NDManager.newBaseManager()) {
            new Pi0Forward(c, ModelDetector.detect(c)).run(samples, skip, (module, layer, states) ->
                    out.computeIfAbsent(module, k -> new TreeMap<>()).put(layer, states.toFloatArray()), m,
                    () -> false, DecoderStack.Progress.NONE);
        }
        return out;
    }

    @Test
    void pi0MatchesTheNumpyReference() throws Exception {
        Path ckpt = CheckpointBuilder.write(SyntheticModels.named("pi0", false).orElseThrow(), dir.resolve("m"),
                CheckpointBuilder.Fill.RANDOM, 4, 0, false);
        List<VlaSample> samples = samples(5);
        JsonNode ref = VlaReference.run("pi0_reference.py", ckpt, samples, dir);
        Map<String, Map<Integer, float[]>> ours = run(ckpt, samples, Set.of());
        VlaReference.assertMatches(ref, ours, "vlm", 18, 1e-4);
        VlaReference.assertMatches(ref, ours, "expert", 18, 1e-4);
        assertEquals(28, ours.get("vision").size(), "input and 27 vision layers");
    }

    @Test
    void thePrefixIsBidirectional() throws Exception {
        // pi0's prefix attends both ways: changing the last language token changes the image tokens' outputs
        Path ckpt = CheckpointBuilder.write(SyntheticModels.named("pi0", false).orElseThrow(), dir.resolve("b"),
                CheckpointBuilder.Fill.RANDOM, 4, 0, false);
        VlaSample s = samples(5).get(1);
        int[] other = s.tokens().clone();
        other[other.length - 1] = 40;
        VlaSample changed = new VlaSample(s.images(), other, s.state(), s.actions(), s.noise(), s.time());
        float[] a = run(ckpt, List.of(s), Set.of()).get("vlm").get(0);
        float[] b = run(ckpt, List.of(changed), Set.of()).get("vlm").get(0);
        double change = 0;
        for (int i = 0; i < 16 * 64; i++) {
            change += Math.abs(a[i] - b[i]);
        }
        assertTrue(change > 1e-3, "the first image token sees the last language token: " + change);
    }

    @Test
    void thePapersPrunedExportEqualsTheBaseWithItsSkipSet() throws Exception {
        Path base = CheckpointBuilder.write(SyntheticModels.named("pi0", false).orElseThrow(), dir.resolve("base"),
                CheckpointBuilder.Fill.RANDOM, 6, 0, false);
        Path pruned = dir.resolve("pruned");
        try (Checkpoint c = Checkpoint.open(base)) {
            Exporter.export(c, ModelDetector.detect(c), PlanFile.read(Path.of("sample-configs/pi0-table5.plan.json")),
                    pruned, false);
        }
        List<Integer> removed = List.of(1, 2, 4, 6, 8, 9);
        List<VlaSample> samples = samples(3);
        Map<String, Map<Integer, float[]>> skipped = run(base, samples, Set.copyOf(removed));
        // the export keeps pi0's config (no depth key): the forward takes the depth from the weights
        Map<String, Map<Integer, float[]>> exported = run(pruned, samples, Set.of());
        int position = 0;
        for (int layer = 0; layer < 18; layer++) {
            if (!removed.contains(layer)) {
                for (String module : List.of("vlm", "expert")) {
                    assertArrayEquals(skipped.get(module).get(layer), exported.get(module).get(position),
                            module + " layer " + layer + " is the export's layer " + position);
                }
                position++;
            }
        }
    }
}
