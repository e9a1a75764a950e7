package dev.plateau.prune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Algorithm 1 of CKA-guided layer pruning on one module's adjacent profile s (s_i compares layer i with layer i - 1,
 * i >= 1; the first layer has no predecessor and is never removed):
 * <ol>
 * <li>blocks: maximal runs a..b of layers with s_i at least as similar as tau for every i in a+1..b;</li>
 * <li>the first layer of each block is its anchor; the candidate pool is every other layer of every block, that is
 *     every layer i >= 1 whose s_i reaches tau;</li>
 * <li>the k candidates with the most similar s_i are removed. Ties go to the earlier layer.</li>
 * </ol>
 * "At least as similar" is s >= tau for similarity metrics (CKA, cosine) and s <= tau for distances (MSE, angular,
 * Block Influence).
 */
public final class Algorithm1 {
    private Algorithm1() {
    }

    /** A run of layers first..last (inclusive); {@code first} is the anchor. */
    public record Block(int first, int last) {
        public int size() {
            return last - first + 1;
        }
    }

    /**
     * The outcome of Algorithm 1.
     *
     * @param tau      the threshold used
     * @param k        the budget asked for
     * @param blocks   the blocks at tau, in order
     * @param pool     candidate layers, ascending
     * @param removed  the layers chosen, ascending
     * @param warnings what kept the result from meeting the request (e.g. a pool smaller than k)
     */
    public record Selection(double tau, int k, List<Block> blocks, List<Integer> pool, List<Integer> removed,
                            List<String> warnings) {

        public Selection {
            blocks = List.copyOf(blocks);
            pool = List.copyOf(pool);
            removed = List.copyOf(removed);
            warnings = List.copyOf(warnings);
        }

        /** The anchor (first layer) of every block. */
        public List<Integer> anchors() {
            return blocks.stream().map(Block::first).toList();
        }
    }

    /** Runs Algorithm 1 on {@code profile} (entry 0 ignored) at threshold {@code tau} with budget {@code k}. */
    public static Selection select(double[] profile, boolean higherIsSimilar, double tau, int k) {
        int layers = profile.length;
        if (k < 0) {
            throw new IllegalArgumentException("k must be at least 0, not " + k);
        }
        List<Block> blocks = new ArrayList<>();
        List<Integer> pool = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < layers; i++) {
            if (reaches(profile[i], tau, higherIsSimilar)) {
                pool.add(i);
            } else {
                blocks.add(new Block(start, i - 1));
                start = i;
            }
        }
        if (layers > 0) {
            blocks.add(new Block(start, layers - 1));
        }
        List<Integer> removed = pool.stream().sorted(moreSimilarFirst(profile, higherIsSimilar)).limit(k)
                .sorted().toList();
        List<String> warnings = new ArrayList<>();
        if (pool.size() < k) {
            String tauText = String.format(Locale.ROOT, "%.4f", tau);
            if (k > layers - 1) {
                warnings.add("k = " + k + " exceeds the " + Math.max(0, layers - 1) + " removable layers (the first "
                        + "layer is always kept); removed the whole pool of " + pool.size());
            } else {
                warnings.add("only " + pool.size() + " layer" + (pool.size() == 1 ? "" : "s") + " reach tau = "
                        + tauText + ", fewer than k = " + k + "; removed " + pool.size() + ". Auto-tau for k = " + k
                        + " is " + String.format(Locale.ROOT, "%.4f", autoTau(profile, higherIsSimilar, k)));
            }
        }
        return new Selection(tau, k, blocks, pool, removed, warnings);
    }

    /**
     * The largest threshold (the strictest, for distances the smallest) whose pool still holds k layers: the k-th
     * most similar adjacent score. For k = 0, the most similar score.
     */
    public static double autoTau(double[] profile, boolean higherIsSimilar, int k) {
        int removable = profile.length - 1;
        if (removable < 1) {
            throw new IllegalArgumentException("a module of " + profile.length + " layer has nothing to remove");
        }
        if (k > removable) {
            throw new IllegalArgumentException("k = " + k + " exceeds the " + removable + " removable layers");
        }
        List<Integer> ranked = IntStream.range(1, profile.length).boxed()
                .sorted(moreSimilarFirst(profile, higherIsSimilar)).toList();
        return profile[ranked.get(Math.max(0, k - 1))];
    }

    static boolean reaches(double score, double tau, boolean higherIsSimilar) {
        return higherIsSimilar ? score >= tau : score <= tau;
    }

    /** Most similar score first; equal scores in layer order. */
    static Comparator<Integer> moreSimilarFirst(double[] profile, boolean higherIsSimilar) {
        Comparator<Integer> byScore = Comparator.comparingDouble(i -> profile[i]);
        return (higherIsSimilar ? byScore.reversed() : byScore).thenComparing(Comparator.naturalOrder());
    }
}
