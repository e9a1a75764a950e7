package dev.plateau.model;

import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * Two modules whose layers run in lockstep (one joint layer per index), so they must keep the same depth.
 *
 * @param first  canonical name of one module
 * @param second canonical name of the other
 * @param reason why, in the family's terms
 */
public record TiedDepth(String first, String second, String reason) implements LayerRule {

    @Override
    public String description() {
        return first + " and " + second + " must keep the same number of layers: " + reason;
    }

    @Override
    public Optional<String> violation(Map<String, Integer> depths, Map<String, Set<Integer>> removed) {
        int a = depths.getOrDefault(first, 0) - removed.getOrDefault(first, Set.of()).size();
        int b = depths.getOrDefault(second, 0) - removed.getOrDefault(second, Set.of()).size();
        return a == b ? Optional.empty()
                : Optional.of(first + " would keep " + a + " layers but " + second + " " + b + "; " + reason);
    }
}
