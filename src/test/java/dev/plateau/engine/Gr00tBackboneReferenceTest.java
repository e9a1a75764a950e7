package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.PlanFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * GR00T-N1.5's Eagle backbone against an independent numpy implementation (src/test/resources/
 * gr00t_backbone_reference.py) on a tiny checkpoint, max abs error 1e-4 on every layer and on the normed features;
 * and the paper's pruned export (backbone and action head) equals the base with the same skip sets, bit for bit.
 */
class Gr00tBackboneReferenceTest {
    private static final int CONTEXT = 52;

    @TempDir
    Path dir;

    /** Two prompts with 2 and 1 images of 16 patches each: context tokens between word tokens. */
    static List<int[]> prompts() {
        List<int[]> out = new ArrayList<>();
        int[] cameras = {2, 1};
        for (int camerasOf : cameras) {
            List<Integer> ids = new ArrayList<>(List.of(50, 0, 32, 51, 50));
            for (int c = 0; c < camerasOf; c++) {
                ids.add(53);
                for (int i = 0; i < 16; i++) {
                    ids.add(CONTEXT);
                }
                ids.add(54);
            }
            ids.addAll(List.of(2, 3, 4, 5, 51, 50));
            out.add(ids.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** The prompts with their images: 2 and 1 cameras of 56 x 56 pixels. */
    static List<VlaSample> images(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VlaSample> out = new ArrayList<>();
        List<int[]> prompts = prompts();
        for (int cameras : new int[] {2, 1}) {
            List<float[][][]> frames = new ArrayList<>();
            for (int c = 0; c < cameras; c++) {
                float[][][] image = new float[3][56][56];
                for (float[][] channel : image) {
                    for (float[] row : channel) {
                        for (int x = 0; x < row.length; x++) {
                            row[x] = (float) r.nextDouble(-1, 1);
                        }
                    }
                }
                frames.add(image);
            }
            out.add(new VlaSample(frames, prompts.get(out.size()), new float[0], new float[0][0], new float[0][0], 0f));
        }
        return out;
    }

    private static List<float[][]> run(Path checkpoint, Set<Integer> skip, Map<Integer, float[]> into) {
        try (Checkpoint c = Checkpoint.open(checkpoint); NDManager m = NDManager.newBaseManager()) {
            return new Gr00tBackbone(c, ModelDetector.detect(c)).run(images(2), CONTEXT, skip,
                    (module, layer, states) -> {
                        if (module.equals("vlm")) {
                            into.put(layer, states.toFloatArray());
                        }
                    }, m, () -> false, DecoderStack.Progress.NONE);
        }
    }

    @Test
    void backboneMatchesTheNumpyReference() throws Exception {
        Path ckpt = CheckpointBuilder.write(SyntheticModels.named("gr00t", false).orElseThrow(), dir.resolve("m"),
                CheckpointBuilder.Fill.RANDOM, 4, 0, false);
        ObjectMapper json = new ObjectMapper();
        ObjectNode inputs = json.createObjectNode();
        inputs.put("context", CONTEXT);
        ArrayNode samples = inputs.putArray("samples");
        List<int[]> prompts = prompts();
        List<VlaSample> images = images(2);
        for (int b = 0; b < prompts.size(); b++) {
            ObjectNode n = samples.addObject();
            n.set("tokens", json.valueToTree(prompts.get(b)));
            n.set("images", json.valueToTree(images.get(b).images()));
        }
        Path file = Files.writeString(dir.resolve("inputs.json"), json.writeValueAsString(inputs));
        Process p = new ProcessBuilder("python3", "src/test/resources/gr00t_backbone_reference.py", ckpt.toString(),
                file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        JsonNode ref = json.readTree(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor());
        Map<Integer, float[]> ours = new TreeMap<>();
        List<float[][]> features = run(ckpt, Set.of(), ours);
        for (int layer = -1; layer < 12; layer++) {
            VlaReference.assertClose(ref.get("vlm").get(layer + 1), ours.get(layer), "vlm layer " + layer, 1e-4);
        }
        List<Float> flat = new ArrayList<>();
        features.forEach(sample -> {
            for (float[] row : sample) {
                for (float v : row) {
                    flat.add(v);
                }
            }
        });
        float[] mine = new float[flat.size()];
        for (int i = 0; i < mine.length; i++) {
            mine[i] = flat.get(i);
        }
        VlaReference.assertClose(ref.get("features"), mine, "normed features", 1e-4);
    }

    @Test
    void thePapersPrunedExportEqualsTheBaseWithItsSkipSets() throws Exception {
        Path base = CheckpointBuilder.write(SyntheticModels.named("gr00t", false).orElseThrow(), dir.resolve("base"),
                CheckpointBuilder.Fill.RANDOM, 6, 0, false);
        Path pruned = dir.resolve("pruned");
        try (Checkpoint c = Checkpoint.open(base)) {
            Exporter.export(c, ModelDetector.detect(c), PlanFile.read(Path.of("sample-configs/gr00t-table5.plan"
                    + ".json")), pruned, false);
        }
        Map<Integer, float[]> skippedLayers = new TreeMap<>();
        Map<Integer, float[]> exportedLayers = new TreeMap<>();
        List<float[][]> skipped = run(base, Set.of(3, 4, 5, 6, 7, 8, 9), skippedLayers);
        List<float[][]> exported = run(pruned, Set.of(), exportedLayers);
        for (int b = 0; b < skipped.size(); b++) {
            for (int t = 0; t < skipped.get(b).length; t++) {
                assertArrayEquals(skipped.get(b)[t], exported.get(b)[t], "backbone features, sample " + b);
            }
        }
        List<Gr00tActionHead.Sample> heads = Gr00tActionHeadReferenceTest.samples(4);
        Map<String, Map<Integer, float[]>> a = new TreeMap<>();
        Map<String, Map<Integer, float[]>> e = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(base); NDManager m = NDManager.newBaseManager()) {
            new Gr00tActionHead(c, 4, 16).run(heads, Set.of(2), Set.of(1, 2, 4, 5, 6, 7, 10, 11), (module, layer, s) ->
                    a.computeIfAbsent(module, k -> new TreeMap<>()).put(layer, s.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
        }
        try (Checkpoint c = Checkpoint.open(pruned); NDManager m = NDManager.newBaseManager()) {
            new Gr00tActionHead(c, 3, 8).run(heads, Set.of(), Set.of(), (module, layer, s) ->
                    e.computeIfAbsent(module, k -> new TreeMap<>()).put(layer, s.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
        }
        List<Integer> keptDit = List.of(0, 3, 8, 9, 12, 13, 14, 15);
        for (int i = 0; i < keptDit.size(); i++) {
            assertArrayEquals(a.get("dit").get(keptDit.get(i)), e.get("dit").get(i), "DiT block " + keptDit.get(i));
        }
        assertArrayEquals(a.get("vl_self_attention").get(3), e.get("vl_self_attention").get(2));
    }
}
