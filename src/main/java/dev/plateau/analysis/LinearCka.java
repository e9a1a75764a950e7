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
    private static final int MAX_BLOCKS = 16;
    /** Bound on the Gram triangles kept for all layers at once; beyond it feature space is used. */
    static final long TOKEN_SPACE_BYTES = 3L << 30;
    /** Columns per float32 product in {@link #innerProducts}: short enough that float32 sums stay accurate. */
    private static final long CHUNK = 1 << 14;

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
     * CKA for all pairs of states that are already centred (by any weighting of their tokens, e.g. a weighted sample's
     * sqrt(w_t) (x_t - mu_w)), by the cheaper exact route; nothing is centred again.
     */
    static SimilarityMatrix ofCentred(List<NDArray> centred) {
        Layers.check(centred);
        Space space = cheaperSpace(centred.size(), centred.getFirst().getShape().get(0),
                centred.getFirst().getShape().get(1));
        try (NDManager scope = centred.getFirst().getManager().newSubManager()) {
            return normalise(space == Space.TOKEN ? tokenSpace(centred, scope) : featureSpace(centred, scope),
                    Metric.CKA);
        }
    }

    /**
     * Column-centred copy attached to {@code scope}, in the input's precision: float64 input is centred in float64
     * (reference-grade results); float32 input with its float32 column means (libtorch sums in cascades, so the
     * means are accurate to a few ulps), which avoids two full-size float64 copies per layer.
     */
    static NDArray centre(NDArray x, NDManager scope) {
        try (NDManager step = scope.newSubManager()) {
            NDArray mean = x.mean(new int[] {0}, true);
            mean.attach(step);
            NDArray centred = x.sub(mean);
            centred.attach(scope);
            return centred;
        }
    }

    private static int blocks(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, n / MIN_BLOCK_ROWS));
    }

    /**
     * <K_i, K_j> from the block upper triangles of the centred Gram matrices, one block row at a time for all layers
     * (memory: one block row of every layer, not whole Gram matrices). Over a block row's computed entries P and its
     * diagonal block D, the row contributes 2 <P_i, P_j> - <D_i, D_j>: off-diagonal blocks count twice, the
     * (symmetric) diagonal block once.
     */
    private static double[][] tokenSpace(List<NDArray> centred, NDManager scope) {
        int count = centred.size();
        long n = centred.getFirst().getShape().get(0);
        long rows = (n + blocks(n) - 1) / blocks(n);
        double[][] out = new double[count][count];
        for (long r0 = 0; r0 < n; r0 += rows) {
            long r1 = Math.min(n, r0 + rows);
            try (NDManager step = scope.newSubManager()) {
                List<NDArray> products = new ArrayList<>();
                List<NDArray> diagonals = new ArrayList<>();
                for (NDArray x : centred) {
                    NDArray top = x.get(new NDIndex(r0 + ":" + r1));
                    NDArray rest = x.get(new NDIndex(r0 + ":"));
                    top.attach(step);
                    rest.attach(step);
                    NDArray product = top.matMul(rest.transpose());
                    products.add(product.reshape(-1));
                    diagonals.add(product.get(new NDIndex(":, :" + (r1 - r0))).reshape(-1));
                }
                double[][] full = innerProducts(products, step);
                double[][] diagonal = innerProducts(diagonals, step);
                for (int i = 0; i < count; i++) {
                    for (int j = 0; j < count; j++) {
                        out[i][j] += 2 * full[i][j] - diagonal[i][j];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Gram matrix of equally long 1-D vectors: each chunk of {@value #CHUNK} entries is stacked and multiplied in the
     * vectors' precision (short enough that float32 sums stay accurate, and small buffers that the allocator reuses),
     * the chunks are summed in float64.
     */
    static double[][] innerProducts(List<NDArray> vectors, NDManager scope) {
        int count = vectors.size();
        long length = vectors.getFirst().getShape().get(0);
        double[][] out = new double[count][count];
        for (long c0 = 0; c0 < length; c0 += CHUNK) {
            String range = c0 + ":" + Math.min(length, c0 + CHUNK);
            try (NDManager step = scope.newSubManager()) {
                NDArray rows = NDArrays.stack(slices(vectors, range, step));
                double[] g = rows.matMul(rows.transpose()).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int i = 0; i < count; i++) {
                    for (int j = 0; j < count; j++) {
                        out[i][j] += g[i * count + j];
                    }
                }
            }
        }
        return out;
    }

    /** The same slice ({@code range} of the first axis, e.g. {@code 0:512}) of every array, attached to {@code scope}. */
    static NDList slices(List<NDArray> arrays, String range, NDManager scope) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray part = a.get(new NDIndex(range));
            part.attach(scope);
            out.add(part);
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
