package dev.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A decoder's rotary scaling as its config.json states it ({@code rope_scaling}, its {@code rope_type} or the older
 * {@code type}), read the way transformers' {@code modeling_rope_utils} reads it. The types real checkpoints of the
 * supported decoders use are known: none, linear (position interpolation), dynamic NTK, Llama 3.1's and YaRN (Qwen's
 * long-context configs). Any other type, and a partial rotary factor, is refused: a rotary embedding silently computed
 * the default way would shift every attention score.
 */
public sealed interface RopeScaling {
    /** The {@code rope_type} values understood. */
    List<String> KNOWN = List.of("default", "linear", "dynamic", "llama3", "yarn");

    /** No scaling: inv_freq_k = 1 / theta^(2k / d). */
    record None() implements RopeScaling {
    }

    /** Position interpolation: every inverse frequency divided by {@code factor}. */
    record Linear(double factor) implements RopeScaling {
    }

    /**
     * Dynamic NTK: for a sequence longer than {@code maxPositions}, the base grows to theta (f s / m - (f - 1))^(d /
     * (d - 2)); shorter sequences use the default frequencies.
     */
    record Dynamic(double factor, int maxPositions) implements RopeScaling {
    }

    /** Llama 3.1: low frequencies divided by {@code factor}, high ones kept, the band between blended. */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions)
            implements RopeScaling {
    }

    /**
     * YaRN: interpolated and extrapolated frequencies blended by a linear ramp between the dimensions that turn
     * {@code betaFast} and {@code betaSlow} times over {@code originalMaxPositions}; cos and sin are multiplied by
     * {@code attentionFactor}.
     */
    record Yarn(double factor, int originalMaxPositions, double betaFast, double betaSlow, double attentionFactor)
            implements RopeScaling {
    }

    /** The scaling a Hugging Face config states; an unknown type or a partial rotary factor is refused. */
    static RopeScaling of(JsonNode config) {
        double partial = config.path("partial_rotary_factor").asDouble(1.0);
        if (partial != 1.0) {
            throw new IllegalArgumentException("partial_rotary_factor " + partial + " is not supported (Plateau's "
                    + "decoders rotate the whole head)");
        }
        JsonNode s = config.path("rope_scaling");
        if (!s.isObject()) {
            return new None();
        }
        String type = s.path("rope_type").asText(s.path("type").asText("default"));
        int maxPositions = config.path("max_position_embeddings").asInt(2048);
        return switch (type) {
            case "default" -> new None();
            case "linear" -> new Linear(required(s, "factor"));
            case "dynamic" -> new Dynamic(required(s, "factor"), maxPositions);
            case "llama3" -> new Llama3(required(s, "factor"), required(s, "low_freq_factor"),
                    required(s, "high_freq_factor"), (int) required(s, "original_max_position_embeddings"));
            case "yarn" -> yarn(s, maxPositions);
            default -> throw new IllegalArgumentException("rope_scaling type '" + type + "' is not supported "
                    + "(known: " + String.join(", ", KNOWN) + ")");
        };
    }

    /**
     * YaRN's numbers as transformers 4.51 derives them: with {@code original_max_position_embeddings} given, the
     * factor is max_position_embeddings over it; the attention factor, unless given, is 0.1 ln(f) + 1 (or the ratio
     * of two such terms with {@code mscale} and {@code mscale_all_dim}); beta_fast 32 and beta_slow 1 by default.
     */
    private static Yarn yarn(JsonNode s, int maxPositions) {
        double factor = required(s, "factor");
        int original = maxPositions;
        if (s.has("original_max_position_embeddings")) {
            original = s.path("original_max_position_embeddings").asInt();
            factor = (double) maxPositions / original;
        }
        double attention;
        if (s.hasNonNull("attention_factor")) {
            attention = s.path("attention_factor").asDouble();
        } else {
            double mscale = s.path("mscale").asDouble(0);
            double mscaleAllDim = s.path("mscale_all_dim").asDouble(0);
            attention = mscale != 0 && mscaleAllDim != 0 ? yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim)
                    : yarnMscale(factor, 1);
        }
        double betaFast = s.path("beta_fast").asDouble(0);
        double betaSlow = s.path("beta_slow").asDouble(0);
        return new Yarn(factor, original, betaFast == 0 ? 32 : betaFast, betaSlow == 0 ? 1 : betaSlow, attention);
    }

    private static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static double required(JsonNode s, String key) {
        if (!s.path(key).isNumber()) {
            throw new IllegalArgumentException("rope_scaling." + key + " is missing or not a number");
        }
        return s.path(key).asDouble();
    }
}
