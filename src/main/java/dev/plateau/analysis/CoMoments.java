package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The sufficient statistics of exact linear CKA over a set of tokens, for chosen pairs of a module's layers: the token
 * count n, each layer's mean and the centred cross-products C_ij = X_i^T X_j (X_l: the layer's states minus their
 * mean). Then {@code <K_i, K_j>_F = ||C_ij||_F^2} and CKA_ij = ||C_ij||_F^2 / (||C_ii||_F ||C_jj||_F), eq. 3 over
 * every token ever added.
 *
 * <p>Fed batch by batch and merged across disjoint token sets exactly, by the pairwise update of Chan, Golub and
 * LeVeque: C = C_a + C_b + (n_a n_b / n) (mu_a - mu_b)(nu_a - nu_b)^T. A batch is centred on its own mean before its
 * product is formed, so no large mean cancels inside a float32 product; the statistics are kept in float64 on the
 * device of the states.
 */
final class CoMoments implements AutoCloseable {
    /** Widths from which a layer's product with itself is formed from its symmetric blocks. */
    static final long SPLIT_WIDTH = 256;
    private final int layers;
    private final List<LayerPair> pairs;
    private final NDManager store;
    private final NDArray[] means;
    private final Map<LayerPair, NDArray> products = new LinkedHashMap<>();
    private long count;

    /**
     * Statistics of {@code pairs} of {@code layers} layers of {@code width} features, allocated (zeros) at once: a run
     * that cannot hold its statistics fails before its first forward pass, and memory does not grow as tokens come.
     */
    CoMoments(int layers, long width, List<LayerPair> pairs, NDManager manager) {
        this.layers = layers;
        this.pairs = List.copyOf(pairs);
        this.store = manager.newSubManager();
        this.means = new NDArray[layers];
        for (LayerPair p : this.pairs) {
            for (int l : new int[] {p.earlier(), p.later()}) {
                if (means[l] == null) {
                    means[l] = store.zeros(new Shape(width), DataType.FLOAT64);
                }
            }
            products.put(p, store.zeros(new Shape(width, width), DataType.FLOAT64));
        }
    }

    long count() {
        return count;
    }

    List<LayerPair> pairs() {
        return pairs;
    }

    /**
     * Adds a batch of {@code n} tokens; {@code rows.apply(l)} gives layer l's [n, d_l] states (float32 or float64),
     * asked for at most once per layer, and closed after use when {@code owned}. Each pair's product is folded in as
     * soon as it is formed, and each centred layer is dropped once no later pair needs it: beyond the statistics, a
     * batch holds one product and the centred layers still to be paired.
     */
    void add(IntFunction<NDArray> rows, long n, boolean owned) {
        if (n == 0) {
            return;
        }
        Map<Integer, Integer> lastUse = new HashMap<>();
        for (LayerPair p : pairs) {
            lastUse.merge(p.earlier(), p.later(), Math::max);
            lastUse.merge(p.later(), p.later(), Math::max);
        }
        try (NDManager step = store.newSubManager()) {
            NDArray[] batchMeans = new NDArray[layers];
            NDArray[] offsets = new NDArray[layers];
            Map<Integer, NDArray> centred = new HashMap<>();
            for (int i = 0; i < layers; i++) {
                if (!lastUse.containsKey(i)) {
                    continue;
                }
                NDArray x = rows.apply(i);
                // centred on the mean in the states' precision; the centred rows' own small mean then gives the
                // mean in float64 and the product's exact correction (no float64 copy of the states is made)
                NDArray rough = Scoped.apply(x, step, a -> a.mean(new int[] {0}));
                NDArray c = Scoped.apply(x, step, a -> a.sub(rough));
                NDArray offset = Scoped.apply(c, step, a -> a.mean(new int[] {0}).toType(DataType.FLOAT64, false));
                offsets[i] = offset;
                batchMeans[i] = Scoped.apply(rough, step, a -> a.toType(DataType.FLOAT64, false).add(offset));
                centred.put(i, c);
                if (owned) {
                    x.close();
                }
                for (LayerPair p : pairs) {
                    if (p.later() == i) {
                        NDArray earlier = centred.get(p.earlier());
                        NDArray earlierOffset = offsets[p.earlier()];
                        try (NDManager pairStep = step.newSubManager()) {
                            boolean self = p.earlier() == i;
                            NDArray correction = Scoped.apply(offset, pairStep, o -> o.reshape(-1, 1)
                                    .matMul(earlierOffset.reshape(1, -1)).mul(n));
                            NDArray product = Scoped.apply(c, pairStep, a -> (self ? gram(a)
                                    : a.transpose().matMul(earlier)).toType(DataType.FLOAT64, false)
                                    .subi(correction));
                            foldPair(p, product, batchMeans, n);
                        }
                    }
                }
                for (int j = 0; j <= i; j++) {
                    if (centred.containsKey(j) && lastUse.get(j) <= i) {
                        centred.remove(j).close();
                    }
                }
            }
            foldMeans(batchMeans, n);
        }
    }

    /**
     * X^T X of [n, d] states, symmetric: with X = [A B] split at d / 2, from A^T A, A^T B and B^T B, 3/4 of a full
     * product's multiply-adds (a width under {@link #SPLIT_WIDTH} is multiplied whole).
     */
    static NDArray gram(NDArray x) {
        long d = x.getShape().get(1);
        if (d < SPLIT_WIDTH) {
            return x.transpose().matMul(x);
        }
        NDArray a = x.get(new NDIndex(":, :" + d / 2));
        NDArray b = x.get(new NDIndex(":, " + d / 2 + ":"));
        NDArray ab = a.transpose().matMul(b);
        return NDArrays.concat(new NDList(NDArrays.concat(new NDList(a.transpose().matMul(a), ab), 1),
                NDArrays.concat(new NDList(ab.transpose(), b.transpose().matMul(b)), 1)), 0);
    }

    /** Adds another accumulator's tokens (disjoint from these, same layers and pairs). */
    void merge(CoMoments other) {
        if (!other.pairs.equals(pairs) || other.layers != layers) {
            throw new IllegalArgumentException("statistics of different layer pairs cannot be merged");
        }
        if (other.count == 0) {
            return;
        }
        fold(other.means, other.count, other.products::get);
    }

    private void fold(NDArray[] batchMeans, long n, Function<LayerPair, NDArray> batchProducts) {
        for (LayerPair p : pairs) {
            foldPair(p, batchProducts.apply(p), batchMeans, n);
        }
        foldMeans(batchMeans, n);
    }

    /** Adds pair p's centred product of {@code n} new tokens with means {@code batchMeans}, before the means move. */
    private void foldPair(LayerPair p, NDArray product, NDArray[] batchMeans, long n) {
        long before = count;
        products.get(p).addi(product);
        if (before == 0) {
            return;
        }
        long total = before + n;
        NDArray mj = means[p.earlier()];
        NDArray mi = means[p.later()];
        try (NDManager step = store.newSubManager()) {
            NDArray deltaJ = Scoped.apply(batchMeans[p.earlier()], step, b -> b.sub(mj).reshape(1, -1));
            NDArray between = Scoped.apply(batchMeans[p.later()], step, di -> di.sub(mi).reshape(-1, 1)
                    .matMul(deltaJ).mul((double) before * n / total));
            products.get(p).addi(between);
        }
    }

    /** Moves the means and the count on by {@code n} tokens, once every pair of them is folded in. */
    private void foldMeans(NDArray[] batchMeans, long n) {
        long before = count;
        long total = before + n;
        for (int l = 0; l < layers; l++) {
            if (batchMeans[l] == null) {
                continue;
            }
            NDArray mean = means[l];
            try (NDManager step = store.newSubManager()) {
                mean.addi(Scoped.apply(batchMeans[l], step, b -> b.sub(mean).mul((double) n / total)));
            }
        }
        count = total;
    }

    /** ||C_ij||_F^2 for each kept pair, symmetric; NaN where the pair is not kept. */
    double[][] frobenius() {
        double[][] out = nanMatrix(layers);
        for (Map.Entry<LayerPair, NDArray> e : products.entrySet()) {
            double v = squaredNorm(e.getValue());
            out[e.getKey().later()][e.getKey().earlier()] = v;
            out[e.getKey().earlier()][e.getKey().later()] = v;
        }
        return out;
    }

    /**
     * ||C_ij||_F^2 of the union of disjoint token sets, each with the same pairs, without materialising the pooled
     * statistics: C = sum_t (C_t + n_t (mu_t,i - mu_i)(mu_t,j - mu_j)^T), formed one pair at a time.
     */
    static double[][] pooledFrobenius(List<CoMoments> parts, int layers) {
        List<CoMoments> filled = parts.stream().filter(p -> p.count > 0).toList();
        if (filled.isEmpty()) {
            return nanMatrix(layers);
        }
        if (filled.size() == 1) {
            return filled.getFirst().frobenius();
        }
        double[][] out = nanMatrix(layers);
        long total = filled.stream().mapToLong(CoMoments::count).sum();
        try (NDManager scope = filled.getFirst().store.newSubManager()) {
            NDArray[] pooledMeans = new NDArray[layers];
            for (int l = 0; l < layers; l++) {
                if (filled.getFirst().means[l] == null) {
                    continue;
                }
                NDArray sum = scope.zeros(filled.getFirst().means[l].getShape(), DataType.FLOAT64);
                for (CoMoments part : filled) {
                    sum.addi(Scoped.apply(part.means[l], scope, m -> m.mul((double) part.count / total)));
                }
                pooledMeans[l] = sum;
            }
            for (LayerPair p : filled.getFirst().pairs) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray pooled = step.zeros(filled.getFirst().products.get(p).getShape(), DataType.FLOAT64);
                    for (CoMoments part : filled) {
                        NDArray mj = pooledMeans[p.earlier()];
                        NDArray mi = pooledMeans[p.later()];
                        NDArray deltaJ = Scoped.apply(part.means[p.earlier()], step, m -> m.sub(mj).reshape(1, -1));
                        pooled.addi(part.products.get(p));
                        pooled.addi(Scoped.apply(part.means[p.later()], step, di -> di.sub(mi).reshape(-1, 1)
                                .matMul(deltaJ).mul((double) part.count)));
                    }
                    double v = squaredNorm(pooled);
                    out[p.later()][p.earlier()] = v;
                    out[p.earlier()][p.later()] = v;
                }
            }
        }
        return out;
    }

    /** The statistics as named float64 tensors, for a statistics file. */
    void save(String prefix, Map<String, NDArray> out) {
        if (count == 0) {
            return;
        }
        for (int l = 0; l < layers; l++) {
            if (means[l] != null) {
                out.put(prefix + "mean" + l, means[l]);
            }
        }
        products.forEach((p, c) -> out.put(prefix + "c" + p.key(), c));
    }

    /** Restores what {@link #save} wrote, for {@code count} tokens; the arrays are copied into this accumulator. */
    void load(String prefix, Map<String, NDArray> in, long tokens) {
        if (tokens == 0) {
            return;
        }
        NDArray[] loadedMeans = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            loadedMeans[l] = in.get(prefix + "mean" + l);
        }
        Map<LayerPair, NDArray> loaded = new HashMap<>();
        for (LayerPair p : pairs) {
            NDArray c = in.get(prefix + "c" + p.key());
            if (c == null) {
                throw new IllegalArgumentException("statistics '" + prefix + "c" + p.key() + "' missing");
            }
            loaded.put(p, c);
        }
        fold(loadedMeans, tokens, loaded::get);
    }

    private static double squaredNorm(NDArray a) {
        return Scoped.scalar(a, x -> x.mul(x).sum());
    }

    static double[][] nanMatrix(int layers) {
        double[][] out = new double[layers][layers];
        for (double[] row : out) {
            Arrays.fill(row, Double.NaN);
        }
        return out;
    }

    @Override
    public void close() {
        store.close();
    }
}
