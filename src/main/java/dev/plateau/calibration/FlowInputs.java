package dev.plateau.calibration;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.VlaSample;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** What the flow-matching VLAs' input preparations share: seeded noise and time, padded state and actions. */
final class FlowInputs {
    private FlowInputs() {
    }

    /** The noise and time of the sample at {@code index} in the whole draw: the same however the draw is batched. */
    static SplittableRandom sampleRandom(long seed, long index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    }

    /** A VLA sample needs a camera image and a state that fits max_state_dim. */
    static void checkSample(CalibrationSample s, Path data, ModelSpec spec, int maxState) {
        String where = data + ": " + s.where() + ": ";
        if (s.images().isEmpty()) {
            throw new CalibrationException(where + spec.family().displayName() + " needs at least one camera image");
        }
        if (s.state().length > maxState) {
            throw new CalibrationException(where + "state has " + s.state().length + " values, more than "
                    + "max_state_dim = " + maxState);
        }
    }

    /**
     * The flow-matching inputs of a sample: state zero-padded to {@code stateDim}, actions zero-padded to [rows][cols],
     * noise N(0, 1) of that shape drawn from {@code random}, then the time from {@code time}.
     */
    static VlaSample flowSample(CalibrationSample s, List<float[][][]> images, int[] tokens, int stateDim, int rows,
                                int cols, SplittableRandom random, DoubleSupplier time) {
        float[] state = new float[stateDim];
        for (int i = 0; i < s.state().length; i++) {
            state[i] = (float) s.state()[i];
        }
        float[][] actions = new float[rows][cols];
        for (int i = 0; i < Math.min(rows, s.actions().length); i++) {
            for (int j = 0; j < Math.min(cols, s.actions()[i].length); j++) {
                actions[i][j] = (float) s.actions()[i][j];
            }
        }
        float[][] noise = new float[rows][cols];
        for (float[] row : noise) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) gaussian(random);
            }
        }
        return new VlaSample(images, tokens, state, actions, noise, (float) time.getAsDouble());
    }

    /** LeRobot's training-time draw: t = 0.999 Beta(1.5, 1) + 0.001. */
    static double lerobotTime(SplittableRandom random) {
        return 0.999 * Math.pow(random.nextDouble(), 1 / 1.5) + 0.001;
    }

    /** Patches per image, from the vision tower's position embeddings (256 when the tower is not stored). */
    static long patchesPerImage(Checkpoint checkpoint, ModelSpec spec) {
        return spec.module("vision").map(v -> visionTokens(checkpoint, v)).orElse(0L);
    }

    private static long visionTokens(Checkpoint checkpoint, ModuleSpec vision) {
        return checkpoint.tensor(tower(vision) + "embeddings.position_embedding.weight")
                .map(t -> t.info().shape().get(0)).orElse(256L);
    }

    /** The vision tower's tensor prefix: its layers' prefix without {@code encoder.layers.}. */
    static String tower(ModuleSpec vision) {
        String prefix = vision.layerPrefix();
        int encoder = prefix.lastIndexOf("encoder.");
        return encoder >= 0 ? prefix.substring(0, encoder) : prefix;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
