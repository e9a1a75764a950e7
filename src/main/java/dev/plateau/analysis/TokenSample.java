package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A bounded, seeded sample of a module's tokens, stratified by token type, with the states of every layer (and the
 * module's input) of each sampled token: for the PCA preview and for the heatmap's estimate of pairs whose exact
 * statistics are not kept.
 *
 * <p>Bottom-k sampling: every token has a key, a uniform number fixed by the seed and the token's identity (sample,
 * position); each type keeps the {@code quota} tokens with the smallest keys seen so far. That is a uniform sample
 * without replacement of the type's tokens, independent of how the stream is cut into batches; two samples of
 * disjoint streams merge exactly; and a pruned model run on the same samples keeps the same tokens. Kept tokens are
 * listed in key order, so the same tokens are always listed in the same order (they are held in the order they came,
 * each new one in the row of the token it pushed out). The quota is the module's sample budget
 * split among its token types (see {@link StatisticsSettings#sampleQuota}).
 */
final class TokenSample implements AutoCloseable {
    /** Largest finite float16. */
    private static final double HALF_MAX = 65504;
    private final int slots;
    private final int quota;
    private final NDManager store;
    private final double[][] keys;
    private final NDArray[][] states;
    private final long[] seen;
    /**
     * Whether the sampled states of types with dropped tokens fit float16. Such a type is held in float16: half of
     * float32's memory for a budget that is the only part of a run's memory that grows with its samples; a state's
     * relative rounding error is at most 2^-11, far below the sampling error of what is computed from it (the PCA
     * preview, the heatmap's estimate). A type whose every token is kept is held in float32, so CKA of it stays exact.
     * A state beyond float16's range (the massive activations some decoders have) turns the module's whole sample to
     * float32 for the rest of the run.
     */
    private boolean halfFits = true;

    /**
     * @param slots layers recorded per token: the module's layers, plus one for its input when captured
     * @param quota tokens kept per type
     */
    TokenSample(int slots, int quota, NDManager manager) {
        this.slots = slots;
        this.quota = quota;
        this.store = manager.newSubManager();
        int types = TokenType.values().length;
        this.keys = new double[types][0];
        this.states = new NDArray[types][];
        this.seen = new long[types];
    }

    /**
     * Offers a batch: {@code rows.get(s)} is slot s's [n, d] states, {@code types} and {@code tokenKeys} each token's
     * type code and key. A kept token stays in its row: a batch's chosen tokens take the rows of the tokens they push
     * out (written in place), or new rows while the type is under its quota, so a batch costs its new tokens, not the
     * whole sample again.
     */
    void add(List<NDArray> rows, byte[] types, double[] tokenKeys) {
        for (TokenType type : TokenType.values()) {
            int t = type.ordinal();
            int[] batchRows = IntStream.range(0, types.length).filter(r -> types[r] == type.code()).toArray();
            if (batchRows.length == 0) {
                continue;
            }
            seen[t] += batchRows.length;
            int kept = keys[t].length;
            double[] candidates = Arrays.copyOf(keys[t], kept + batchRows.length);
            for (int r = 0; r < batchRows.length; r++) {
                candidates[kept + r] = tokenKeys[batchRows[r]];
            }
            boolean[] chosen = new boolean[candidates.length];
            IntStream.range(0, candidates.length).boxed().sorted(Comparator.comparingDouble(c -> candidates[c]))
                    .limit(quota).forEach(c -> chosen[c] = true);
            int[] entering = IntStream.range(kept, candidates.length).filter(c -> chosen[c]).toArray();
            int[] freed = IntStream.range(0, kept).filter(c -> !chosen[c]).toArray();
            DataType target = seen[t] <= quota || !halfFits ? DataType.FLOAT32 : DataType.FLOAT16;
            if (entering.length > 0) {
                place(t, rows, entering, freed, kept, batchRows, target);
                double[] next = Arrays.copyOf(keys[t], kept + entering.length - freed.length);
                for (int e = 0; e < entering.length; e++) {
                    next[e < freed.length ? freed[e] : kept + e - freed.length] = candidates[entering[e]];
                }
                keys[t] = next;
            }
            if (target == DataType.FLOAT16 && states[t][0].getDataType() == DataType.FLOAT32) {
                for (int s = 0; s < slots; s++) {
                    states[t][s] = narrow(states[t][s]);
                }
                if (!halfFits) {
                    toFloat32(states[t]);
                }
            }
        }
    }

    /**
     * Writes the batch's entering tokens (candidate positions {@code entering}, from {@code kept} on) of type t: the
     * first into the rows {@code freed} of pushed-out tokens, in place, the rest as new rows at the end.
     */
    private void place(int t, List<NDArray> rows, int[] entering, int[] freed, int kept, int[] batchRows,
                       DataType target) {
        long[] replacing = Arrays.stream(entering, 0, freed.length).mapToLong(c -> batchRows[c - kept]).toArray();
        long[] appending = Arrays.stream(entering, freed.length, entering.length).mapToLong(c -> batchRows[c - kept])
                .toArray();
        if (states[t] == null) {
            states[t] = new NDArray[slots];
        }
        try (NDManager step = store.newSubManager()) {
            NDArray into = step.create(Arrays.stream(freed).asLongStream().toArray());
            NDArray takeReplacing = step.create(replacing);
            NDArray takeAppending = step.create(appending);
            for (int s = 0; s < slots; s++) {
                DataType type = states[t][s] == null ? target : states[t][s].getDataType();
                if (replacing.length > 0) {
                    NDArray fresh = Scoped.apply(rows.get(s), step, x -> fit(x.get(new NDIndex("{}", takeReplacing)),
                            type));
                    // read after fit: a state beyond float16's range has widened every held array meanwhile
                    states[t][s].set(new NDIndex("{}", into), fresh);
                }
                if (appending.length > 0) {
                    NDArray fresh = Scoped.apply(rows.get(s), step, x -> fit(x.get(new NDIndex("{}", takeAppending)),
                            type));
                    NDArray held = states[t][s];
                    states[t][s] = held == null ? Scoped.apply(fresh, store, NDArray::duplicate)
                            : Scoped.apply(held, store, h -> NDArrays.concat(new NDList(h, fresh)));
                    if (held != null) {
                        held.close();
                    }
                }
            }
        }
    }

    /**
     * New states in the type's precision: float16 only while they fit it (a state beyond its range widens the whole
     * sample for good, and the new states stay float32).
     */
    private NDArray fit(NDArray fresh, DataType type) {
        NDArray single = fresh.toType(DataType.FLOAT32, false);
        if (type != DataType.FLOAT16 || !halfFits) {
            return single;
        }
        if (halfFits && beyondHalf(single)) {
            widen();
            return single;
        }
        return single.toType(DataType.FLOAT16, false);
    }

    /**
     * {@code array} (float32, owned here) as a type with dropped tokens is held: in float16 while every state fits it,
     * one slot at a time so that no float32 copy of a whole type is ever held; a value beyond float16's range widens
     * the whole sample for good (the caller then widens the slots it narrowed).
     */
    private NDArray narrow(NDArray array) {
        if (halfFits && beyondHalf(array)) {
            widen();
        }
        if (!halfFits) {
            return array;
        }
        NDArray half = Scoped.apply(array, store, x -> x.toType(DataType.FLOAT16, true));
        array.close();
        return half;
    }

    private static boolean beyondHalf(NDArray states) {
        return Scoped.scalar(states, x -> x.abs().max().toType(DataType.FLOAT64, false)) > HALF_MAX;
    }

    /** Holds every kept state in float32 from now on. */
    private void widen() {
        halfFits = false;
        for (NDArray[] type : states) {
            if (type != null) {
                toFloat32(type);
            }
        }
    }

    /** Each of {@code arrays} in float32, in place. */
    private void toFloat32(NDArray[] arrays) {
        for (int s = 0; s < arrays.length; s++) {
            if (arrays[s] != null && arrays[s].getDataType() != DataType.FLOAT32) {
                NDArray half = arrays[s];
                arrays[s] = Scoped.apply(half, store, x -> x.toType(DataType.FLOAT32, true));
                half.close();
            }
        }
    }

    /** Adds another sample of a disjoint stream (same slots, same quota). */
    void merge(TokenSample other) {
        for (TokenType type : TokenType.values()) {
            int t = type.ordinal();
            if (other.keys[t].length == 0) {
                continue;
            }
            byte[] codes = new byte[other.keys[t].length];
            Arrays.fill(codes, type.code());
            // the other's dropped tokens count as seen before its kept ones are offered
            seen[t] += other.seen[t] - other.keys[t].length;
            add(Arrays.asList(other.states[t]), codes, other.keys[t]);
        }
    }

    /** Tokens of {@code type} offered so far. */
    long seen(TokenType type) {
        return seen[type.ordinal()];
    }

    /** Tokens of {@code type} kept. */
    int kept(TokenType type) {
        return keys[type.ordinal()].length;
    }

    /** Whether every token of these types is kept: the sample is then the whole set. */
    boolean complete(List<TokenType> of) {
        return of.stream().allMatch(t -> kept(t) == seen(t));
    }

    /** Bytes the kept states take. */
    long bytes() {
        return Arrays.stream(states).filter(Objects::nonNull).flatMap(Arrays::stream)
                .mapToLong(x -> x.size() * x.getDataType().getNumOfBytes()).sum();
    }

    /** Tokens kept in all. */
    int size() {
        return Arrays.stream(keys).mapToInt(k -> k.length).sum();
    }

    /**
     * Slot {@code s} of the kept tokens of {@code of}, type by type, each type's in key order, in float32 (a new
     * array).
     */
    NDArray states(int s, List<TokenType> of, NDManager manager) {
        try (NDManager local = manager.newSubManager()) {
            NDList parts = new NDList();
            for (TokenType type : of) {
                int t = type.ordinal();
                if (states[t] != null) {
                    NDArray order = local.create(Arrays.stream(byKey(t)).asLongStream().toArray());
                    parts.add(Scoped.apply(states[t][s], local, x -> x.get(new NDIndex("{}", order))));
                }
            }
            NDArray joined = parts.size() == 1 ? parts.getFirst() : NDArrays.concat(parts);
            joined.attach(local);
            NDArray out = joined.toType(DataType.FLOAT32, true);
            out.attach(manager);
            return out;
        }
    }

    /** The rows of type t's kept tokens in key order. */
    private int[] byKey(int t) {
        double[] k = keys[t];
        return IntStream.range(0, k.length).boxed().sorted(Comparator.comparingDouble(r -> k[r]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Type t's kept keys in ascending order, as {@link #states} lists their tokens. */
    private double[] sortedKeys(int t) {
        double[] k = keys[t].clone();
        Arrays.sort(k);
        return k;
    }

    /** The type code of each token that {@link #states} returns for {@code of}. */
    byte[] types(List<TokenType> of) {
        byte[] out = new byte[of.stream().mapToInt(this::kept).sum()];
        int k = 0;
        for (TokenType type : of) {
            Arrays.fill(out, k, k + kept(type), type.code());
            k += kept(type);
        }
        return out;
    }

    /**
     * Unbiased linear CKA (the U-centred HSIC_1 of Nguyen, Raghu and Kornblith 2021, one batch of every token) of all
     * pairs of layers on a uniform sample of the tokens of {@code of} (see {@link #uniform}). Unlike the biased
     * estimator, whose error on a sample of m tokens grows like width / m, this one is unbiased for the population's
     * HSIC. When every token is kept, exact linear CKA of them.
     */
    SimilarityMatrix cka(int layers, List<TokenType> of) {
        List<TokenType> present = of.stream().filter(t -> kept(t) > 0).toList();
        if (complete(present)) {
            try (NDManager scope = store.newSubManager()) {
                List<NDArray> rows = new ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    rows.add(states(l, present, scope));
                }
                return LinearCka.allPairs(rows);
            }
        }
        long[] uniform = uniform(present);
        try (NDManager scope = store.newSubManager()) {
            NDArray pick = scope.create(uniform);
            try (MinibatchCka unbiased = new MinibatchCka(layers, scope)) {
                for (int l = 0; l < layers; l++) {
                    // one layer at a time: L Gram matrices of the sample are kept, not the stacked temporaries
                    NDArray x = states(l, present, scope);
                    unbiased.add(l, 0, x.get(new NDIndex("{}", pick)));
                    x.close();
                }
                return unbiased.result();
            }
        }
    }

    /** Tokens of {@code of} that {@link #cka} estimates from when the sample does not hold them all. */
    int estimateSize(List<TokenType> of) {
        return uniform(of.stream().filter(t -> kept(t) > 0).toList()).length;
    }

    /**
     * Positions, in the order {@link #states} lists the kept tokens of {@code present}, of a uniform sample of all
     * their tokens: each type keeps its smallest keys, so every token whose key is at most the smallest of the
     * incomplete types' largest kept keys is kept, whatever its type; the smallest of those, at most
     * {@link StatisticsSettings#ESTIMATE_TOKENS}.
     */
    private long[] uniform(List<TokenType> present) {
        double threshold = present.stream().filter(t -> kept(t) < seen(t))
                .mapToDouble(t -> sortedKeys(t.ordinal())[kept(t) - 1]).min().orElse(Double.POSITIVE_INFINITY);
        double[] all = present.stream().flatMapToDouble(t -> Arrays.stream(sortedKeys(t.ordinal()))).toArray();
        return IntStream.range(0, all.length).filter(i -> all[i] <= threshold).boxed()
                .sorted(Comparator.comparingDouble(i -> all[i])).limit(StatisticsSettings.ESTIMATE_TOKENS)
                .mapToLong(Integer::longValue).sorted().toArray();
    }

    /** Keys and counts as arrays, for a statistics file; the states go to the sample file. */
    void save(String prefix, Map<String, double[]> out) {
        for (TokenType type : TokenType.values()) {
            out.put(prefix + type.label() + ".keys", sortedKeys(type.ordinal()));
        }
        out.put(prefix + "seen", Arrays.stream(seen).asDoubleStream().toArray());
    }

    /**
     * Restores a sample: {@code savedKeys} from {@link #save}, {@code savedStates.get(s)} slot s's states of the kept
     * tokens type by type in the order {@link #states} gives them.
     */
    void load(String prefix, Map<String, double[]> savedKeys, List<NDArray> savedStates) {
        double[] savedSeen = savedKeys.get(prefix + "seen");
        int offset = 0;
        TokenSample other = new TokenSample(slots, quota, store);
        for (TokenType type : TokenType.values()) {
            double[] k = savedKeys.get(prefix + type.label() + ".keys");
            int t = type.ordinal();
            if (k == null || k.length == 0) {
                continue;
            }
            int from = offset;
            other.keys[t] = k;
            other.states[t] = new NDArray[slots];
            for (int s = 0; s < slots; s++) {
                other.states[t][s] = Scoped.apply(savedStates.get(s), other.store,
                        x -> x.get(new NDIndex(from + ":" + (from + k.length))));
            }
            other.seen[t] = Math.round(savedSeen[t]);
            offset += k.length;
        }
        merge(other);
        other.close();
    }

    @Override
    public void close() {
        store.close();
    }
}
