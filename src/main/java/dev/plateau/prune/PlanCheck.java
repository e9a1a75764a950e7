package dev.plateau.prune;

import dev.plateau.model.LayerParity;
import dev.plateau.model.LayerRule;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import dev.plateau.model.TiedDepth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plan held against a checkpoint: module names, layer indices and counts, and the model's rules. Each problem is
 * one sentence, with the nearest valid plan where the rule allows one (for layer parity: the valid removal set of
 * the same size that keeps the most of the plan's choices).
 */
public final class PlanCheck {
    private PlanCheck() {
    }

    /** Everything wrong with {@code plan} for the model {@code spec}; empty when the plan is valid. */
    public static List<String> problems(Plan plan, ModelSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!plan.family().isEmpty() && !plan.family().equals(spec.family().code())) {
            problems.add("the plan is for " + plan.family() + " but the checkpoint is " + spec.family().code());
            return problems;
        }
        for (ModulePlan m : plan.modules().values()) {
            ModuleSpec module = spec.module(m.module()).orElse(null);
            if (module == null) {
                problems.add("the checkpoint has no module '" + m.module() + "'; it has "
                        + String.join(", ", spec.depths().keySet()));
                continue;
            }
            int depth = module.layerCount();
            if (m.layers() >= 0 && m.layers() != depth) {
                problems.add(m.module() + ": the plan was made for " + m.layers() + " layers, the checkpoint has "
                        + depth);
            }
            List<Integer> outside = m.remove().stream().filter(i -> i < 0 || i >= depth).toList();
            if (!outside.isEmpty()) {
                problems.add(m.module() + ": layers " + outside + " do not exist (0.." + (depth - 1) + ")");
            }
            if (m.remove().size() >= depth) {
                problems.add(m.module() + ": the plan removes all " + depth + " layers");
            }
            if (m.k() != m.remove().size()) {
                problems.add(m.module() + ": k = " + m.k() + " but " + m.remove().size() + " layers are listed");
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Map<String, Set<Integer>> removed = plan.removals();
        for (LayerRule rule : spec.rules()) {
            rule.violation(spec.depths(), removed).ifPresent(v -> problems.add(v + nearest(rule, spec, plan)));
        }
        return problems;
    }

    private static String nearest(LayerRule rule, ModelSpec spec, Plan plan) {
        return switch (rule) {
            case LayerParity parity -> {
                ModulePlan m = plan.modules().get(parity.module());
                double[] overlap = new double[spec.depths().get(parity.module())];
                m.remove().forEach(i -> overlap[i] = 1);
                yield ParityRepair.best(parity, overlap, m.remove().size())
                        .map(valid -> "; the nearest valid choice of " + m.remove().size() + " is " + valid)
                        .orElse("");
            }
            case TiedDepth tied -> "; remove as many layers from " + tied.first() + " as from " + tied.second();
            default -> "";
        };
    }
}
