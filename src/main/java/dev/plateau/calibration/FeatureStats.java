package dev.plateau.calibration;

import java.util.Arrays;

/**
 * Per-dimension statistics of a feature over a dataset: what LeRobot's stats.json holds (its 1st and 99th
 * percentiles too, which pi0.5's QUANTILES normalisation reads).
 */
public record FeatureStats(double[] mean, double[] std, double[] min, double[] max, double[] q01, double[] q99) {

    /** The statistics of {@code rows} ([frames][dims]); the population standard deviation, as numpy's std. */
    static FeatureStats of(float[][] rows) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        double[] mean = new double[d];
        double[] m2 = new double[d];
        double[] min = new double[d];
        double[] max = new double[d];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        long n = 0;
        for (float[] row : rows) {
            n++;
            for (int i = 0; i < d; i++) {
                double x = row[i];
                double delta = x - mean[i];
                mean[i] += delta / n;
                m2[i] += delta * (x - mean[i]);
                min[i] = Math.min(min[i], x);
                max[i] = Math.max(max[i], x);
            }
        }
        double[] std = new double[d];
        double[] q01 = new double[d];
        double[] q99 = new double[d];
        double[] column = new double[rows.length];
        for (int i = 0; i < d; i++) {
            std[i] = n == 0 ? 0 : Math.sqrt(m2[i] / n);
            for (int r = 0; r < rows.length; r++) {
                column[r] = rows[r][i];
            }
            Arrays.sort(column);
            q01[i] = quantile(column, 0.01);
            q99[i] = quantile(column, 0.99);
        }
        return new FeatureStats(mean, std, min, max, q01, q99);
    }

    /** The q-quantile of sorted values, interpolated linearly between ranks (numpy's default). */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    /** LeRobot's MEAN_STD: (x - mean) / (std + 1e-8). */
    double[] meanStd(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = i < mean.length ? (x[i] - mean[i]) / (std[i] + 1e-8) : x[i];
        }
        return out;
    }

    /** LeRobot's QUANTILES (pi0.5): 2 (x - q01) / (q99 - q01) - 1, not clipped; equal quantiles divide by 1e-8. */
    double[] quantiles(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double range = i < q01.length ? q99[i] - q01[i] : 0;
            out[i] = i < q01.length ? 2 * (x[i] - q01[i]) / (range == 0 ? 1e-8 : range) - 1 : x[i];
        }
        return out;
    }

    /** GR00T's min_max: 2 (x - min) / (max - min) - 1, clipped to [-1, 1]; a constant dimension maps to 0. */
    double[] minMax(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (i >= min.length) {
                out[i] = x[i];
            } else if (max[i] == min[i]) {
                out[i] = 0;
            } else {
                out[i] = Math.clamp(2 * (x[i] - min[i]) / (max[i] - min[i]) - 1, -1.0, 1.0);
            }
        }
        return out;
    }
}
