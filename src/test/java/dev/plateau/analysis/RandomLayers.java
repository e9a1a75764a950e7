package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test layers: a random first layer, each next one a random linear map of the previous plus noise, in float64. */
final class RandomLayers {
    private RandomLayers() {
    }

    static double[][] gaussian(int rows, int columns, SplittableRandom random) {
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int c = 0; c < columns; c++) {
                double u1 = 1 - random.nextDouble();
                row[c] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random.nextDouble());
            }
        }
        return m;
    }

    static double[][] chain(int layer, int n, int d, SplittableRandom random, double[][] previous) {
        if (previous == null) {
            double[][] x = gaussian(n, d, random);
            for (double[] row : x) {
                row[0] += 3;
            }
            return x;
        }
        double[][] map = gaussian(d, d, random);
        double[][] noise = gaussian(n, d, random);
        double[][] next = new double[n][d];
        double noiseScale = 0.5 + layer;
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < d; k++) {
                double v = previous[r][k];
                for (int c = 0; c < d; c++) {
                    next[r][c] += v * map[k][c] / Math.sqrt(d);
                }
            }
            for (int c = 0; c < d; c++) {
                next[r][c] += previous[r][c] + noiseScale * noise[r][c];
            }
        }
        return next;
    }

    static List<double[][]> layers(int count, int n, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<double[][]> out = new ArrayList<>();
        double[][] previous = null;
        for (int l = 0; l < count; l++) {
            previous = chain(l, n, d, random, previous);
            out.add(previous);
        }
        return out;
    }

    static NDArray array(NDManager manager, double[][] m) {
        double[] flat = new double[m.length * m[0].length];
        for (int r = 0; r < m.length; r++) {
            System.arraycopy(m[r], 0, flat, r * m[0].length, m[0].length);
        }
        return manager.create(flat, new Shape(m.length, m[0].length));
    }

    static List<NDArray> arrays(NDManager manager, List<double[][]> layers) {
        return layers.stream().map(l -> array(manager, l)).toList();
    }
}
