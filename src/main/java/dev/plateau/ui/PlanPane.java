package dev.plateau.ui;

import dev.plateau.figures.Charts;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.AnalysedRun;
import dev.plateau.workbench.Estimate;
import dev.plateau.workbench.Latency;
import dev.plateau.workbench.OpenedModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Per module: the tau slider, auto-tau, the k spinner, "same layers as" for tied modules, and the live removal set;
 * then the rule problems with their nearest valid choice, the planner's notes, the estimates before and after, the
 * latency measurement, the paper's plan and the export button.
 */
final class PlanPane extends ScrollPane {
    private final SessionViewModel vm;
    private final VBox modules = new VBox(10);
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Label problems = new Label();
    private final Label notes = new Label();
    private final GridPane estimates = new GridPane();
    private final Label latency = new Label("not measured");
    private final Button export = new Button("Export pruned checkpoint\u2026");
    private boolean updating;

    PlanPane(SessionViewModel vm, Runnable onExport) {
        this.vm = vm;
        setId("planPane");
        setFitToWidth(true);
        Label title = new Label("Plan");
        title.getStyleClass().add("section-title");
        Button paper = new Button("Load paper's plan (Table 5)");
        paper.setId("paperPlan");
        paper.setTooltip(new Tooltip("The removal sets the CLP paper reports for this family (Table 5), as fixed "
                + "sets; moving tau or k afterwards returns to Algorithm 1. The paper gives them for SmolVLA, pi0 and "
                + "GR00T-N1.5 only."));
        paper.setOnAction(e -> vm.loadPaperPlan());
        paper.disableProperty().bind(vm.hasPaperPlanProperty().not());
        problems.setId("problems");
        problems.setWrapText(true);
        problems.getStyleClass().add("problem");
        notes.setId("notes");
        notes.setWrapText(true);
        notes.getStyleClass().add("note");
        estimates.setId("estimates");
        estimates.setHgap(12);
        estimates.setVgap(4);
        Button measure = new Button("Measure latency");
        measure.setId("measureLatency");
        measure.setTooltip(new Tooltip("Runs the base model and the pruned model (the plan's layers skipped) on "
                + "the calibration data with the engine and reports the forward time per sample"));
        measure.setOnAction(e -> vm.measureLatency());
        latency.setId("latency");
        latency.setWrapText(true);
        export.setId("exportButton");
        export.setMaxWidth(Double.MAX_VALUE);
        export.setOnAction(e -> onExport.run());
        export.getStyleClass().add("primary");
        VBox content = new VBox(10, title, modules, paper, problems, notes, new Separator(), label("Estimates"),
                estimates, measure, latency, new Separator(), export);
        content.setPadding(new Insets(12));
        setContent(content);
        vm.modelProperty().addListener((o, a, b) -> rebuild());
        vm.runProperty().addListener((o, a, b) -> update());
        vm.planProperty().addListener((o, a, b) -> update());
        vm.criterionProperty().addListener((o, a, b) -> update());
        vm.tokenTypeProperty().addListener((o, a, b) -> update());
        vm.estimateProperty().addListener((o, a, b) -> showEstimate(b));
        vm.latencyProperty().addListener((o, a, b) -> showLatency(b));
        rebuild();
    }

    private static Label label(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("subsection-title");
        return l;
    }

    /** The controls of one module. */
    private final class Row {
        final String module;
        final Slider tau = new Slider(0, 1, 0.5);
        final Label tauValue = new Label();
        final Button auto = new Button("auto");
        final Spinner<Integer> k;
        final CheckBox follow;
        final Label removed = new Label();

        Row(ModuleSettings s, String leader) {
            module = s.module();
            tau.setId("tauSlider-" + module);
            tau.setTooltip(new Tooltip("Threshold tau: adjacent layers at least this similar form a block; the k most "
                    + "similar non-anchor layers of the blocks are removed"));
            HBox.setHgrow(tau, Priority.ALWAYS);
            tau.valueProperty().addListener((o, a, b) -> {
                if (!updating) {
                    vm.setTau(module, b.doubleValue());
                }
            });
            tauValue.setId("tauValue-" + module);
            tauValue.setMinWidth(52);
            auto.setId("autoTau-" + module);
            auto.setTooltip(new Tooltip("Auto-tau: the strictest threshold whose pool still holds k layers"));
            auto.setOnAction(e -> vm.setAutoTau(module));
            k = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, Math.max(0, s.layers() - 1),
                    s.kProperty().get()));
            k.setId("kSpinner-" + module);
            k.setPrefWidth(72);
            k.setEditable(true);
            k.setTooltip(new Tooltip("Budget k: layers to remove from " + module));
            k.valueProperty().addListener((o, a, b) -> {
                if (!updating && b != null) {
                    vm.setK(module, b);
                }
            });
            follow = leader == null ? null : new CheckBox("same layers as " + leader);
            if (follow != null) {
                follow.setId("follow-" + module);
                follow.setTooltip(new Tooltip(module + " and " + leader + " must keep the same depth; removing the "
                        + "same indices is what the paper does and what the pruned-model preview needs"));
                follow.selectedProperty().addListener((o, a, b) -> {
                    if (!updating) {
                        vm.setFollows(module, b ? leader : null);
                    }
                });
            }
            removed.setId("removed-" + module);
            removed.setWrapText(true);
        }

        VBox node(int layers) {
            Label name = new Label(module);
            name.getStyleClass().add("module-name");
            Label depth = new Label(layers + " layers");
            depth.getStyleClass().add("note");
            HBox head = new HBox(8, name, depth);
            HBox tauRow = new HBox(6, new Label("\u03c4"), tau, tauValue, auto);
            HBox kRow = new HBox(6, new Label("k"), k);
            if (follow != null) {
                kRow.getChildren().add(follow);
            }
            VBox box = new VBox(4, head, tauRow, kRow, removed);
            box.getStyleClass().add("module-box");
            return box;
        }
    }

    private void rebuild() {
        rows.clear();
        modules.getChildren().clear();
        OpenedModel model = vm.modelProperty().get();
        if (model == null) {
            modules.getChildren().add(new Label("Open a checkpoint (File \u2192 Open, or drop a folder here)."));
            return;
        }
        vm.settings().forEach((name, s) -> {
            Row row = new Row(s, s.followsProperty().get());
            rows.put(name, row);
            modules.getChildren().add(row.node(s.layers()));
        });
        update();
    }

    private void update() {
        Plan plan = vm.planProperty().get();
        AnalysedRun run = vm.runProperty().get();
        Metric metric = SimilarityPane.shownMetric(vm.criterionProperty().get());
        updating = true;
        try {
            rows.forEach((name, row) -> {
                ModuleSettings s = vm.settings().get(name);
                ModulePlan m = plan == null ? null : plan.modules().get(name);
                boolean following = s.followsProperty().get() != null;
                boolean algorithm = run != null && s.fixedProperty().get() == null && !following
                        && metricCriterion();
                row.tau.setDisable(!algorithm);
                row.auto.setDisable(!algorithm);
                row.k.setDisable(following || run == null);
                if (row.follow != null) {
                    row.follow.setSelected(following);
                }
                if (run != null && vm.analysis().modules().containsKey(name)) {
                    double[] range = tauRange(vm.analysis().modules().get(name), metric);
                    row.tau.setMin(range[0]);
                    row.tau.setMax(range[1]);
                }
                if (m != null && !Double.isNaN(m.tau())) {
                    row.tau.setValue(m.tau());
                    row.tauValue.setText(String.format(Locale.ROOT, "%.4f", m.tau()));
                } else {
                    row.tauValue.setText("\u2014");
                }
                int k = m == null ? s.kProperty().get() : m.remove().size();
                if (!Objects.equals(row.k.getValue(), k)) {
                    row.k.getValueFactory().setValue(k);
                }
                row.removed.setText(m == null ? "nothing removed" : describe(m, s));
            });
        } finally {
            updating = false;
        }
        problems.setText(plan == null || plan.problems().isEmpty() ? "" : "\u26a0 " + String.join("\n\u26a0 ",
                plan.problems()));
        problems.setVisible(!problems.getText().isEmpty());
        problems.setManaged(problems.isVisible());
        String planNotes = plan == null ? "" : String.join("\n", plan.modules().values().stream()
                .flatMap(m -> m.notes().stream()).toList());
        notes.setText(planNotes);
        notes.setVisible(!planNotes.isEmpty());
        notes.setManaged(notes.isVisible());
        export.setDisable(plan == null || !plan.problems().isEmpty()
                || plan.modules().values().stream().allMatch(m -> m.remove().isEmpty()));
    }

    private boolean metricCriterion() {
        return Metric.fromCode(vm.criterionProperty().get()).isPresent();
    }

    private static String describe(ModulePlan m, ModuleSettings s) {
        String how = s.followsProperty().get() != null ? " (as " + s.followsProperty().get() + ")"
                : s.fixedProperty().get() != null ? " (fixed)" : "";
        return (m.remove().isEmpty() ? "removes nothing" : "removes " + m.remove()) + how + " \u00b7 keeps "
                + (m.layers() - m.remove().size()) + " of " + m.layers();
    }

    /** The slider's range: the profile's span, padded, within [0, 1] for bounded metrics. */
    static double[] tauRange(ModuleAnalysis module, Metric metric) {
        SimilarityMatrix matrix = module.metrics().get(metric);
        if (matrix == null || matrix.layers() < 2) {
            return new double[] {0, 1};
        }
        double[] profile = Arrays.copyOfRange(matrix.adjacent(), 1, matrix.layers());
        double low = Arrays.stream(profile).min().orElse(0);
        double high = Arrays.stream(profile).max().orElse(1);
        double pad = Math.max(1e-6, 0.05 * (high - low));
        low -= pad;
        high += pad;
        if (Charts.bounded(metric)) {
            low = Math.max(0, low);
            high = Math.min(1, high);
        }
        return new double[] {low, high};
    }

    private void showEstimate(Estimate e) {
        estimates.getChildren().clear();
        if (e == null) {
            return;
        }
        estimates.addRow(0, new Label(""), bold("before"), bold("after"), bold("change"));
        row(1, "parameters", e.params(), e.prunedParams(),
                "All stored parameters, from the tensor shapes of the checkpoint");
        OpenedModel model = vm.modelProperty().get();
        row(2, "trainable", e.trainable(), e.prunedTrainable(), "Parameters the original fine-tuning trains by "
                + "default: " + (model == null ? "" : model.trainingDefaults()));
        Label name = new Label("GFLOPs / sample");
        name.setTooltip(new Tooltip("One forward pass through the prunable modules' layers for one calibration "
                + "sample: 2\u00b7params\u00b7tokens + 4\u00b7tokens\u00b2\u00b7width per layer, with the tokens each "
                + "module saw per sample during calibration"));
        estimates.addRow(3, name, new Label(gflops(e.gflops())), new Label(gflops(e.prunedGflops())),
                new Label(change(e.gflops(), e.prunedGflops())));
    }

    private void row(int at, String what, long before, long after, String tip) {
        Label name = new Label(what);
        name.setTooltip(new Tooltip(tip));
        Label b = new Label(millions(before));
        Label a = new Label(millions(after));
        a.setId("estimate-" + what);
        estimates.addRow(at, name, b, a, new Label(change(before, after)));
    }

    private static Label bold(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("column-head");
        return l;
    }

    static String millions(long n) {
        return n >= 1_000_000_000 ? String.format(Locale.ROOT, "%.3f B", n / 1e9)
                : String.format(Locale.ROOT, "%.2f M", n / 1e6);
    }

    private static String gflops(double g) {
        return Double.isNaN(g) ? "\u2014" : String.format(Locale.ROOT, "%.3f", g);
    }

    static String change(double before, double after) {
        if (Double.isNaN(before) || before == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%+.1f %%", 100 * (after - before) / before);
    }

    private void showLatency(Latency l) {
        latency.setText(l == null ? "not measured" : String.format(Locale.ROOT,
                "%.1f ms \u2192 %.1f ms per sample (%.2f\u00d7), %d samples", l.baseMillis(), l.prunedMillis(),
                l.speedup(), l.samples()));
    }
}
