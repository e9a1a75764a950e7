package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import dev.plateau.analysis.TokenBatch;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.LayerSink;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * How one family's calibration samples become model inputs, as its original preprocessor makes them: images, prompt,
 * state, noise and time; which token types each module receives; how state and actions are normalised; and how many
 * tokens a sample gives each module (for the memory estimate). {@link #of} is calibration's one switch over families.
 */
sealed interface FamilyInputs permits SmolVlaInputs, Pi0Inputs, Pi05Inputs, Gr00tInputs, DecoderInputs {

    static FamilyInputs of(Family family) {
        return switch (family) {
            case SMOLVLA -> new SmolVlaInputs();
            case PI0 -> new Pi0Inputs();
            case PI05 -> new Pi05Inputs();
            case GR00T_N1_5 -> new Gr00tInputs();
            case DECODER_LLM -> new DecoderInputs();
        };
    }

    /** One batch through the family's forward pass: the rows each module gave, described. */
    @FunctionalInterface
    interface BatchRun {
        /** @param first the batch's first sample's index in the whole draw */
        Map<String, IntFunction<TokenBatch>> run(List<CalibrationSample> batch, long first, LayerSink sink,
                                                 NDManager manager, BooleanSupplier cancelled,
                                                 DecoderStack.Progress progress);
    }

    /**
     * The family's forward pass over prepared batches.
     *
     * @param time  the flow-matching time of every sample, or empty to draw it per sample as in training
     * @param skips the layers a pruned run skips
     */
    BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer, long seed,
                     OptionalDouble time, LayerSkips skips);

    /** The token types {@code module}'s tokens come in: its statistics are allocated for these before a run. */
    List<TokenType> tokenTypes(String module);

    /**
     * Tokens per sample per module at the preprocessing's limits (tokenizer_max_length, the cameras given), for the
     * memory estimate.
     */
    Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras);

    /**
     * State and actions as the trainer normalises them with the dataset's statistics under LeRobot's
     * normalization_mapping {@code mode} (MEAN_STD by default; IDENTITY leaves them).
     */
    default UnaryOperator<double[]> normaliser(FeatureStats stats, String mode) {
        return switch (mode) {
            case "MEAN_STD" -> stats::meanStd;
            case "MIN_MAX" -> stats::minMax;
            case "QUANTILES" -> stats::quantiles;
            default -> UnaryOperator.identity();
        };
    }

    /** How state and actions are normalised, for the run's metadata; empty when the family has none. */
    default Optional<String> normalisation() {
        return Optional.of("state and actions MEAN_STD with the dataset's statistics");
    }

    /** How noise and time are drawn per sample, for the run's metadata; empty when the family has none. */
    Optional<String> timestepSampling();
}
