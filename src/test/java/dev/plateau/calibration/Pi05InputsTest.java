package dev.plateau.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pi0.5's prompt and quantile normalisation, against numpy and LeRobot's processor_pi05 by hand. */
class Pi05InputsTest {

    @Test
    void theStateIsDiscretisedAsNumpysDigitize() {
        double[] state = {-1.5, -1.0, -0.99, 0.0, 0.3, 0.5, 0.99, 0.9921875, 1.0, 2.0};
        // np.digitize(np.float32(state), bins=np.linspace(-1, 1, 257)[:-1]) - 1
        int[] numpy = {-1, 0, 1, 128, 166, 192, 254, 255, 255, 255};
        assertArrayEquals(numpy, Arrays.stream(state).mapToInt(Pi05Inputs::bin).toArray());
    }

    @Test
    void thePromptCarriesTheCleanedTaskAndTheStateBins() {
        CalibrationSample s = new CalibrationSample("episode 0, frame 3", "  pick_up the\ncube \n", Map.of(),
                new double[] {0.0, -1.0, 0.99}, new double[0][]);
        assertEquals("Task: pick up the cube, State: 128 0 254;\nAction: ", Pi05Inputs.prompt(s));
    }

    @Test
    void quantileNormalisationMapsTheFirstAndNinetyNinthPercentilesToMinusOneAndOne() {
        FeatureStats stats = FeatureStats.of(new float[][] {{3}, {1}, {2}, {10}, {4}, {-7}, {5.5f}});
        // numpy: np.quantile([3, 1, 2, 10, 4, -7, 5.5], [0.01, 0.99]) = -6.52, 9.73
        assertEquals(-6.52, stats.q01()[0], 1e-12);
        assertEquals(9.73, stats.q99()[0], 1e-12);
        assertEquals(-1, stats.quantiles(new double[] {-6.52})[0], 1e-12);
        assertEquals(1, stats.quantiles(new double[] {9.73})[0], 1e-12);
        assertEquals(2 * (0 + 6.52) / (9.73 + 6.52) - 1, stats.quantiles(new double[] {0})[0], 1e-12);
        assertEquals(1.5, stats.quantiles(new double[] {9.73 + (9.73 + 6.52) / 4})[0], 1e-12, "not clipped");
    }
}
