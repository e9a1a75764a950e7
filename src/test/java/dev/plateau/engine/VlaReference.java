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

/** Runs a numpy reference script on VLA samples and compares reference states with ours. */
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
            assertClose(reference.get(module).get(layer + 1), ours.get(module).get(layer), module + " layer " + layer,
                    tolerance);
        }
    }

    /** {@code actual} equals the rows of {@code expected}, flattened, within {@code tolerance}, absolute. */
    static void assertClose(JsonNode expected, float[] actual, String what, double tolerance) {
        List<Float> flat = new ArrayList<>();
        expected.forEach(row -> row.forEach(v -> flat.add(v.floatValue())));
        assertEquals(flat.size(), actual.length, what);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - flat.get(i)));
        }
        assertTrue(worst <= tolerance, what + ": max abs error " + worst);
    }
}
