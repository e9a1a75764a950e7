package dev.plateau.analysis;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A layer-similarity measure between the hidden states of two layers over the same tokens. */
public enum Metric {
    /** Exact linear CKA (Kornblith et al. 2019, eq. 3 of the paper): biased HSIC, in [0, 1]. */
    CKA("cka", true, "linear CKA"),
    /** Unbiased minibatch linear CKA (Nguyen, Raghu, Kornblith 2021), U-centering form. */
    CKA_MINIBATCH("cka-minibatch", true, "minibatch CKA"),
    /** Mean over tokens of the cosine between the two layers' vectors of that token. */
    COSINE("cosine", true, "cosine similarity"),
    /** Mean squared difference over tokens and features. */
    MSE("mse", false, "mean squared error"),
    /** Mean over tokens of arccos(cosine) / pi (Gromov et al. 2024), in [0, 1]. */
    ANGULAR("angular", false, "angular distance"),
    /** Block Influence 1 - mean cosine (ShortGPT, Men et al. 2024). */
    BI("bi", false, "Block Influence");

    private final String code;
    private final boolean higherIsSimilar;
    private final String label;

    Metric(String code, boolean higherIsSimilar, String label) {
        this.code = code;
        this.higherIsSimilar = higherIsSimilar;
        this.label = label;
    }

    /** The name used on the command line and in files, e.g. {@code cka-minibatch}. */
    public String code() {
        return code;
    }

    /** Whether a larger value means more similar layers (CKA, cosine), or a smaller one (MSE, distances). */
    public boolean higherIsSimilar() {
        return higherIsSimilar;
    }

    public String label() {
        return label;
    }

    public static Optional<Metric> fromCode(String code) {
        String c = code.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.code.equals(c)).findFirst();
    }
}
