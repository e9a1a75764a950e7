package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointDigest;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.figures.Charts;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.prune.PlanCheck;
import dev.plateau.prune.PlanException;
import dev.plateau.prune.PlanFile;
import dev.plateau.report.HtmlReport;
import dev.plateau.report.ReportContent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.JFreeChart;

/** The study report: what the window or a run and a plan hold, gathered into one self-contained HTML page. */
final class Reports {
    private Reports() {
    }

    /** {@code plateau report}: a calibration, its checkpoint and optionally a plan file. */
    static Path report(Workbench workbench, Path run, Path checkpoint, Optional<Path> planFile, String metric,
                       Path out) {
        OpenedModel model = workbench.open(checkpoint);
        Analysis analysis = Analyses.readFor(run, model, checkpoint);
        Optional<Plan> plan = planFile.map(file -> {
            try {
                Plan p = PlanFile.read(file);
                List<String> problems = PlanCheck.problems(p, model.spec());
                if (!problems.isEmpty()) {
                    throw new PlateauException(file + ": " + String.join("; and ", problems));
                }
                return p;
            } catch (PlanException e) {
                throw new PlateauException(e.getMessage(), e);
            }
        });
        write(model, analysis, plan, metric, Optional.empty(), Optional.of(run), out);
        return out;
    }

    /** Writes the report of an open model's calibration and plan (and its latent preview, when computed). */
    static void write(OpenedModel model, Analysis analysis, Optional<Plan> plan, String metric,
                      Optional<LatentPreview> latent, Optional<Path> run, Path out) {
        Map<String, String> provenance = new LinkedHashMap<>();
        String version = Reports.class.getPackage().getImplementationVersion();
        provenance.put("Plateau", version == null ? "dev" : version);
        provenance.put("written", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        Path folder = model.spec().folder();
        provenance.put("checkpoint", folder.toString());
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            provenance.put("checkpoint digest (SHA-256 of config and headers)", CheckpointDigest.of(checkpoint));
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        run.ifPresent(r -> provenance.put("calibration", r.toAbsolutePath().toString()));
        for (String key : List.of("data", "data_format", "samples", "seed", "device", "time", "batch")) {
            String value = analysis.metadata().get(key);
            if (value != null) {
                provenance.put(key.replace('_', ' '), value);
            }
        }
        provenance.put("trainable by default", model.trainingDefaults());
        ReportContent content = new ReportContent(model.spec().family().displayName() + " \u2014 "
                + folder.getFileName(), model.spec(), analysis, metric, plan, estimates(model, analysis, plan),
                criteria(model, analysis, plan), latent.map(Reports::latent).orElse(Map.of()), provenance);
        try {
            HtmlReport.write(content, out);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }

    private static List<List<String>> estimates(OpenedModel model, Analysis analysis, Optional<Plan> plan) {
        Estimate e = Estimates.of(model, Optional.of(analysis), plan.orElse(new Plan(model.spec().family().code(),
                Map.of(), List.of())));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", "before", "after", "change"));
        rows.add(row("parameters", e.params(), e.prunedParams()));
        rows.add(row("trainable parameters", e.trainable(), e.prunedTrainable()));
        rows.add(List.of("GFLOPs per sample", String.format(Locale.ROOT, "%.3f", e.gflops()),
                String.format(Locale.ROOT, "%.3f", e.prunedGflops()), change(e.gflops(), e.prunedGflops())));
        return rows;
    }

    private static List<String> row(String what, long before, long after) {
        return List.of(what, String.format(Locale.ROOT, "%,d", before), String.format(Locale.ROOT, "%,d", after),
                change(before, after));
    }

    private static String change(double before, double after) {
        return before == 0 || Double.isNaN(before) ? "\u2014"
                : String.format(Locale.ROOT, "%+.1f %%", 100 * (after - before) / before);
    }

    /** Per module of the plan that removes layers: what each criterion removes at its k (auto-tau). */
    private static Map<String, Map<String, String>> criteria(OpenedModel model, Analysis analysis,
                                                             Optional<Plan> plan) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (plan.isEmpty()) {
            return out;
        }
        for (ModulePlan m : plan.get().modules().values()) {
            if (m.remove().isEmpty() || !analysis.modules().containsKey(m.module())) {
                continue;
            }
            Map<String, String> choices = new LinkedHashMap<>();
            Plans.compare(model.spec(), analysis, m.module(), m.remove().size(), 0, choices::put)
                    .forEach((code, chosen) -> choices.put(code, chosen == null ? "\u2014" : chosen.remove().toString()));
            out.put(m.module(), choices);
        }
        return out;
    }

    private static Map<String, String> latent(LatentPreview p) {
        Map<String, String> out = new LinkedHashMap<>();
        JFreeChart base = Charts.latent("");
        Charts.showLatent(base, p.module() + " layer " + p.layer() + " \u2014 base", p.base(), p.types(), 0, 1,
                p.explained());
        out.put(p.module() + " layer " + p.layer() + ", base model, on its first two principal components",
                Charts.svg(base, 560, 460));
        JFreeChart pruned = Charts.latent("");
        Charts.showLatent(pruned, p.module() + " layer " + p.layer() + " \u2014 pruned", p.pruned(), p.types(), 0, 1,
                p.explained());
        out.put(p.module() + " layer " + p.layer() + ", pruned model (the output of "
                + (p.prunedLayer() < 0 ? "the module's input" : "layer " + p.prunedLayer()) + "), on the same axes",
                Charts.svg(pruned, 560, 460));
        return out;
    }
}
