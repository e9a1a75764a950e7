package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.checkpoint.TextFiles;
import dev.plateau.model.ModuleSpec;
import dev.plateau.model.TiedDepth;
import dev.plateau.prune.Criterion;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.prune.Planner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The k sweep: for every budget of a module that the model's rules allow, the plan the criterion makes (auto-tau) and
 * what it costs and gives up.
 */
final class Sweeps {
    /** The CSV's columns, in order. */
    static final List<String> COLUMNS = List.of("module", "k", "removed", "params", "trainable_params", "gflops",
            "latency_fraction", "removed_adjacent_cka", "cka_change_removed");

    private Sweeps() {
    }

    /** Every valid k (0 included) of {@code module}, ascending; a k the rules refuse is left out. */
    static List<SweepPoint> sweep(OpenedModel model, Analysis analysis, String module, Criterion criterion) {
        ModuleSpec swept = model.spec().module(module).orElseThrow(() -> new PlateauException("the model has no "
                + "module '" + module + "'; it has " + model.spec().modules().stream().map(ModuleSpec::name)
                .collect(Collectors.joining(", "))));
        if (!analysis.modules().containsKey(module)) {
            throw new PlateauException("the calibration has no module '" + module + "'");
        }
        String family = model.spec().family().code();
        Estimate base = Estimates.of(model, Optional.of(analysis), new Plan(family, Map.of(), List.of()));
        List<SweepPoint> points = new ArrayList<>();
        for (int k = 0; k < swept.layerCount(); k++) {
            Plan plan;
            try {
                plan = Planner.plan(analysis, family, model.spec().rules(), criterion, OptionalDouble.empty(),
                        Map.of(module, k));
            } catch (IllegalArgumentException refused) {
                continue;
            }
            if (!plan.problems().isEmpty()) {
                continue;
            }
            Estimate e = Estimates.of(model, Optional.of(analysis), plan);
            Map<String, List<Integer>> removed = new LinkedHashMap<>();
            double alike = 0;
            double change = 0;
            for (ModulePlan p : plan.modules().values()) {
                removed.put(p.module(), p.remove());
                double[] adjacent = analysis.modules().get(p.module()).metrics().get(Metric.CKA).adjacent();
                for (int i : p.remove()) {
                    if (i >= 1 && !Double.isNaN(adjacent[i])) {
                        alike += adjacent[i];
                        change += 1 - adjacent[i];
                    }
                }
            }
            points.add(new SweepPoint(module, k, removed, e.prunedParams(), e.prunedTrainable(), e.prunedGflops(),
                    e.prunedGflops() / base.gflops(), alike, change));
        }
        return points;
    }

    /**
     * The modules a whole-model sweep covers: every module of the calibration that the checkpoint has, except the
     * second of two tied modules (its sweep is the first's).
     */
    static List<String> modules(OpenedModel model, Analysis analysis) {
        List<String> out = new ArrayList<>();
        for (ModuleSpec m : model.spec().modules()) {
            boolean follows = model.spec().rules().stream().anyMatch(r -> r instanceof TiedDepth t
                    && t.second().equals(m.name()));
            if (analysis.modules().containsKey(m.name()) && !follows) {
                out.add(m.name());
            }
        }
        return out;
    }

    /** Sweeps the modules of a run file against a checkpoint and writes the CSV. */
    static List<SweepPoint> sweep(Workbench workbench, Path run, Path checkpoint, Optional<String> module,
                                  String criterionCode, Path out) {
        OpenedModel model = workbench.open(checkpoint);
        Analysis analysis = Analyses.readFor(run, model, checkpoint);
        Criterion criterion = Plans.criterion(criterionCode, 0);
        List<SweepPoint> points = new ArrayList<>();
        for (String m : module.map(List::of).orElseGet(() -> modules(model, analysis))) {
            points.addAll(sweep(model, analysis, m, criterion));
        }
        write(points, out);
        return points;
    }

    static void write(List<SweepPoint> points, Path out) {
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (SweepPoint p : points) {
            String removed = p.removed().entrySet().stream().map(e -> e.getKey() + "[" + e.getValue().stream()
                    .map(String::valueOf).collect(Collectors.joining(" ")) + "]").collect(Collectors.joining(" "));
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%s,%s,%.6f,%.6f%n", p.module(), p.k(), removed,
                    p.params(), p.trainableParams(), number(p.gflops()), number(p.latencyFraction()), p.adjacentCka(),
                    p.changeRemoved()));
        }
        try {
            TextFiles.writeAtomically(out, csv.toString());
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
