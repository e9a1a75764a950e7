package dev.plateau.report;

import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.checkpoint.TextFiles;
import dev.plateau.figures.Charts;
import dev.plateau.model.ModuleSpec;
import dev.plateau.prune.ModulePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;

/**
 * A study as ONE self-contained HTML page: its styles inline and every figure an inline SVG, so it opens anywhere,
 * is mailed as one file, and prints. Per module the heatmap with Algorithm 1's blocks and removals and the adjacent
 * profile with tau, then the plan with its notes, the estimates, the criteria compared, the latent geometry when
 * computed, and where everything came from.
 */
public final class HtmlReport {
    private static final int WIDTH = 640;
    private static final String STYLE = """
            body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto;
                   max-width: 1400px; color: #1d2330; padding: 0 1.5em; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.25em; border-bottom: 1px solid #d5d9df; padding-bottom: 0.2em; margin-top: 1.6em; }
            h3 { font-size: 1.05em; margin-bottom: 0.3em; }
            .sub { color: #555b66; margin-top: 0; }
            .figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
            .figures svg { border: 1px solid #e3e6ea; max-width: 100%; height: auto; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { border-bottom: 1px solid #e3e6ea; padding: 0.25em 0.8em 0.25em 0; text-align: left;
                     vertical-align: top; }
            th { font-weight: 600; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .note { color: #555b66; }
            .problem { color: #b2182b; }
            @media print { .figures svg { max-width: 48%; } }
            """;

    private HtmlReport() {
    }

    /** The page's HTML. */
    public static String html(ReportContent c) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(c.title())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n")
                .append("<body>\n<h1>").append(escape(c.title())).append("</h1>\n<p class=\"sub\">")
                .append(escape(c.spec().family().displayName())).append(", ")
                .append(String.format(Locale.ROOT, "%,d", c.spec().totalParams())).append(" parameters; CKA-guided "
                        + "layer pruning (Algorithm 1) on ").append(escape(c.metric())).append("</p>\n");
        model(h, c);
        for (ModuleSpec module : c.spec().modules()) {
            ModuleAnalysis analysed = c.analysis().modules().get(module.name());
            if (analysed != null) {
                module(h, c, module, analysed);
            }
        }
        plan(h, c);
        table(h, "Estimates", c.estimates());
        criteria(h, c);
        if (!c.latent().isEmpty()) {
            h.append("<h2>Latent geometry</h2>\n<div class=\"figures\">\n");
            c.latent().forEach((caption, svg) -> h.append("<figure>").append(svg).append("<figcaption>")
                    .append(escape(caption)).append("</figcaption></figure>\n"));
            h.append("</div>\n");
        }
        h.append("<h2>Provenance</h2>\n<table>\n");
        c.provenance().forEach((what, value) -> h.append("<tr><th>").append(escape(what)).append("</th><td>")
                .append(escape(value)).append("</td></tr>\n"));
        h.append("</table>\n</body>\n</html>\n");
        return h.toString();
    }

    /** Writes the page to {@code out}, whole or not at all. */
    public static void write(ReportContent content, Path out) throws IOException {
        TextFiles.writeAtomically(out, html(content));
    }

    private static void model(StringBuilder h, ReportContent c) {
        h.append("<h2>Model</h2>\n<table>\n<tr><th>module</th><th>layers</th><th>width</th><th>parameters</th>"
                + "<th>tokens calibrated</th></tr>\n");
        for (ModuleSpec m : c.spec().modules()) {
            ModuleAnalysis a = c.analysis().modules().get(m.name());
            h.append("<tr><td>").append(escape(m.name())).append("</td><td class=\"num\">").append(m.layerCount())
                    .append("</td><td class=\"num\">").append(m.hiddenSize()).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%,d", m.params())).append("</td><td class=\"num\">")
                    .append(a == null ? "\u2014" : String.format(Locale.ROOT, "%,d", a.tokens())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!c.spec().rules().isEmpty()) {
            h.append("<p class=\"note\">Rules of the model:</p>\n<ul class=\"note\">\n");
            c.spec().rules().forEach(r -> h.append("<li>").append(escape(r.description())).append("</li>\n"));
            h.append("</ul>\n");
        }
    }

    private static void module(StringBuilder h, ReportContent c, ModuleSpec module, ModuleAnalysis analysed) {
        Metric metric = Metric.fromCode(c.metric()).orElse(Metric.CKA);
        SimilarityMatrix matrix = analysed.metrics().getOrDefault(metric, analysed.metrics().get(Metric.CKA));
        ModulePlan plan = c.plan().map(p -> p.modules().get(module.name())).orElse(null);
        JFreeChart heatmap = Charts.heatmap();
        Charts.showMatrix(heatmap, module.name(), matrix);
        Charts.showPlan(heatmap, plan, -1);
        JFreeChart profile = Charts.profile();
        Charts.showProfile(profile, module.name(), matrix, plan, plan == null ? Double.NaN : plan.tau());
        h.append("<h2>").append(escape(module.name())).append("</h2>\n<p class=\"sub\">")
                .append(module.layerCount()).append(" layers; ")
                .append(plan == null || plan.remove().isEmpty() ? "nothing removed"
                        : "removes " + plan.remove() + ", keeps " + (module.layerCount() - plan.remove().size()))
                .append("</p>\n<div class=\"figures\">\n").append(Charts.svg(heatmap, WIDTH, 560)).append('\n')
                .append(Charts.svg(profile, WIDTH, 360)).append("\n</div>\n");
        for (String note : matrix.notes()) {
            h.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
    }

    private static void plan(StringBuilder h, ReportContent c) {
        h.append("<h2>Plan</h2>\n");
        if (c.plan().isEmpty()) {
            h.append("<p class=\"note\">No plan was given: the figures show the calibration alone.</p>\n");
            return;
        }
        h.append("<table>\n<tr><th>module</th><th>criterion</th><th>&tau;</th><th>k</th><th>removes</th>"
                + "<th>notes</th></tr>\n");
        for (ModulePlan m : c.plan().get().modules().values()) {
            h.append("<tr><td>").append(escape(m.module())).append("</td><td>").append(escape(m.criterion()))
                    .append("</td><td class=\"num\">").append(Double.isNaN(m.tau()) ? "\u2014"
                            : String.format(Locale.ROOT, "%.4f", m.tau())).append("</td><td class=\"num\">")
                    .append(m.remove().size()).append("</td><td>").append(m.remove()).append("</td><td>")
                    .append(escape(String.join(" ", m.notes()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (String problem : c.plan().get().problems()) {
            h.append("<p class=\"problem\">").append(escape(problem)).append("</p>\n");
        }
    }

    private static void criteria(StringBuilder h, ReportContent c) {
        if (c.criteria().isEmpty()) {
            return;
        }
        h.append("<h2>Criteria compared</h2>\n<p class=\"note\">What each criterion removes at the plan's k "
                + "(auto-&tau;), under the model's rules.</p>\n");
        c.criteria().forEach((module, choices) -> {
            h.append("<h3>").append(escape(module)).append("</h3>\n<table>\n<tr><th>criterion</th><th>removes</th>"
                    + "</tr>\n");
            choices.forEach((criterion, removed) -> h.append("<tr><td>").append(escape(criterion)).append("</td><td>")
                    .append(escape(removed)).append("</td></tr>\n"));
            h.append("</table>\n");
        });
    }

    private static void table(StringBuilder h, String title, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.append("<h2>").append(escape(title)).append("</h2>\n<table>\n");
        for (int r = 0; r < rows.size(); r++) {
            String cell = r == 0 ? "th" : "td";
            h.append("<tr>");
            for (int i = 0; i < rows.get(r).size(); i++) {
                h.append('<').append(cell).append(r > 0 && i > 0 ? " class=\"num\"" : "").append('>')
                        .append(escape(rows.get(r).get(i))).append("</").append(cell).append('>');
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
