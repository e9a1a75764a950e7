package dev.plateau.analysis;

/**
 * How a calibration's statistics are kept.
 *
 * @param seed          fixes the token sample and the minibatch order
 * @param minibatch     tokens per minibatch of the unbiased minibatch CKA
 * @param sampleBudget  tokens kept per module in the token sample (PCA, heatmap estimate), split evenly among the
 *                      module's token types, at most {@link #ESTIMATE_TOKENS} per type
 * @param distantBudget bytes a module may spend on exact statistics of the layer pairs two or more apart (float64,
 *                      width^2 per pair); a module over it gets those pairs estimated from the token sample
 */
public record StatisticsSettings(long seed, int minibatch, int sampleBudget, long distantBudget) {
    /** Tokens per minibatch unless asked otherwise. */
    public static final int MINIBATCH = 256;
    /** Sampled tokens per module unless asked otherwise: "a few thousand", enough for a PCA preview. */
    public static final int SAMPLE_BUDGET = 4096;
    /**
     * Tokens the heatmap's estimate of distant layer pairs uses at most: it holds a Gram matrix of them per layer, so
     * its memory and time grow with their square.
     */
    public static final int ESTIMATE_TOKENS = 2048;

    public StatisticsSettings {
        if (minibatch < 4) {
            throw new IllegalArgumentException("a minibatch needs at least 4 tokens, not " + minibatch);
        }
        if (sampleBudget < 2) {
            throw new IllegalArgumentException("the token sample needs at least 2 tokens, not " + sampleBudget);
        }
    }

    /** The defaults, with exact statistics of distant pairs wherever they fit {@code distantBudget}. */
    public static StatisticsSettings of(long seed, long distantBudget) {
        return new StatisticsSettings(seed, MINIBATCH, SAMPLE_BUDGET, distantBudget);
    }

    /**
     * Tokens of each type a module with {@code types} token types keeps in its sample: the budget split evenly, and
     * never more than the heatmap's estimate uses (more would serve only the PCA preview, at every layer's cost).
     */
    public int sampleQuota(int types) {
        return Math.max(2, Math.min(ESTIMATE_TOKENS, sampleBudget / types));
    }

    /** Bytes of exact statistics for the pairs two or more layers apart of a module. */
    public static long distantBytes(int layers, long width) {
        long pairs = (long) layers * (layers - 1) / 2 - Math.max(0, layers - 1);
        return pairs * width * width * Double.BYTES;
    }

    /** Bytes of exact statistics for every layer with itself and its predecessor, for one token type. */
    public static long profileBytes(int layers, long width) {
        return (2L * layers - 1) * width * width * Double.BYTES;
    }

    /** Whether a module's distant pairs fit the budget for exact statistics. */
    public boolean exactDistantFits(int layers, long width) {
        return layers > 2 && distantBytes(layers, width) <= distantBudget;
    }
}
