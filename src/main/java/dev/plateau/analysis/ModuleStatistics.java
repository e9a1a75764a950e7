package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The similarity statistics of one module, fed batch by batch as a calibration's forward pass produces them, and
 * everything the analysis needs from them; the states themselves are dropped after each batch.
 *
 * <p>Per batch it holds that batch's states of every layer (on the calibration device), then folds them into: per
 * token type, the exact statistics of linear CKA for every layer with itself and its predecessor (the adjacent
 * profile over all tokens pools them exactly); optionally the exact statistics of all other pairs over all tokens;
 * the token-wise sums of cosine, angular distance and MSE for all pairs and types; unbiased minibatch CKA for all
 * tokens and per type; and the seeded, type-stratified token sample.
 */
final class ModuleStatistics implements AutoCloseable {
    private final String name;
    private final int layers;
    private final long width;
    private final StatisticsSettings settings;
    private final NDManager store;
    private final Map<TokenType, CoMoments> profile = new EnumMap<>(TokenType.class);
    private final CoMoments distant;
    private final TokenwiseSums sums;
    private final MinibatchCka minibatch;
    private final Map<TokenType, MinibatchCka> minibatchByType = new EnumMap<>(TokenType.class);
    private final TokenSample sample;
    private final boolean input;
    private final List<TokenType> types;
    private final TreeMap<Integer, NDArray> batch = new TreeMap<>();
    private NDManager batchStore;

    /**
     * @param layers layers the forward pass gives this module (its kept layers, in a pruned run)
     * @param input  whether the pass also gives the module's input (layer -1), kept in the token sample
     * @param exactDistant whether pairs two or more layers apart get exact statistics (else: estimated)
     * @param types  the token types the module's tokens come in; the statistics of each are allocated at once
     */
    ModuleStatistics(String name, int layers, long width, boolean input, boolean exactDistant, List<TokenType> types,
                     StatisticsSettings settings, NDManager manager) {
        if (types.isEmpty()) {
            throw new IllegalArgumentException(name + ": no token types declared");
        }
        this.name = name;
        this.layers = layers;
        this.width = width;
        this.input = input;
        this.types = List.copyOf(new TreeSet<>(types));
        this.settings = settings;
        this.store = manager.newSubManager();
        for (TokenType type : this.types) {
            profile.put(type, new CoMoments(layers, width, LayerPair.profile(layers), store));
            minibatchByType.put(type, new MinibatchCka(layers, store));
        }
        this.distant = exactDistant && layers > 2 ? new CoMoments(layers, width, LayerPair.distant(layers), store)
                : null;
        this.sums = new TokenwiseSums(layers);
        this.minibatch = new MinibatchCka(layers, store);
        this.sample = new TokenSample(layers + (input ? 1 : 0), settings.sampleQuota(this.types.size()), store);
    }

    String name() {
        return name;
    }

    int layers() {
        return layers;
    }

    long width() {
        return width;
    }

    boolean hasInput() {
        return input;
    }

    boolean exactDistant() {
        return distant != null;
    }

    /** The token types declared, in code order. */
    List<TokenType> types() {
        return types;
    }

    /** Keeps a copy of one layer's states of the current batch; {@code layer} -1 is the module's input. */
    void accept(int layer, NDArray states) {
        if (batchStore == null) {
            batchStore = store.newSubManager();
        }
        if (layer < 0 && !input) {
            return;
        }
        if (batch.containsKey(layer)) {
            throw new IllegalArgumentException(name + " layer " + layer + " given twice in one batch");
        }
        NDArray copy = states.duplicate();
        copy.attach(batchStore);
        batch.put(layer, copy);
    }

    /** Folds the batch's states into the statistics and drops them; {@code tokens} describes their rows. */
    void finishBatch(IntFunction<TokenBatch> describe) {
        if (batchStore == null) {
            return;
        }
        try (NDManager step = batchStore) {
            List<NDArray> rows = new ArrayList<>(batch.tailMap(0).values());
            if (rows.size() != layers) {
                throw new IllegalArgumentException(name + ": the forward pass gave " + rows.size() + " layers, "
                        + layers + " expected");
            }
            int n = Math.toIntExact(rows.getFirst().getShape().get(0));
            TokenBatch tokens = describe.apply(n);
            if (tokens.types().length != n) {
                throw new IllegalArgumentException(name + ": " + n + " tokens in the batch, " + tokens.types().length
                        + " described");
            }
            byte[] types = tokens.types();
            checkTypes(types, name, this.types);
            for (TokenType type : this.types) {
                int[] selected = rowsOf(types, type);
                if (selected.length == 0) {
                    continue;
                }
                if (selected.length == n) {
                    profile.get(type).add(rows::get, n, false);
                } else {
                    NDArray index = step.create(Arrays.stream(selected).asLongStream().toArray());
                    profile.get(type).add(l -> rows.get(l).get(new NDIndex("{}", index)), selected.length, true);
                }
            }
            if (distant != null) {
                distant.add(rows::get, n, false);
            }
            sums.add(rows, types);
            minibatches(rows, types, mix(settings.seed() ^ mix(tokens.ids()[0])), step);
            List<NDArray> slots = new ArrayList<>(rows);
            if (input) {
                NDArray in = batch.get(-1);
                if (in == null) {
                    throw new IllegalArgumentException(name + ": the forward pass gave no input states");
                }
                slots.add(in);
            }
            sample.add(slots, types, keys(tokens.ids()));
        } finally {
            batch.clear();
            batchStore = null;
        }
    }

    private static int[] rowsOf(byte[] types, TokenType type) {
        return IntStream.range(0, types.length).filter(r -> types[r] == type.code()).toArray();
    }

    private static void checkTypes(byte[] types, String module, List<TokenType> declared) {
        for (byte t : types) {
            TokenType type = TokenType.ofCode(t).orElseThrow(() -> new IllegalArgumentException("token type code " + t
                    + " is not one of " + TokenType.legend()));
            if (!declared.contains(type)) {
                throw new IllegalArgumentException(module + " was given " + type.label() + " tokens; its statistics "
                        + "were declared for " + declared.stream().map(TokenType::label).toList());
            }
        }
    }

    /**
     * Unbiased minibatch CKA over all tokens and per type: each selection in a seeded order, cut into minibatches. A
     * batch of one type feeds both from the same minibatches.
     */
    private void minibatches(List<NDArray> rows, byte[] types, long batchSeed, NDManager step) {
        List<TokenType> present = this.types.stream().filter(t -> rowsOf(types, t).length > 0).toList();
        try (MinibatchCka all = new MinibatchCka(layers, step)) {
            feed(all, rows, IntStream.range(0, types.length).toArray(), batchSeed, step);
            minibatch.merge(all);
            if (present.size() == 1) {
                minibatchByType.get(present.getFirst()).merge(all);
                return;
            }
        }
        for (TokenType type : present) {
            feed(minibatchByType.get(type), rows, rowsOf(types, type), batchSeed + type.ordinal() + 1, step);
        }
    }

    /** The batch's rows {@code selected} in an order fixed by {@code seed} (the batch's first token), cut in minibatches. */
    private void feed(MinibatchCka accumulator, List<NDArray> rows, int[] selected, long seed, NDManager step) {
        int size = settings.minibatch();
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = selected.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int start = 0; start + 4 <= order.length; start += size) {
            try (NDManager minibatch = step.newSubManager()) {
                NDArray index = minibatch.create(Arrays.stream(order, start, Math.min(order.length, start + size))
                        .asLongStream().toArray());
                List<NDArray> states = new ArrayList<>();
                for (NDArray layer : rows) {
                    states.add(Scoped.apply(layer, minibatch, a -> a.get(new NDIndex("{}", index))));
                }
                accumulator.addAll(states);
            }
        }
    }

    /** Uniform keys in [0, 1) fixed by the seed, the module and each token's identity. */
    private double[] keys(long[] ids) {
        long module = name.hashCode();
        double[] out = new double[ids.length];
        for (int r = 0; r < ids.length; r++) {
            long h = mix(settings.seed() ^ mix(module + 0x632BE59BD9B4E019L) ^ mix(ids[r] + 0x9E3779B97F4A7C15L));
            out[r] = (h >>> 11) * 0x1.0p-53;
        }
        return out;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Tokens folded in, of all types. */
    long tokens() {
        return profile.values().stream().mapToLong(CoMoments::count).sum();
    }

    /** The types of which tokens were seen, in code order. */
    List<TokenType> typesSeen() {
        return types.stream().filter(t -> profile.get(t).count() > 0).toList();
    }

    /** The analysis over all tokens, with one per token type seen. */
    ModuleAnalysis analysis() {
        List<TokenType> seen = typesSeen();
        if (seen.isEmpty()) {
            throw new IllegalStateException(name + ": no tokens were added");
        }
        Map<String, ModuleAnalysis> byType = new LinkedHashMap<>();
        for (TokenType type : seen) {
            List<TokenType> only = List.of(type);
            byType.put(type.label(), new ModuleAnalysis(name, profile.get(type).count(), width,
                    metrics(only, profile.get(type).frobenius(), null, minibatchByType.get(type))));
        }
        if (seen.size() == 1 && distant == null) {
            // one type: its tokens are all the tokens, and every statistic of the two is the same
            return new ModuleAnalysis(name, tokens(), width, byType.get(seen.getFirst().label()).metrics(), byType);
        }
        double[][] pooled = CoMoments.pooledFrobenius(seen.stream().map(profile::get).toList(), layers);
        return new ModuleAnalysis(name, tokens(), width, metrics(seen, pooled, distant, minibatch), byType);
    }

    private Map<Metric, SimilarityMatrix> metrics(List<TokenType> of, double[][] profileHsic, CoMoments exactDistant,
                                                  MinibatchCka minibatchOf) {
        Map<Metric, SimilarityMatrix> out = new EnumMap<>(Metric.class);
        out.put(Metric.CKA, cka(of, profileHsic, exactDistant));
        out.put(Metric.CKA_MINIBATCH, minibatchOf.result());
        for (Metric m : List.of(Metric.COSINE, Metric.MSE, Metric.ANGULAR, Metric.BI)) {
            out.put(m, sums.result(m, of, width));
        }
        return out;
    }

    /**
     * Linear CKA: every layer with its neighbours from the exact statistics over all tokens of {@code of}; pairs two
     * or more layers apart from the exact statistics where kept, else estimated from the token sample.
     */
    private SimilarityMatrix cka(List<TokenType> of, double[][] profileHsic, CoMoments exactDistant) {
        double[][] hsic = new double[layers][layers];
        List<String> notes = new ArrayList<>();
        SimilarityMatrix estimate = null;
        double[][] distantHsic = exactDistant == null ? null : exactDistant.frobenius();
        if (exactDistant == null && layers > 2) {
            estimate = sample.cka(layers, of);
            if (!sample.complete(of)) {
                int kept = sample.estimateSize(of);
                notes.add("pairs two or more layers apart are unbiased estimates from a uniform sample of " + kept
                        + " tokens; each layer against its neighbours is exact over all tokens");
            }
            notes.addAll(estimate.notes());
        }
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                if (Math.abs(i - j) <= 1) {
                    hsic[i][j] = profileHsic[i][j];
                } else if (distantHsic != null) {
                    hsic[i][j] = distantHsic[i][j];
                } else {
                    hsic[i][j] = estimate.get(i, j) * Math.sqrt(profileHsic[i][i] * profileHsic[j][j]);
                }
            }
        }
        SimilarityMatrix exact = LinearCka.normalise(hsic, Metric.CKA);
        notes.addAll(0, exact.notes());
        return new SimilarityMatrix(Metric.CKA, exact.values(), notes);
    }

    TokenSample sample() {
        return sample;
    }

    /** Adds the statistics of a disjoint set of samples (the same module, layers and settings). */
    void merge(ModuleStatistics other) {
        if (other.layers != layers || other.width != width || !other.types.equals(types)) {
            throw new IllegalArgumentException(name + ": statistics of " + other.layers + " layers x " + other.width
                    + " " + other.types + " cannot be merged into " + layers + " x " + width + " " + types);
        }
        for (TokenType type : types) {
            profile.get(type).merge(other.profile.get(type));
            minibatchByType.get(type).merge(other.minibatchByType.get(type));
        }
        if (distant != null && other.distant != null) {
            distant.merge(other.distant);
        } else if (distant != null || other.distant != null) {
            throw new IllegalArgumentException(name + ": one run kept exact statistics of distant pairs, the other not");
        }
        sums.merge(other.sums);
        minibatch.merge(other.minibatch);
        sample.merge(other.sample);
    }

    /** Every statistic as named arrays: float64 tensors on the device, and small ones as Java arrays. */
    void save(Map<String, NDArray> tensors, Map<String, double[]> arrays) {
        String p = name + ".";
        double[] counts = new double[TokenType.values().length];
        for (TokenType type : types) {
            counts[type.ordinal()] = profile.get(type).count();
            profile.get(type).save(p + "profile." + type.label() + ".", tensors);
            arrays.put(p + "minibatch." + type.label(), flat(minibatchByType.get(type).sums()));
        }
        arrays.put(p + "counts", counts);
        if (distant != null) {
            arrays.put(p + "distant.count", new double[] {distant.count()});
            distant.save(p + "distant.", tensors);
        }
        arrays.put(p + "minibatch", flat(minibatch.sums()));
        sums.save(p + "tokenwise.", arrays);
        sample.save(p + "sample.", arrays);
    }

    /** Restores what {@link #save} wrote into this (empty) accumulator; the sample's states come from the sample file. */
    void load(Map<String, NDArray> tensors, Map<String, double[]> arrays, List<NDArray> sampleStates) {
        String p = name + ".";
        double[] counts = arrays.get(p + "counts");
        if (counts == null) {
            throw new IllegalArgumentException("no statistics of module '" + name + "'");
        }
        for (TokenType type : types) {
            profile.get(type).load(p + "profile." + type.label() + ".", tensors, Math.round(counts[type.ordinal()]));
            minibatchByType.get(type).addSums(square(arrays.get(p + "minibatch." + type.label())));
        }
        double[] distantCount = arrays.get(p + "distant.count");
        if ((distantCount != null) != (distant != null)) {
            throw new IllegalArgumentException(name + ": the saved run " + (distantCount != null ? "kept" : "did not keep")
                    + " exact statistics of distant layer pairs; calibrate the added samples with the same --memory");
        }
        if (distant != null) {
            distant.load(p + "distant.", tensors, Math.round(distantCount[0]));
        }
        minibatch.addSums(square(arrays.get(p + "minibatch")));
        sums.load(p + "tokenwise.", arrays);
        sample.load(p + "sample.", arrays, sampleStates);
    }

    private double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }

    private double[][] square(double[] values) {
        double[][] out = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            System.arraycopy(values, i * layers, out[i], 0, layers);
        }
        return out;
    }

    @Override
    public void close() {
        if (batchStore != null) {
            batchStore.close();
        }
        store.close();
    }
}
