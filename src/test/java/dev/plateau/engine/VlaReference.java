package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a numpy reference script on VLA samples and compares its per-layer states with ours. */
final class VlaReference {
    private VlaReference() {
    }

    /** The reference's output for {@code samples} on {@code checkpoint}. */
    static JsonNode run(String script, Path checkpoint, List<VlaSample> samples, Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode inputs = json.createObjectNode();
        ArrayNode list = inputs.putArray("samples");
        for (VlaSample s : samples) {
            ObjectNode n = list.addObject();
            n.set("images", json.valueToTree(s.images()));
            n.set("tokens", json.valueToTree(s.tokens()));
            n.set("state", json.valueToTree(s.state()));
            n.set("noise", json.valueToTree(s.noise()));
            n.set("actions", json.valueToTree(s.actions()));
            n.put("time", s.time());
        }
        Path inputFile = Files.writeString(dir.resolve("inputs.json"), json.writeValueAsString(inputs));
        Process p = new ProcessBuilder("python3", "src/test/resources/" + script, checkpoint.toString(),
                inputFile.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        JsonNode reference = json.readTree(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor(), script);
        return reference;
    }

    /** Every layer (from -1, the input) of {@code module} within {@code tolerance}, absolute. */
    static void assertMatches(JsonNode reference, Map<String, Map<Integer, float[]>> ours, String module, int layers,
                              double tolerance) {
        assertEquals(layers + 1, reference.get(module).size(), module);
        for (int layer = -1; layer < layers; layer++) {
            List<Float> flat = new ArrayList<>();
            reference.get(module).get(layer + 1).forEach(row -> row.forEach(v -> flat.add(v.floatValue())));
            float[] mine = ours.get(module).get(layer);
            assertEquals(flat.size(), mine.length, module + " layer " + layer);
            double worst = 0;
            for (int i = 0; i < mine.length; i++) {
                worst = Math.max(worst, Math.abs(mine[i] - flat.get(i)));
            }
            assertTrue(worst <= tolerance, module + " layer " + layer + ": max abs error " + worst);
        }
    }
}
