package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.model.RopeScaling;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plateau's decoder under every rotary scaling it supports against hidden states the ORIGINAL transformers code
 * computed (parity/make_rope_fixtures.py: a Llama with realistic weights, two 192-token prompts, scalings that act
 * within them; the unscaled Llama of parity/make_fixtures.py). Every layer must agree to 1e-5 of the layer's largest magnitude; and the same run with the scaling
 * left out, or with the wrong theta, must miss by far more, so the fixtures can tell.
 */
class RopeParityTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void everySupportedScalingMatchesTransformersLayerByLayer() throws Exception {
        for (String fixture : List.of("llama", "rope-linear", "rope-dynamic", "rope-llama3", "rope-yarn")) {
            double error = TransformersFixtures.decoderError(fixture, c -> c);
            System.out.printf("%s: largest error %.2g of the layer's magnitude%n", fixture, error);
            assertTrue(error <= TOLERANCE, fixture + ": largest error " + error + " of the layer's magnitude");
        }
    }

    @Test
    void theFixturesCatchAScalingLeftOutAndAWrongTheta() throws Exception {
        for (String fixture : List.of("rope-linear", "rope-dynamic", "rope-llama3", "rope-yarn")) {
            double error = TransformersFixtures.decoderError(fixture, c -> c.put("rope_scaling", (String) null));
            assertTrue(error > 100 * TOLERANCE, fixture + " without its scaling: only " + error);
        }
        double wrongTheta = TransformersFixtures.decoderError("llama", c -> c.put("rope_theta", 500000.0));
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
}
