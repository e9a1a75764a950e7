package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Principal components of hidden states by subspace iteration on the covariance matrix (DJL has no eigensolver):
 * the products run on the device, the small orthonormalisation and the Rayleigh-Ritz eigenproblem in Java. The
 * fitted mean and components then project other states (a pruned model's) into the same coordinates.
 */
public final class Pca implements AutoCloseable {
    private static final int OVERSAMPLE = 6;
    private static final int MAX_ITERATIONS = 300;
    private static final double TOLERANCE = 1e-12;

    private final NDManager store;
    private final NDArray mean;
    private final NDArray components;
    private final double[] eigenvalues;
    private final double totalVariance;

    private Pca(NDManager store, NDArray mean, NDArray components, double[] eigenvalues, double totalVariance) {
        this.store = store;
        this.mean = mean;
        this.components = components;
        this.eigenvalues = eigenvalues;
        this.totalVariance = totalVariance;
    }

    /** The first {@code k} principal components of {@code x} ([n, d], n >= 2), from a seeded start. */
    public static Pca fit(NDArray x, int k, long seed) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        int d = Math.toIntExact(shape.get(1));
        if (n < 2 || k < 1 || k > d) {
            throw new IllegalArgumentException("PCA of " + shape + " into " + k + " components is not defined");
        }
        NDManager store = x.getManager().newSubManager();
        try (NDManager scope = store.newSubManager()) {
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            x64.attach(scope);
            NDArray mean = x64.mean(new int[] {0}, true);
            NDArray centred = x64.sub(mean);
            NDArray covariance = centred.transpose().matMul(centred).div(n - 1.0);
            double trace = centred.pow(2).sum().getDouble() / (n - 1.0);
            int width = Math.min(d, k + OVERSAMPLE);
            double[][] q = orthonormalColumns(randomColumns(d, width, seed));
            double[] previous = new double[width];
            double[] ritz = previous;
            double[][] vectors = null;
            for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
                NDArray basis = scope.create(flatten(q), new Shape(d, width));
                double[][] z = unflatten(covariance.matMul(basis).toDoubleArray(), d, width);
                double[][] t = multiplyTransposed(q, z);
                SymmetricEigen eigen = SymmetricEigen.of(t);
                ritz = eigen.values();
                vectors = eigen.vectors();
                q = orthonormalColumns(z);
                if (converged(previous, ritz, k)) {
                    break;
                }
                previous = ritz;
            }
            double[][] rotated = multiply(q, vectors);
            double[] top = new double[k];
            double[] columns = new double[d * k];
            for (int c = 0; c < k; c++) {
                top[c] = Math.max(0, ritz[c]);
                for (int r = 0; r < d; r++) {
                    columns[r * k + c] = rotated[r][c];
                }
            }
            NDArray componentArray = store.create(columns, new Shape(d, k));
            mean.attach(store);
            return new Pca(store, mean, componentArray, top, trace);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Variance along each component, largest first. */
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    /** Share of the total variance along each component. */
    public double[] explainedVarianceRatio() {
        double[] ratio = new double[eigenvalues.length];
        for (int i = 0; i < ratio.length; i++) {
            ratio[i] = totalVariance > 0 ? eigenvalues[i] / totalVariance : 0;
        }
        return ratio;
    }

    /** {@code y} ([m, d]) in the fitted coordinates: rows are tokens, columns the components. */
    public double[][] project(NDArray y) {
        try (NDManager scope = store.newSubManager()) {
            NDArray y64 = y.toType(DataType.FLOAT64, true);
            y64.attach(scope);
            int m = Math.toIntExact(y.getShape().get(0));
            return unflatten(y64.sub(mean).matMul(components).toDoubleArray(), m, eigenvalues.length);
        }
    }

    @Override
    public void close() {
        store.close();
    }

    private static boolean converged(double[] previous, double[] current, int k) {
        for (int i = 0; i < k; i++) {
            if (Math.abs(current[i] - previous[i]) > TOLERANCE * Math.max(1, Math.abs(current[0]))) {
                return false;
            }
        }
        return true;
    }

    private static double[][] randomColumns(int rows, int columns, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int c = 0; c < columns; c++) {
                row[c] = random.nextDouble(-1, 1);
            }
        }
        return m;
    }

    /** Modified Gram-Schmidt, twice for stability; a column that vanishes is replaced by a fresh direction. */
    static double[][] orthonormalColumns(double[][] a) {
        int rows = a.length;
        int columns = a[0].length;
        double[][] q = new double[rows][];
        for (int r = 0; r < rows; r++) {
            q[r] = a[r].clone();
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int c = 0; c < columns; c++) {
                for (int p = 0; p < c; p++) {
                    double dot = 0;
                    for (double[] row : q) {
                        dot += row[c] * row[p];
                    }
                    for (double[] row : q) {
                        row[c] -= dot * row[p];
                    }
                }
                double norm = 0;
                for (double[] row : q) {
                    norm += row[c] * row[c];
                }
                norm = Math.sqrt(norm);
                if (norm < 1e-300) {
                    for (int r = 0; r < rows; r++) {
                        q[r][c] = r == c % rows ? 1 : 0;
                    }
                    c--;
                    continue;
                }
                for (double[] row : q) {
                    row[c] /= norm;
                }
            }
        }
        return q;
    }

    private static double[][] multiplyTransposed(double[][] a, double[][] b) {
        int n = a[0].length;
        double[][] out = new double[n][n];
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    out[i][j] += a[r][i] * b[r][j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double s = (out[i][j] + out[j][i]) / 2;
                out[i][j] = s;
                out[j][i] = s;
            }
        }
        return out;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int r = 0; r < a.length; r++) {
            for (int k = 0; k < b.length; k++) {
                for (int c = 0; c < b[0].length; c++) {
                    out[r][c] += a[r][k] * b[k][c];
                }
            }
        }
        return out;
    }

    private static double[] flatten(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int r = 0; r < m.length; r++) {
            System.arraycopy(m[r], 0, out, r * m[0].length, m[0].length);
        }
        return out;
    }

    private static double[][] unflatten(double[] v, int rows, int columns) {
        double[][] out = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(v, r * columns, out[r], 0, columns);
        }
        return out;
    }
}
