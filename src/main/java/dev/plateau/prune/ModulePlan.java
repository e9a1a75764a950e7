package dev.plateau.prune;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What to remove from one module, and why.
 *
 * @param module    canonical module name
 * @param layers    the module's depth before pruning
 * @param remove    0-based indices of the layers to remove, ascending
 * @param tau       the threshold used (NaN for the baselines)
 * @param k         the budget
 * @param criterion the criterion's code
 * @param scores    the adjacent profile used (index-aligned, entry 0 NaN), empty for baselines and hand-written plans
 * @param blocks    Algorithm 1's blocks at tau (empty for baselines)
 * @param pool      Algorithm 1's candidate pool (empty for baselines)
 * @param notes     rule repairs and warnings, in sentences
 */
public record ModulePlan(String module, int layers, List<Integer> remove, double tau, int k, String criterion,
                         List<Double> scores, List<Algorithm1.Block> blocks, List<Integer> pool, List<String> notes) {

    public ModulePlan {
        remove = List.copyOf(remove);
        scores = List.copyOf(scores);
        blocks = List.copyOf(blocks);
        pool = List.copyOf(pool);
        notes = List.copyOf(notes);
    }

    /** The layers that stay, ascending: their position in the list is their new index. */
    public List<Integer> kept() {
        return IntStream.range(0, layers).filter(i -> !remove.contains(i)).boxed().toList();
    }
}
