package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plateau.model.LayerParity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ParityRepairTest {
    private static final LayerParity DIT = new LayerParity("dit", 2, "cross", "self");

    @Test
    void ditLikeModuleGetsTheBestConsecutivePair() {
        // TopK would take 1 (0.99) and 3 (0.98), which moves layer 2 to position 1. With period 2, the only valid
        // pairs are consecutive: {1,2} 1.49, {2,3} 1.48, {3,4} 1.38, ... -> {1,2}
        double[] w = {0, 0.99, 0.50, 0.98, 0.40, 0.30, 0.20, 0.10};
        assertEquals(Optional.of(List.of(1, 2)), ParityRepair.best(DIT, w, 2));
    }

    @Test
    void smolVlaLikeModuleMayAlsoDropTheLastLayer() {
        // valid sets of 3 in 8 layers: {a, a+1, 7} and {5, 6, 7}; best {1, 2, 7} = 0.90 + 0.97 + 0.94
        LayerParity expert = new LayerParity("expert", 2, "joint", "cross");
        double[] w = {0, 0.90, 0.97, 0.50, 0.96, 0.20, 0.95, 0.94};
        assertEquals(Optional.of(List.of(1, 2, 7)), ParityRepair.best(expert, w, 3));
    }

    @Test
    void agreesWithBruteForceOnRandomProfiles() {
        SplittableRandom random = new SplittableRandom(99);
        for (int trial = 0; trial < 300; trial++) {
            int layers = 2 + random.nextInt(11);
            int period = 2 + random.nextInt(2);
            int k = random.nextInt(layers);
            LayerParity rule = new LayerParity("m", period, "a", "b");
            double[] w = new double[layers];
            for (int i = 1; i < layers; i++) {
                w[i] = random.nextDouble();
            }
            double best = Double.NEGATIVE_INFINITY;
            for (List<Integer> set : subsets(layers, k)) {
                if (rule.violation(Map.of("m", layers), Map.of("m", Set.copyOf(set))).isEmpty()) {
                    best = Math.max(best, set.stream().mapToDouble(i -> w[i]).sum());
                }
            }
            Optional<List<Integer>> found = ParityRepair.best(rule, w, k);
            if (best == Double.NEGATIVE_INFINITY) {
                assertEquals(Optional.empty(), found);
            } else {
                List<Integer> set = found.orElseThrow();
                assertEquals(k, set.size());
                assertEquals(Optional.empty(), rule.violation(Map.of("m", layers), Map.of("m", new TreeSet<>(set))));
                assertEquals(best, set.stream().mapToDouble(i -> w[i]).sum(), 1e-12, "trial " + trial);
            }
        }
    }

    /** Every k-subset of 1..layers-1 (layer 0 is never removed). */
    private static List<List<Integer>> subsets(int layers, int k) {
        List<List<Integer>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << (layers - 1); mask++) {
            if (Integer.bitCount(mask) == k) {
                List<Integer> set = new ArrayList<>();
                for (int b = 0; b < layers - 1; b++) {
                    if ((mask & 1 << b) != 0) {
                        set.add(b + 1);
                    }
                }
                out.add(set);
            }
        }
        return out;
    }
}
