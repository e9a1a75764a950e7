package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.SyntheticModels;
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
 * SmolVLA's forward (vision, connector, prefix, noisy-action suffix, 16 joint and cross layers of VLM and expert)
 * against an independent numpy implementation of forward-smolvla.md (src/test/resources/smolvla_reference.py), on a
 * tiny checkpoint with two samples of different prefix lengths: max abs error 1e-4 on every layer of both streams.
 */
class SmolVlaReferenceTest {
    @TempDir
    Path dir;

    static List<VlaSample> samples(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VlaSample> out = new ArrayList<>();
        int[][] tokens = {{2, 3, 4, 5, 49}, {6, 7, 8}};
        int[] cameras = {2, 1};
        float[] times = {0.37f, 0.81f};
        for (int s = 0; s < 2; s++) {
            List<float[][][]> images = new ArrayList<>();
            for (int c = 0; c < cameras[s]; c++) {
                float[][][] image = new float[3][128][128];
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
            for (int i = 0; i < 6; i++) {
                state[i] = (float) r.nextDouble(-1, 1);
            }
            float[][] noise = new float[50][32];
            float[][] actions = new float[50][32];
            for (int i = 0; i < 50; i++) {
                for (int j = 0; j < 32; j++) {
                    noise[i][j] = (float) r.nextDouble(-2, 2);
                    actions[i][j] = j < 6 ? (float) r.nextDouble(-1, 1) : 0;
                }
            }
            out.add(new VlaSample(images, tokens[s], state, actions, noise, times[s]));
        }
        return out;
    }

    static Map<String, Map<Integer, float[]>> run(Path checkpoint, List<VlaSample> samples,
                                                 Set<Integer> skip) {
        Map<String, Map<Integer, float[]>> out = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(checkpoint); NDManager m = NDManager.newBaseManager()) {
            new SmolVlaForward(c, 12, c.config().get("num_vlm_layers").asInt()).run(samples, skip,
                    (module, layer, states) -> out.computeIfAbsent(module, k -> new TreeMap<>())
                            .put(layer, states.toFloatArray()), m, () -> false, DecoderStack.Progress.NONE);
        }
        return out;
    }

    @Test
    void smolVlaMatchesTheNumpyReference() throws Exception {
        Path ckpt = CheckpointBuilder.write(SyntheticModels.named("smolvla", false).orElseThrow(), dir.resolve("m"),
                CheckpointBuilder.Fill.RANDOM, 4, 0, false);
        List<VlaSample> samples = samples(5);
        JsonNode ref = VlaReference.run("smolvla_reference.py", ckpt, samples, dir);
        Map<String, Map<Integer, float[]>> ours = run(ckpt, samples, Set.of());
        VlaReference.assertMatches(ref, ours, "vlm", 16, 1e-4);
        VlaReference.assertMatches(ref, ours, "expert", 16, 1e-4);
        assertEquals(13, ours.get("vision").size(), "input and 12 vision layers");
    }
}
