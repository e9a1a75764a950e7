package dev.plateau.calibration;

import java.util.Arrays;

/** Per-dimension statistics of a feature over a dataset: what LeRobot's stats.json holds. */
public record FeatureStats(double[] mean, double[] std, double[] min, double[] max) {

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
        for (int i = 0; i < d; i++) {
            std[i] = n == 0 ? 0 : Math.sqrt(m2[i] / n);
        }
        return new FeatureStats(mean, std, min, max);
    }

    /** LeRobot's MEAN_STD: (x - mean) / (std + 1e-8). */
    double[] meanStd(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = i < mean.length ? (x[i] - mean[i]) / (std[i] + 1e-8) : x[i];
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
