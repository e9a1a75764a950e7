package dev.plateau.model;

import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A module whose layers play one of two roles by position: position i has role A when {@code i % period == 0},
 * role B otherwise (SmolVLA: joint vs cross attention; GR00T DiT: cross vs self attention). Since each kept layer is
 * renumbered to its new position, a kept layer must land on a position with its original role.
 *
 * @param module canonical module name
 * @param period the role period (SmolVLA's self_attn_every_n_layers; 2 for the GR00T DiT)
 * @param roleAtMultiple role of positions that are multiples of the period
 * @param otherRole      role of the other positions
 */
public record LayerParity(String module, int period, String roleAtMultiple, String otherRole) implements LayerRule {

    @Override
    public String description() {
        return module + ": layer i is " + roleAtMultiple + " when i % " + period + " == 0, else " + otherRole
                + "; every kept layer must keep its role after renumbering";
    }

    @Override
    public Optional<String> violation(Map<String, Integer> depths, Map<String, Set<Integer>> removed) {
        Set<Integer> gone = removed.getOrDefault(module, Set.of());
        List<Integer> kept = IntStream.range(0, depths.getOrDefault(module, 0)).filter(i -> !gone.contains(i))
                .boxed().toList();
        for (int position = 0; position < kept.size(); position++) {
            int original = kept.get(position);
            if (role(original) != role(position)) {
                return Optional.of(module + " layer " + original + " (" + roleName(original) + ") would move to "
                        + "position " + position + ", which is " + roleName(position));
            }
        }
        return Optional.empty();
    }

    private boolean role(int index) {
        return index % period == 0;
    }

    private String roleName(int index) {
        return role(index) ? roleAtMultiple : otherRole;
    }
}
