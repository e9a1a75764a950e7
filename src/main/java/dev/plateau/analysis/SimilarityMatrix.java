package dev.plateau.analysis;

import java.util.List;

/**
 * All-pairs similarity of a module's layers under one metric, with the adjacent profile that Algorithm 1 reads.
 *
 * @param metric the measure
 * @param values L x L, symmetric; never NaN
 * @param notes  what was degenerate and how it was resolved (constant layers, negative estimates, ...)
 */
public record SimilarityMatrix(Metric metric, double[][] values, List<String> notes) {

    public SimilarityMatrix {
        notes = List.copyOf(notes);
    }

    public int layers() {
        return values.length;
    }

    /**
     * The adjacent profile, index-aligned with layers: entry i (i >= 1) compares layer i with layer i - 1; entry 0 is
     * NaN because the first layer has no predecessor (and is never removed).
     */
    public double[] adjacent() {
        double[] profile = new double[values.length];
        if (profile.length > 0) {
            profile[0] = Double.NaN;
        }
        for (int i = 1; i < values.length; i++) {
            profile[i] = values[i][i - 1];
        }
        return profile;
    }

    public double get(int i, int j) {
        return values[i][j];
    }
}
