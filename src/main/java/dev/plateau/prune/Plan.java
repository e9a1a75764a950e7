package dev.plateau.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pruning plan: per module, the layers to remove.
 *
 * @param family   the model family code the plan is for (e.g. {@code smolvla}), or empty when unknown
 * @param modules  per module name
 * @param problems rule violations the plan still has, each one sentence; empty for a valid plan
 */
public record Plan(String family, Map<String, ModulePlan> modules, List<String> problems) {

    public Plan {
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        problems = List.copyOf(problems);
    }

    /** Removed indices per module, as the rules read them. */
    public Map<String, Set<Integer>> removals() {
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        modules.forEach((name, m) -> out.put(name, new TreeSet<>(m.remove())));
        return out;
    }
}
