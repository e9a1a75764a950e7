package dev.plateau.prune;

import dev.plateau.model.LayerParity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The best removal set of a given size that keeps a {@link LayerParity} rule: the valid set with the highest total
 * weight, by dynamic programming over (layer, layers removed so far). Keeping layer i after r removals puts it at
 * position i - r, which must have the same role as i. Layer 0 is always kept.
 */
final class ParityRepair {
    private ParityRepair() {
    }

    /**
     * @param weight weight[i] of removing layer i (entry 0 ignored); higher is better
     * @return the valid set of exactly {@code k} layers with the largest total weight, ascending, if one exists
     */
    static Optional<List<Integer>> best(LayerParity rule, double[] weight, int k) {
        int layers = weight.length;
        double none = Double.NEGATIVE_INFINITY;
        double[][] best = new double[layers][k + 1];
        boolean[][] removedHere = new boolean[layers][k + 1];
        for (double[] row : best) {
            Arrays.fill(row, none);
        }
        best[0][0] = 0;
        for (int i = 1; i < layers; i++) {
            for (int r = 0; r <= k; r++) {
                double keep = best[i - 1][r] != none && role(rule, i) == role(rule, i - r) ? best[i - 1][r] : none;
                double remove = r > 0 && best[i - 1][r - 1] != none ? best[i - 1][r - 1] + weight[i] : none;
                if (remove > keep) {
                    best[i][r] = remove;
                    removedHere[i][r] = true;
                } else {
                    best[i][r] = keep;
                }
            }
        }
        if (layers == 0 || best[layers - 1][k] == none) {
            return Optional.empty();
        }
        List<Integer> removed = new ArrayList<>();
        int r = k;
        for (int i = layers - 1; i >= 1; i--) {
            if (removedHere[i][r]) {
                removed.addFirst(i);
                r--;
            }
        }
        return Optional.of(List.copyOf(removed));
    }

    private static boolean role(LayerParity rule, int index) {
        return index % rule.period() == 0;
    }
}
