package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.checkpoint.TensorInfo;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pi0.5's forward against LeRobot's own PI05Pytorch training forward (parity/make_pi05_fixture.py, LeRobot cbc8bfb2 with
 * openpi's transformers files): a tiny pi0.5 with realistic weights and nonzero adaRMS maps, two samples at t = 0.3
 * and 0.8, every layer of the vision tower, the VLM and the expert, relative to each layer's largest value.
 */
class Pi05ParityTest {
    static final Path FIXTURE = TransformersFixtures.FOLDER.resolve("pi05");

    @TempDir
    Path dir;

    @Test
    void everyLayerMatchesLeRobotsPi05() throws Exception {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertEquals(Family.PI05, spec.family());
            assertEquals("lerobot", spec.naming());
        }
        double worst = error(FIXTURE);
        System.out.printf("pi0.5 vs LeRobot, worst layer: %.2e of its largest value%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    @Test
    void aWrongTimeEmbeddingIsCaught() throws Exception {
        Path edited = copy(config -> config.put("min_period", 4e-2));
        assertTrue(error(edited) > 1e-3, "a time embedding with another min_period must show in the expert");
    }

    private Path copy(UnaryOperator<ObjectNode> editConfig) throws Exception {
        Path out = Files.createDirectories(dir.resolve("edited"));
        for (String file : List.of("model.safetensors", "inputs.json", "inputs.safetensors",
                "hidden_states.safetensors")) {
            Files.copy(FIXTURE.resolve(file), out.resolve(file));
        }
        Json.write(out.resolve("config.json"), editConfig.apply(Json.readObject(FIXTURE.resolve("config.json"))));
        return out;
    }

    /** The largest |ours - LeRobot| over every layer of every module, relative to that layer's largest |value|. */
    private static double error(Path folder) throws Exception {
        List<VlaSample> samples = samples(folder);
        Map<String, float[]> ours = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            new Pi05Forward(c, ModelDetector.detect(c)).run(samples, Set.of(), (module, layer, states) ->
                    ours.put(module + "." + layer, states.toFloatArray()), m, () -> false, DecoderStack.Progress.NONE);
        }
        double worst = 0;
        try (SafetensorsFile reference = SafetensorsFile.open(folder.resolve("hidden_states.safetensors"))) {
            assertEquals(reference.tensorsByName().keySet(), ours.keySet(), "the same modules and layers");
            for (Map.Entry<String, TensorInfo> e : reference.tensorsByName().entrySet()) {
                float[] expected = reference.floats(e.getValue());
                float[] actual = ours.get(e.getKey());
                assertEquals(expected.length, actual.length, e.getKey());
                double scale = 0;
                double difference = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
                }
                worst = Math.max(worst, difference / scale);
            }
        }
        return worst;
    }

    private static List<VlaSample> samples(Path folder) throws Exception {
        JsonNode inputs = Json.readObject(folder.resolve("inputs.json"));
        List<VlaSample> out = new ArrayList<>();
        try (SafetensorsFile arrays = SafetensorsFile.open(folder.resolve("inputs.safetensors"))) {
            for (int s = 0; s < inputs.get("tokens").size(); s++) {
                JsonNode ids = inputs.get("tokens").get(s);
                int[] tokens = new int[ids.size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = ids.get(i).asInt();
                }
                float[] pixels = arrays.floats(arrays.tensor("images." + s).orElseThrow());
                float[][][] image = new float[3][56][56];
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < 56; y++) {
                        System.arraycopy(pixels, (ch * 56 + y) * 56, image[ch][y], 0, 56);
                    }
                }
                out.add(new VlaSample(List.<float[][][]>of(image), tokens, new float[32],
                        rows(arrays.floats(arrays.tensor("actions." + s).orElseThrow()), 32),
                        rows(arrays.floats(arrays.tensor("noise." + s).orElseThrow()), 32),
                        (float) inputs.get("time").get(s).asDouble()));
            }
        }
        return out;
    }

    private static float[][] rows(float[] flat, int columns) {
        float[][] out = new float[flat.length / columns][columns];
        for (int r = 0; r < out.length; r++) {
            System.arraycopy(flat, r * columns, out[r], 0, columns);
        }
        return out;
    }
}
