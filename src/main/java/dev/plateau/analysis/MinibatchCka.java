package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Unbiased minibatch linear CKA (Nguyen, Raghu and Kornblith 2021) as a streaming accumulator: it is fed one
 * (layer, batch) of hidden states at a time, in any order, with the same tokens in batch b for every layer, and keeps
 * only each batch's U-centred Gram matrix (b x b), never all tokens of all layers.
 *
 * <p>Per batch of n tokens: K~ = K with its diagonal zeroed; m_j = sum_i K~_ij / (n - 2) - sum K~ / (2 (n - 1)(n - 2));
 * K_U = K~ - m 1^T - 1 m^T with a zero diagonal; HSIC_1(K, L) = <K_U, L_U>_F / (n (n - 3)). Then
 * CKA_ij = sum_b HSIC_1(K_b^i, K_b^j) / sqrt(sum_b HSIC_1(K_b^i, K_b^i) sum_b HSIC_1(K_b^j, K_b^j)). The estimator can
 * be negative or exceed 1 on few tokens: results are clamped to [0, 1] and the clamping is reported.
 */
public final class MinibatchCka implements AutoCloseable {
    private final int layers;
    private final NDManager store;
    private final Map<Integer, Map<Integer, NDArray>> centredGrams = new HashMap<>();
    private final double[][] hsic;
    private NDArray offDiagonal;

    /** An accumulator for {@code layers} layers whose Gram matrices live in a sub-manager of {@code manager}. */
    public MinibatchCka(int layers, NDManager manager) {
        this.layers = layers;
        this.store = manager.newSubManager();
        this.hsic = new double[layers][layers];
    }

    /** Feeds batch {@code batch} of layer {@code layer}: [n, d] hidden states, n >= 4, the batch's tokens. */
    public void add(int layer, int batch, NDArray states) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (layers - 1));
        }
        long n = states.getShape().get(0);
        if (n < 4) {
            throw new IllegalArgumentException("a minibatch needs at least 4 tokens, batch " + batch + " has " + n);
        }
        Map<Integer, NDArray> ofBatch = centredGrams.computeIfAbsent(batch, b -> new HashMap<>());
        if (ofBatch.containsKey(layer)) {
            throw new IllegalArgumentException("layer " + layer + " batch " + batch + " was already added");
        }
        NDArray u = uCentredGram(states);
        for (Map.Entry<Integer, NDArray> other : ofBatch.entrySet()) {
            if (other.getValue().getShape().get(0) != n) {
                throw new IllegalArgumentException("batch " + batch + " has " + n + " tokens in layer " + layer
                        + " but " + other.getValue().getShape().get(0) + " in layer " + other.getKey());
            }
            double h = dot(u, other.getValue()) / (n * (n - 3.0));
            hsic[layer][other.getKey()] += h;
            hsic[other.getKey()][layer] += h;
        }
        hsic[layer][layer] += dot(u, u) / (n * (n - 3.0));
        ofBatch.put(layer, u);
    }

    /**
     * Feeds one minibatch of every layer at once ({@code layers.get(l)}: [n, d] states of layer l, the same n >= 4
     * tokens in every layer): the U-centred Gram matrices of all layers are formed as one stack, in place, and every
     * pair's HSIC_1 as one product of the flattened stack, which spares most of the per-layer work of {@link #add}.
     */
    public void addAll(List<NDArray> states) {
        if (states.size() != layers) {
            throw new IllegalArgumentException(states.size() + " layers given, " + layers + " expected");
        }
        long n = states.getFirst().getShape().get(0);
        if (n < 4) {
            throw new IllegalArgumentException("a minibatch needs at least 4 tokens, not " + n);
        }
        double[] h;
        try (NDManager step = store.newSubManager()) {
            NDArray x = NDArrays.stack(new NDList(states));
            x.attach(step);
            NDArray offDiagonal = offDiagonal(n);
            NDArray u = x.matMul(x.transpose(0, 2, 1)).toType(DataType.FLOAT64, false).muli(offDiagonal);
            NDArray total = u.sum(new int[] {1, 2}, true);
            NDArray m = u.sum(new int[] {1}, true).divi(n - 2.0).subi(total.divi(2.0 * (n - 1) * (n - 2)));
            u.subi(m).subi(m.transpose(0, 2, 1)).muli(offDiagonal);
            NDArray flat = u.reshape(layers, n * n);
            h = flat.matMul(flat.transpose()).divi(n * (n - 3.0)).toDoubleArray();
        }
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                hsic[i][j] += h[i * layers + j];
            }
        }
    }

    /** Drops the Gram matrices of a batch all of whose layers have been added, to bound memory. */
    public void finishBatch(int batch) {
        Map<Integer, NDArray> grams = centredGrams.get(batch);
        if (grams != null) {
            grams.values().forEach(NDArray::close);
            grams.clear();
        }
    }

    /** Adds another accumulator's sums (minibatches disjoint from these); its pending Gram matrices are ignored. */
    public void merge(MinibatchCka other) {
        addSums(other.hsic);
    }

    /** The running sums of HSIC_1 over minibatches, [layers][layers], for a statistics file. */
    double[][] sums() {
        double[][] copy = new double[layers][];
        for (int i = 0; i < layers; i++) {
            copy[i] = hsic[i].clone();
        }
        return copy;
    }

    /** Adds sums that {@link #sums()} gave. */
    void addSums(double[][] sums) {
        if (sums.length != layers) {
            throw new IllegalArgumentException("minibatch sums of " + sums.length + " layers, " + layers + " expected");
        }
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                hsic[i][j] += sums[i][j];
            }
        }
    }

    /** The CKA matrix from everything added so far. */
    public SimilarityMatrix result() {
        double[][] copy = new double[layers][];
        for (int i = 0; i < layers; i++) {
            copy[i] = hsic[i].clone();
        }
        List<String> notes = new ArrayList<>();
        int clamped = 0;
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                if (i != j && copy[i][i] > 0 && copy[j][j] > 0) {
                    double v = copy[i][j] / Math.sqrt(copy[i][i] * copy[j][j]);
                    clamped += v < 0 || v > 1 ? 1 : 0;
                }
            }
        }
        SimilarityMatrix m = LinearCka.normalise(copy, Metric.CKA_MINIBATCH);
        notes.addAll(m.notes());
        if (clamped > 0) {
            notes.add(clamped / 2 + " layer pairs had an unbiased estimate outside [0, 1] (too few tokens per batch?) "
                    + "and were clamped");
        }
        return new SimilarityMatrix(Metric.CKA_MINIBATCH, m.values(), notes);
    }

    /**
     * Minibatch CKA of whole layers ([n, d] each, same n): tokens split into batches of {@code batchSize} in a
     * seeded random order shared by all layers (a last batch under 4 tokens is dropped).
     */
    public static SimilarityMatrix allPairs(List<NDArray> layers, int batchSize, long seed) {
        Layers.check(layers);
        long n = layers.getFirst().getShape().get(0);
        int[] order = permutation((int) n, seed);
        try (MinibatchCka acc = new MinibatchCka(layers.size(), layers.getFirst().getManager());
             NDManager scope = layers.getFirst().getManager().newSubManager()) {
            NDArray index = scope.create(Arrays.stream(order).asLongStream().toArray());
            for (int start = 0; start + 4 <= n; start += batchSize) {
                NDArray rows = index.get(new NDIndex(start + ":" + Math.min(n, start + batchSize)));
                try (NDManager step = scope.newSubManager()) {
                    List<NDArray> batch = new ArrayList<>();
                    for (NDArray layer : layers) {
                        NDArray x = layer.get(new NDIndex("{}", rows));
                        x.attach(step);
                        batch.add(x);
                    }
                    acc.addAll(batch);
                }
            }
            return acc.result();
        }
    }

    private static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * K_U of a batch, attached to the store and kept in the states' precision (a float32 sample's L Gram matrices take
     * half the memory). The Gram matrix is formed in the states' precision (float32 products summed by the GEMM, as
     * the exact route does), then centred in float64.
     */
    private NDArray uCentredGram(NDArray x) {
        long n = x.getShape().get(0);
        try (NDManager step = store.newSubManager()) {
            NDArray u = Scoped.apply(x, step, a -> a.matMul(a.transpose()).toType(DataType.FLOAT64, false));
            NDArray offDiagonal = offDiagonal(n);
            u.muli(offDiagonal);
            NDArray total = u.sum();
            NDArray m = u.sum(new int[] {0}, true).divi(n - 2.0).subi(total.divi(2.0 * (n - 1) * (n - 2)));
            u.subi(m).subi(m.transpose()).muli(offDiagonal);
            NDArray out = u.toType(x.getDataType(), false);
            out.attach(store);
            return out;
        }
    }

    /**
     * 1 - I for {@code n} tokens, in float64, made once per size: the per-layer route centres one n x n matrix after
     * another in place, and a fresh matrix of that size each time costs its page faults again.
     */
    private NDArray offDiagonal(long n) {
        if (offDiagonal == null || offDiagonal.getShape().get(0) != n) {
            if (offDiagonal != null) {
                offDiagonal.close();
            }
            offDiagonal = store.eye((int) n, (int) n, 0, DataType.FLOAT64).muli(-1).addi(1);
        }
        return offDiagonal;
    }

    private static double dot(NDArray a, NDArray b) {
        try (NDManager step = a.getManager().newSubManager()) {
            NDArray p = a.mul(b);
            p.attach(step);
            NDArray s = p.sum().toType(DataType.FLOAT64, false);
            s.attach(step);
            return s.getDouble();
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
