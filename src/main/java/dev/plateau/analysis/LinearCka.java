package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact linear CKA between every pair of a module's layers (eq. 3): with column-centred X, Y,
 * {@code CKA = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F) = <K, L>_F / (||K||_F ||L||_F)}, K = X X^T, L = Y Y^T.
 *
 * <p>Two exact routes, chosen by cost: in token space each layer's centred Gram matrix is formed once and all pairs
 * are inner products of Grams; since a Gram matrix is symmetric, only its block upper triangle is computed (the
 * off-diagonal blocks weighted by sqrt 2 so inner products still count them twice), which saves nearly half the
 * multiply-adds. In feature space each pair's cross-covariance X^T Y is formed. Products run in the layers'
 * precision (float32, or float64 for reference-grade results) on their device; centring and every sum of products
 * are taken in float64.
 */
public final class LinearCka {
    /** How the pairs are computed. */
    public enum Space { TOKEN, FEATURE }

    /** Token blocks per Gram matrix: the symmetric saving is (B + 1) / 2B of the full product. */
    private static final int MIN_BLOCK_ROWS = 256;
    private static final int MAX_BLOCKS = 8;
    /** Bound on the Gram triangles kept for all layers at once; beyond it feature space is used. */
    static final long TOKEN_SPACE_BYTES = 3L << 30;
    private static final long CHUNK = 1 << 20;

    private LinearCka() {
    }

    /** CKA for all pairs of {@code layers} (each [n, d_l], same n, finite values), by the cheaper exact route. */
    public static SimilarityMatrix allPairs(List<NDArray> layers) {
        Layers.check(layers);
        return allPairs(layers, cheaperSpace(layers.size(), layers.getFirst().getShape().get(0),
                layers.getFirst().getShape().get(1)));
    }

    /** The cheaper exact route for L layers of n tokens and width d, within the memory bound. */
    public static Space cheaperSpace(int layers, long n, long d) {
        int blocks = blocks(n);
        double half = (blocks + 1) / (2.0 * blocks);
        double token = layers * (double) n * n * d * half + (double) layers * layers * n * n * half;
        double feature = layers * (layers + 1) / 2.0 * n * (double) d * d;
        boolean fits = layers * (double) n * n * half * Float.BYTES <= TOKEN_SPACE_BYTES;
        return fits && token <= feature ? Space.TOKEN : Space.FEATURE;
    }

    public static SimilarityMatrix allPairs(List<NDArray> layers, Space space) {
        Layers.check(layers);
        try (NDManager scope = layers.getFirst().getManager().newSubManager()) {
            List<NDArray> centred = new ArrayList<>();
            for (NDArray layer : layers) {
                centred.add(centre(layer, scope));
            }
            double[][] hsic = space == Space.TOKEN ? tokenSpace(centred, scope) : featureSpace(centred, scope);
            return normalise(hsic, Metric.CKA);
        }
    }

    /**
     * Column-centred copy attached to {@code scope}: the mean taken and subtracted in float64, the result in the
     * input's precision (float64 input stays float64 throughout, for reference-grade results).
     */
    static NDArray centre(NDArray x, NDManager scope) {
        try (NDManager step = scope.newSubManager()) {
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            x64.attach(step);
            NDArray centred = x64.sub(x64.mean(new int[] {0}, true));
            if (x.getDataType() != DataType.FLOAT64) {
                centred = centred.toType(DataType.FLOAT32, false);
            }
            centred.attach(scope);
            return centred;
        }
    }

    private static int blocks(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, n / MIN_BLOCK_ROWS));
    }

    /** <K_i, K_j> from the block upper triangles of the centred Gram matrices. */
    private static double[][] tokenSpace(List<NDArray> centred, NDManager scope) {
        long n = centred.getFirst().getShape().get(0);
        int blocks = blocks(n);
        long rows = (n + blocks - 1) / blocks;
        List<NDArray> triangles = new ArrayList<>();
        for (NDArray x : centred) {
            try (NDManager step = scope.newSubManager()) {
                x.tempAttach(step);
                NDList parts = new NDList();
                for (long r0 = 0; r0 < n; r0 += rows) {
                    long r1 = Math.min(n, r0 + rows);
                    NDArray product = x.get(new NDIndex(r0 + ":" + r1))
                            .matMul(x.get(new NDIndex(r0 + ":")).transpose());
                    parts.add(product.get(new NDIndex(":, :" + (r1 - r0))).flatten());
                    if (r1 < n) {
                        parts.add(product.get(new NDIndex(":, " + (r1 - r0) + ":")).mul(Math.sqrt(2)).flatten());
                    }
                }
                NDArray triangle = NDArrays.concat(parts);
                triangle.attach(scope);
                triangles.add(triangle);
            }
        }
        return innerProducts(triangles, scope);
    }

    /** Gram matrix of 1-D vectors (all the same length), float64 sums over chunks. */
    static double[][] innerProducts(List<NDArray> vectors, NDManager scope) {
        int count = vectors.size();
        long length = vectors.getFirst().getShape().get(0);
        double[][] out = new double[count][count];
        for (long c0 = 0; c0 < length; c0 += CHUNK) {
            long c1 = Math.min(length, c0 + CHUNK);
            try (NDManager step = scope.newSubManager()) {
                NDList rows = new NDList();
                for (NDArray v : vectors) {
                    NDArray row = v.get(new NDIndex(c0 + ":" + c1));
                    row.attach(step);
                    rows.add(row);
                }
                NDArray stacked = NDArrays.stack(rows).toType(DataType.FLOAT64, false);
                double[] g = stacked.matMul(stacked.transpose()).toDoubleArray();
                for (int i = 0; i < count; i++) {
                    for (int j = 0; j < count; j++) {
                        out[i][j] += g[i * count + j];
                    }
                }
            }
        }
        return out;
    }

    /** <K_i, K_j> = ||X_i^T X_j||_F^2 from cross-covariances, the symmetric half only. */
    private static double[][] featureSpace(List<NDArray> centred, NDManager scope) {
        int count = centred.size();
        double[][] out = new double[count][count];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j <= i; j++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray a = centred.get(i).transpose();
                    a.attach(step);
                    NDArray cross = a.matMul(centred.get(j)).toType(DataType.FLOAT64, false);
                    out[i][j] = cross.mul(cross).sum().getDouble();
                    out[j][i] = out[i][j];
                }
            }
        }
        return out;
    }

    /**
     * CKA_ij = h_ij / sqrt(h_ii h_jj), clamped to [0, 1] against rounding. A layer with zero variance (h_ii = 0, every
     * token the same vector) has no defined CKA: it gets 0 against other layers and 1 against itself, with a note.
     */
    static SimilarityMatrix normalise(double[][] hsic, Metric metric) {
        int count = hsic.length;
        double[][] cka = new double[count][count];
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!(hsic[i][i] > 0)) {
                notes.add("layer " + i + " has zero variance (every token maps to the same vector): its " + metric.code()
                        + " is set to 0 against other layers");
            }
        }
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < count; j++) {
                double denominator = Math.sqrt(hsic[i][i] * hsic[j][j]);
                double value = i == j ? 1 : hsic[i][i] > 0 && hsic[j][j] > 0 ? hsic[i][j] / denominator : 0;
                cka[i][j] = Math.min(1, Math.max(0, value));
            }
        }
        return new SimilarityMatrix(metric, cka, notes);
    }
}
