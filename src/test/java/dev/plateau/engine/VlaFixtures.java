package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.checkpoint.TensorInfo;
import dev.plateau.model.ModelDetector;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.PlanFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Parity fixtures of whole VLAs made with the original code (parity/make_*_fixture.py): a tiny checkpoint with
 * realistic weights, two samples' inputs (inputs.json: token ids, t; inputs.safetensors: images.s [cameras, 3, H, W]
 * in [-1, 1], state.s, noise.s, actions.s) and the reference's hidden states of every module and layer,
 * {@code module.layer}, rows of sample 0 then sample 1.
 */
final class VlaFixtures {
    private VlaFixtures() {
    }

    /** Runs our forward of the checkpoint over the samples, every layer to the sink. */
    @FunctionalInterface
    interface Forward {
        void run(Checkpoint checkpoint, List<VlaSample> samples, LayerSink sink, NDManager manager) throws Exception;
    }

    /** The largest |ours - reference| over every layer of every module, relative to that layer's largest |value|. */
    static double error(Path folder, Forward forward) throws Exception {
        List<VlaSample> samples = samples(folder);
        Map<String, float[]> ours = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            forward.run(c, samples, (module, layer, states) -> ours.put(module + "." + layer, states.toFloatArray()),
                    m);
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

    /**
     * Plateau's export of {@code fixture} under the plan in {@code pruned}/plan.json, run by our forward and compared
     * with what the original code computed from that same export ({@code pruned}/hidden_states.safetensors, made by
     * parity/make_*_pruned_fixture.py after loading it strictly): the largest relative error over every layer.
     */
    static double prunedError(Path fixture, Path pruned, Path export, Forward forward) throws Exception {
        try (Checkpoint c = Checkpoint.open(fixture)) {
            Exporter.export(c, ModelDetector.detect(c), PlanFile.read(pruned.resolve("plan.json")), export, false);
        }
        for (String file : List.of("inputs.json", "inputs.safetensors")) {
            Files.copy(fixture.resolve(file), export.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(pruned.resolve("hidden_states.safetensors"), export.resolve("hidden_states.safetensors"),
                StandardCopyOption.REPLACE_EXISTING);
        return error(export, forward);
    }

    /** A copy of the fixture with its config.json edited (to inject a mistake). */
    static Path copy(Path fixture, Path out, UnaryOperator<ObjectNode> editConfig) throws Exception {
        Files.createDirectories(out);
        try (var files = Files.list(fixture)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("config.json")).toList()) {
                Files.copy(file, out.resolve(file.getFileName()));
            }
        }
        Json.write(out.resolve("config.json"), editConfig.apply(Json.readObject(fixture.resolve("config.json"))));
        return out;
    }

    static List<VlaSample> samples(Path folder) throws Exception {
        JsonNode inputs = Json.readObject(folder.resolve("inputs.json"));
        List<VlaSample> out = new ArrayList<>();
        try (SafetensorsFile arrays = SafetensorsFile.open(folder.resolve("inputs.safetensors"))) {
            for (int s = 0; s < inputs.get("tokens").size(); s++) {
                JsonNode ids = inputs.get("tokens").get(s);
                int[] tokens = new int[ids.size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = ids.get(i).asInt();
                }
                TensorInfo images = arrays.tensor("images." + s).orElseThrow();
                float[] pixels = arrays.floats(images);
                int cameras = Math.toIntExact(images.shape().get(0));
                int height = Math.toIntExact(images.shape().get(2));
                int width = Math.toIntExact(images.shape().get(3));
                List<float[][][]> pictures = new ArrayList<>();
                for (int c = 0; c < cameras; c++) {
                    float[][][] image = new float[3][height][width];
                    for (int ch = 0; ch < 3; ch++) {
                        for (int y = 0; y < height; y++) {
                            System.arraycopy(pixels, ((c * 3 + ch) * height + y) * width, image[ch][y], 0, width);
                        }
                    }
                    pictures.add(image);
                }
                float[] state = arrays.tensor("state." + s).map(arrays::floats).orElse(new float[32]);
                out.add(new VlaSample(pictures, tokens, state,
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
