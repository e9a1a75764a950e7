package dev.plateau.prune;

import dev.plateau.model.LayerRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The model's rules applied to a plan: one sentence per rule the plan breaks. */
final class RuleCheck {
    private RuleCheck() {
    }

    /** Violations of {@code rules} by {@code plan} for a model of the given depths (modules absent keep all layers). */
    static List<String> violations(Plan plan, Map<String, Integer> depths, List<LayerRule> rules) {
        Map<String, Set<Integer>> removed = new LinkedHashMap<>(plan.removals());
        List<String> problems = new ArrayList<>();
        for (LayerRule rule : rules) {
            rule.violation(depths, removed).ifPresent(v -> problems.add(v + " (rule: " + rule.description() + ")"));
        }
        return problems;
    }
}
