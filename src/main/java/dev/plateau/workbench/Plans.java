package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.AnalysisFile;
import dev.plateau.model.Family;
import dev.plateau.model.LayerRule;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.StandardRules;
import dev.plateau.model.TiedDepth;
import dev.plateau.prune.Criterion;
import dev.plateau.prune.Plan;
import dev.plateau.prune.PlanCheck;
import dev.plateau.prune.PlanException;
import dev.plateau.prune.PlanFile;
import dev.plateau.prune.Planner;
import dev.plateau.prune.ModulePlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;

/** The plan step: an analysis and a budget in, a plan under the model's rules out; and plans held to checkpoints. */
final class Plans {
    private Plans() {
    }

    static Plan plan(Workbench workbench, Path analysisFile, Optional<Path> checkpoint, String criterionCode, long seed,
                     OptionalDouble tau, Map<String, Integer> budget, boolean tied, Path out) {
        try {
            Analysis analysis = AnalysisFile.read(analysisFile);
            Criterion criterion = criterion(criterionCode, seed);
            String family;
            List<LayerRule> rules;
            if (checkpoint.isPresent()) {
                ModelSpec spec = workbench.inspect(checkpoint.get());
                family = spec.family().code();
                if (analysis.family().isPresent() && !analysis.family().get().equals(family)) {
                    throw new PlateauException(analysisFile + ": analysis of a " + analysis.family().get()
                            + " model, but " + checkpoint.get() + " is " + family);
                }
                rules = spec.rules();
            } else {
                family = analysis.family().orElse("");
                rules = Family.fromCode(family).map(StandardRules::of).orElse(List.of());
            }
            Map<String, Double> taus = new LinkedHashMap<>();
            tau.ifPresent(t -> analysis.modules().keySet().forEach(m -> taus.put(m, t)));
            Plan plan = Planner.plan(analysis, family, rules, criterion, taus, budget, tied);
            if (!plan.problems().isEmpty()) {
                throw new PlateauException("the plan breaks a rule of the model: " + plan.problems().getFirst());
            }
            PlanFile.write(out, plan);
            return plan;
        } catch (ActivationException | PlanException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }

    /** The criterion named {@code code}; an unknown code is one line listing the known ones. */
    static Criterion criterion(String code, long seed) {
        return Criterion.parse(code, seed).orElseThrow(() -> new PlateauException("unknown criterion '" + code
                + "'; choose from " + Criterion.codes()));
    }

    /**
     * What each criterion (every metric of the analysis, then the random and keep-first baselines) removes from
     * {@code module} at budget {@code k}, with auto-tau, under the model's rules, by criterion code; a criterion whose
     * plan the rules refuse is left out and handed to {@code refused} with the reason.
     */
    static Map<String, ModulePlan> compare(ModelSpec spec, Analysis analysis, String module, int k, long seed,
                                           BiConsumer<String, String> refused) {
        List<String> codes = new ArrayList<>();
        analysis.modules().get(module).metrics().keySet().forEach(m -> codes.add(m.code()));
        codes.add("random");
        codes.add("keep-first");
        Map<String, ModulePlan> out = new LinkedHashMap<>();
        for (String code : codes) {
            try {
                out.put(code, live(spec, analysis, code, seed, Map.of(), Map.of(module, k), Map.of(), true)
                        .modules().get(module));
            } catch (PlateauException e) {
                refused.accept(code, e.getMessage());
            }
        }
        return out;
    }

    /**
     * The window's plan: {@code budget} per module planned as {@code plateau plan} does (the same {@link Planner} call,
     * so the same analysis and budget give the same plan), {@code fixed} removal sets taken as they are. Tied, a module
     * tied to a fixed one takes its set too.
     */
    static Plan live(ModelSpec spec, Analysis analysis, String criterionCode, long seed, Map<String, Double> tau,
                     Map<String, Integer> budget, Map<String, List<Integer>> fixed, boolean tied) {
        Criterion criterion = criterion(criterionCode, seed);
        Map<String, Integer> k = new LinkedHashMap<>(budget);
        k.keySet().removeAll(fixed.keySet());
        Map<String, ModulePlan> modules = new LinkedHashMap<>();
        fixed.forEach((name, remove) -> {
            int layers = spec.module(name).map(m -> m.layerCount()).orElse(-1);
            modules.put(name, new ModulePlan(name, layers, remove, Double.NaN, remove.size(), "fixed", List.of(),
                    List.of(), List.of(), List.of()));
        });
        for (LayerRule rule : tied ? spec.rules() : List.<LayerRule>of()) {
            if (rule instanceof TiedDepth t && modules.containsKey(t.first()) && !modules.containsKey(t.second())) {
                k.remove(t.second());
                modules.put(t.second(), Planner.follow(modules.get(t.first()), t.second(),
                        spec.module(t.second()).map(m -> m.layerCount()).orElse(-1), t));
            }
        }
        if (!k.isEmpty()) {
            try {
                // a fixed set (or the set a module follows) stays, though the planner plans a tied partner too
                Planner.plan(analysis, spec.family().code(), spec.rules(), criterion, tau, k, tied).modules()
                        .forEach(modules::putIfAbsent);
            } catch (IllegalArgumentException e) {
                throw new PlateauException(e.getMessage(), e);
            }
        }
        Map<String, ModulePlan> ordered = new LinkedHashMap<>();
        spec.modules().forEach(m -> {
            if (modules.containsKey(m.name())) {
                ordered.put(m.name(), modules.get(m.name()));
            }
        });
        Plan draft = new Plan(spec.family().code(), ordered, List.of());
        return new Plan(draft.family(), ordered, PlanCheck.problems(draft, spec));
    }

    /** The built-in plans of the paper's Table 5 (sample-configs/, copied into the resources). */
    private static final List<String> PAPER_PLANS = List.of("smolvla-table5.plan.json", "pi0-table5.plan.json",
            "gr00t-table5.plan.json");

    /** The paper's Table 5 plan of a family: the built-in plan whose {@code "family"} is the family's code. */
    static Optional<Plan> paper(Family family) {
        for (String name : PAPER_PLANS) {
            try (InputStream in = Plans.class.getResourceAsStream("/dev/plateau/plans/" + name)) {
                if (in == null) {
                    throw new PlateauException("the built-in plan " + name + " is missing from this build");
                }
                Plan plan = PlanFile.read(in.readAllBytes(), Path.of(name));
                if (plan.family().equals(family.code())) {
                    return Optional.of(plan);
                }
            } catch (IOException | PlanException e) {
                throw new PlateauException(name + ": the built-in plan cannot be read: " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    static List<String> check(Workbench workbench, Path planFile, Path checkpoint) {
        try {
            return PlanCheck.problems(PlanFile.read(planFile), workbench.inspect(checkpoint));
        } catch (PlanException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }
}
