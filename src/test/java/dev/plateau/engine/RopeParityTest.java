package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.model.RopeScaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Plateau's decoder under every rotary scaling it supports against hidden states the ORIGINAL transformers code
 * computed (parity/make_rope_fixtures.py: a Llama with realistic weights, two 192-token prompts, scalings that act
 * within them; the unscaled Llama of parity/make_fixtures.py). Every layer must agree to 1e-5 of the layer's largest magnitude; and the same run with the scaling
 * left out, or with the wrong theta, must miss by far more, so the fixtures can tell.
 */
class RopeParityTest {
    private static final Path FIXTURES = Path.of("src/test/resources/parity");
    private static final double TOLERANCE = 1e-5;

    @Test
    void everySupportedScalingMatchesTransformersLayerByLayer() throws Exception {
        for (String fixture : List.of("llama", "rope-linear", "rope-dynamic", "rope-llama3", "rope-yarn")) {
            double error = worstRelativeError(fixture, c -> c);
            System.out.printf("%s: largest error %.2g of the layer's magnitude%n", fixture, error);
            assertTrue(error <= TOLERANCE, fixture + ": largest error " + error + " of the layer's magnitude");
        }
    }

    @Test
    void theFixturesCatchAScalingLeftOutAndAWrongTheta() throws Exception {
        for (String fixture : List.of("rope-linear", "rope-dynamic", "rope-llama3", "rope-yarn")) {
            double error = worstRelativeError(fixture, c -> c.put("rope_scaling", (String) null));
            assertTrue(error > 100 * TOLERANCE, fixture + " without its scaling: only " + error);
        }
        double wrongTheta = worstRelativeError("llama", c -> c.put("rope_theta", 500000.0));
        assertTrue(wrongTheta > 100 * TOLERANCE, "theta 500000 for 10000: only " + wrongTheta);
    }

    @Test
    void anUnknownScalingOrAPartialRotaryIsRefusedNamingIt() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode longrope = json.createObjectNode();
        longrope.putObject("rope_scaling").put("rope_type", "longrope").put("factor", 4.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RopeScaling.of(longrope));
        assertEquals("rope_scaling type 'longrope' is not supported (known: default, linear, dynamic, llama3, yarn)",
                e.getMessage());
        ObjectNode partial = json.createObjectNode().put("partial_rotary_factor", 0.5);
        assertThrows(IllegalArgumentException.class, () -> RopeScaling.of(partial));
        ObjectNode legacy = json.createObjectNode();
        legacy.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
        assertEquals(new RopeScaling.Linear(2.0), RopeScaling.of(legacy), "the older 'type' key is read too");
    }

    /** The largest |ours - transformers| over every compared layer, relative to that layer's largest |value|. */
    private static double worstRelativeError(String fixture, UnaryOperator<ObjectNode> editConfig) throws Exception {
        Path folder = FIXTURES.resolve(fixture);
        JsonNode inputs = new ObjectMapper().readTree(folder.resolve("inputs.json").toFile());
        List<int[]> tokens = new ArrayList<>();
        inputs.get("tokens").forEach(seq -> {
            int[] ids = new int[seq.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = seq.get(i).asInt();
            }
            tokens.add(ids);
        });
        Map<Integer, float[]> ours = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            int depth = c.config().get("num_hidden_layers").asInt();
            DecoderConfig config = DecoderConfig.ofHuggingFace(editConfig.apply(c.config().deepCopy()));
            new DecoderStack(c, config, "decoder", "layers.", depth, "embed_tokens.weight").run(tokens, Set.of(),
                    (module, layer, states) -> ours.put(layer, states.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
        }
        double worst = 0;
        try (SafetensorsFile reference = SafetensorsFile.open(folder.resolve("hidden_states.safetensors"))) {
            // hidden.(l + 1) is layer l's output; the last one is after the final norm and is not compared
            for (int layer = 0; layer < ours.size() - 2; layer++) {
                float[] want = reference.floats(reference.tensor("hidden." + (layer + 1)).orElseThrow());
                float[] got = ours.get(layer);
                assertEquals(want.length, got.length, fixture + " layer " + layer);
                double scale = 0;
                double error = 0;
                for (int i = 0; i < got.length; i++) {
                    scale = Math.max(scale, Math.abs(want[i]));
                    error = Math.max(error, Math.abs(want[i] - got[i]));
                }
                worst = Math.max(worst, error / scale);
            }
        }
        return worst;
    }
}
