package dev.plateau.prune;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.model.LayerParity;
import dev.plateau.model.LayerRule;
import dev.plateau.model.TiedDepth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Builds a plan from an analysis: per module with a budget, Algorithm 1 (or a baseline), then the model's rules. A
 * choice that breaks a parity rule is replaced by the valid removal set of the same size with the highest total
 * score, and the plan says so in one sentence. A module tied to another by depth inherits its partner's budget when
 * it has none of its own, and by default removes the same layers (chosen on the first module's profile).
 */
public final class Planner {
    private Planner() {
    }

    /**
     * @param tau    the threshold for every module, or empty for auto-tau per module (the largest tau whose pool
     *               holds k)
     * @param budget k per module name; modules without one are left whole
     */
    public static Plan plan(Analysis analysis, String family, List<LayerRule> rules, Criterion criterion,
                            OptionalDouble tau, Map<String, Integer> budget) {
        Map<String, Double> taus = new LinkedHashMap<>();
        tau.ifPresent(t -> analysis.modules().keySet().forEach(m -> taus.put(m, t)));
        return plan(analysis, family, rules, criterion, taus, budget);
    }

    /**
     * As {@link #plan(Analysis, String, List, Criterion, OptionalDouble, Map)} with a threshold per module; a module
     * without one gets auto-tau. Tied modules remove the same layers.
     */
    public static Plan plan(Analysis analysis, String family, List<LayerRule> rules, Criterion criterion,
                            Map<String, Double> tau, Map<String, Integer> budget) {
        return plan(analysis, family, rules, criterion, tau, budget, true);
    }

    /**
     * @param tied whether modules tied by depth (SmolVLA's and pi0's VLM and expert) remove the SAME layers: the
     *             first module of the rule is planned on its own profile and the second takes its removal set, as in
     *             the paper's plans. Untied, each is planned on its own profile, with the same budget.
     */
    public static Plan plan(Analysis analysis, String family, List<LayerRule> rules, Criterion criterion,
                            Map<String, Double> tau, Map<String, Integer> budget, boolean tied) {
        Map<String, Integer> k = withTiedBudgets(budget, rules);
        if (k.isEmpty()) {
            throw new IllegalArgumentException("no budget given: say how many layers to remove per module, e.g. "
                    + "--k " + analysis.modules().keySet().iterator().next() + "=4");
        }
        Map<String, TiedDepth> followers = tied ? followers(rules, k) : Map.of();
        Map<String, ModulePlan> modules = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : k.entrySet()) {
            ModuleAnalysis module = analysis.modules().get(e.getKey());
            if (module == null) {
                throw new IllegalArgumentException("the analysis has no module '" + e.getKey() + "'; it has "
                        + String.join(", ", analysis.modules().keySet()));
            }
            if (followers.containsKey(e.getKey())) {
                continue;
            }
            Double moduleTau = tau.get(e.getKey());
            modules.put(e.getKey(), planModule(module, criterion,
                    moduleTau == null ? OptionalDouble.empty() : OptionalDouble.of(moduleTau), e.getValue(), rules));
        }
        followers.forEach((name, rule) -> modules.put(name, follow(modules.get(rule.first()), name,
                analysis.modules().get(name).layers(), rule)));
        Map<String, ModulePlan> ordered = new LinkedHashMap<>();
        k.keySet().forEach(name -> ordered.put(name, modules.get(name)));
        Plan draft = new Plan(family, ordered, List.of());
        return new Plan(family, ordered, RuleCheck.violations(draft, depths(analysis), rules));
    }

    /**
     * The modules that take another's removal set: the second of each depth tie whose two modules both have a budget.
     * Tied modules remove the same layers, so two budgets given for them must agree.
     */
    private static Map<String, TiedDepth> followers(List<LayerRule> rules, Map<String, Integer> k) {
        Map<String, TiedDepth> out = new LinkedHashMap<>();
        for (LayerRule rule : rules) {
            if (rule instanceof TiedDepth t && k.containsKey(t.first()) && k.containsKey(t.second())) {
                if (!k.get(t.first()).equals(k.get(t.second()))) {
                    throw new IllegalArgumentException(t.first() + " and " + t.second() + " remove the same layers "
                            + "(tied: " + t.reason() + "), so their budgets must agree, not " + k.get(t.first())
                            + " and " + k.get(t.second()) + "; or plan them untied");
                }
                out.put(t.second(), t);
            }
        }
        return out;
    }

    /** The plan of a module that removes the same layers as its tied partner. */
    public static ModulePlan follow(ModulePlan leader, String module, int layers, TiedDepth rule) {
        List<String> notes = List.of("removes the same layers as " + leader.module() + " (tied: " + rule.reason()
                + "), chosen on " + leader.module() + "'s profile");
        return new ModulePlan(module, layers, leader.remove(), Double.NaN, leader.remove().size(),
                leader.criterion(), List.of(), List.of(), List.of(), notes);
    }

    private static Map<String, Integer> depths(Analysis analysis) {
        Map<String, Integer> depths = new LinkedHashMap<>();
        analysis.modules().forEach((name, m) -> depths.put(name, m.layers()));
        return depths;
    }

    private static Map<String, Integer> withTiedBudgets(Map<String, Integer> budget, List<LayerRule> rules) {
        Map<String, Integer> k = new LinkedHashMap<>(budget);
        for (LayerRule rule : rules) {
            if (rule instanceof TiedDepth tied) {
                if (k.containsKey(tied.first()) && !k.containsKey(tied.second())) {
                    k.put(tied.second(), k.get(tied.first()));
                } else if (k.containsKey(tied.second()) && !k.containsKey(tied.first())) {
                    k.put(tied.first(), k.get(tied.second()));
                }
            }
        }
        return k;
    }

    private static ModulePlan planModule(ModuleAnalysis module, Criterion criterion, OptionalDouble tau, int k,
                                         List<LayerRule> rules) {
        int layers = module.layers();
        if (k < 0 || k > layers - 1) {
            throw new IllegalArgumentException(module.name() + ": k = " + k + " is outside 0.." + (layers - 1)
                    + " (the first of its " + layers + " layers is always kept)");
        }
        List<String> notes = new ArrayList<>();
        List<Integer> removed;
        double usedTau = Double.NaN;
        double[] weight;
        double[] profile = new double[0];
        List<Algorithm1.Block> blocks = List.of();
        List<Integer> pool = List.of();
        switch (criterion) {
            case Criterion.Similarity s -> {
                Metric metric = s.metric();
                SimilarityMatrix matrix = module.metrics().get(metric);
                if (matrix == null) {
                    throw new IllegalArgumentException("the analysis of " + module.name() + " has no " + metric.code()
                            + "; run plateau analyze with --metric " + metric.code());
                }
                profile = matrix.adjacent();
                usedTau = tau.orElseGet(() -> Algorithm1.autoTau(matrix.adjacent(), metric.higherIsSimilar(), k));
                Algorithm1.Selection selection = Algorithm1.select(profile, metric.higherIsSimilar(), usedTau, k);
                removed = selection.removed();
                blocks = selection.blocks();
                pool = selection.pool();
                notes.addAll(selection.warnings());
                double sign = metric.higherIsSimilar() ? 1 : -1;
                weight = Arrays.stream(profile).map(v -> Double.isNaN(v) ? 0 : sign * v).toArray();
            }
            case Criterion.Random r -> {
                SplittableRandom random = new SplittableRandom(r.seed() ^ module.name().hashCode());
                weight = IntStream.range(0, layers).mapToDouble(i -> i == 0 ? 0 : random.nextDouble()).toArray();
                double[] w = weight;
                removed = IntStream.range(1, layers).boxed()
                        .sorted((a, b) -> Double.compare(w[b], w[a])).limit(k).sorted().toList();
            }
            case Criterion.KeepFirst kf -> {
                weight = IntStream.range(0, layers).mapToDouble(i -> i).toArray();
                removed = IntStream.range(layers - k, layers).boxed().toList();
            }
        }
        for (LayerRule rule : rules) {
            if (rule instanceof LayerParity parity && parity.module().equals(module.name())) {
                removed = repairParity(parity, module.name(), layers, removed, weight, criterion, notes);
            }
        }
        List<Double> scores = Arrays.stream(profile).boxed().toList();
        return new ModulePlan(module.name(), layers, removed, usedTau, k, criterion.code(), scores, blocks, pool,
                notes);
    }

    private static List<Integer> repairParity(LayerParity rule, String module, int layers, List<Integer> removed,
                                              double[] weight, Criterion criterion, List<String> notes) {
        var violation = rule.violation(Map.of(module, layers), Map.of(module, new TreeSet<>(removed)));
        if (violation.isEmpty()) {
            return removed;
        }
        List<Integer> valid = ParityRepair.best(rule, weight, removed.size()).orElseThrow();
        String total = criterion instanceof Criterion.Similarity s ? String.format(Locale.ROOT,
                " (total %s %.6f, %.2g below the invalid set's %.6f)", s.metric().code(),
                total(weight, valid, s.metric()), total(weight, removed, s.metric()) - total(weight, valid, s.metric()),
                total(weight, removed, s.metric())) : "";
        notes.add("removing " + removed + " breaks the layer parity of " + module + ": " + violation.get()
                + ". Removing " + valid + " instead is the best valid choice of " + removed.size() + total + ".");
        return valid;
    }

    private static double total(double[] weight, List<Integer> set, Metric metric) {
        double sign = metric.higherIsSimilar() ? 1 : -1;
        return sign * set.stream().mapToDouble(i -> weight[i]).sum();
    }
}
