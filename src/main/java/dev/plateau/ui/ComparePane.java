package dev.plateau.ui;

import dev.plateau.figures.Charts;
import java.awt.Color;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.AnalysedRun;
import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.property.SimpleStringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The criteria side by side, as in the paper's ablation: every metric's adjacent profile on one chart (each scaled
 * to [0, 1], distances turned so that up means similar), and what each criterion removes at the same budget.
 */
final class ComparePane extends BorderPane {
    private final SessionViewModel vm;
    private final JFreeChart chart;
    private final TableView<SessionViewModel.CriterionChoice> table = new TableView<>();
    private final Label caption = new Label();
    /** What the shown comparison was computed for: it depends on the module, its k and the run, not on tau. */
    private List<Object> shown = List.of();

    ComparePane(SessionViewModel vm) {
        this.vm = vm;
        NumberAxis x = new NumberAxis("layer i (compared with i \u2212 1)");
        x.setStandardTickUnits(new NumberTickUnitSource(true));
        NumberAxis y = new NumberAxis("adjacent similarity, scaled to [0, 1]");
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < Metric.values().length; i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        XYPlot plot = new XYPlot(new XYSeriesCollection(), x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        chart = new JFreeChart(null, Charts.TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setFrame(BlockBorder.NONE);
        ChartPane pane = new ChartPane(chart, "compareChart", this::data, vm.notices()::add);
        TableColumn<SessionViewModel.CriterionChoice, String> criterion = new TableColumn<>("criterion");
        criterion.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().criterion()));
        TableColumn<SessionViewModel.CriterionChoice, String> tau = new TableColumn<>("\u03c4 (auto)");
        tau.setCellValueFactory(c -> new SimpleStringProperty(Double.isNaN(c.getValue().tau()) ? "\u2014"
                : String.format(Locale.ROOT, "%.4f", c.getValue().tau())));
        TableColumn<SessionViewModel.CriterionChoice, String> removed = new TableColumn<>("removed layers");
        removed.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().removed().toString()));
        removed.setPrefWidth(320);
        table.getColumns().addAll(List.of(criterion, tau, removed));
        table.setId("compareTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        caption.setWrapText(true);
        VBox bottom = new VBox(6, caption, table);
        bottom.setPadding(new Insets(8));
        SplitPane split = new SplitPane(pane, bottom);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.6);
        setCenter(split);
        vm.planProperty().addListener((o, a, b) -> refresh());
        vm.selectedModuleProperty().addListener((o, a, b) -> refresh());
    }

    private void refresh() {
        String module = vm.selectedModuleProperty().get();
        AnalysedRun run = vm.runProperty().get();
        Analysis analysis = vm.analysis();
        Plan plan = vm.planProperty().get();
        ModulePlan modulePlan = plan == null || module == null ? null : plan.modules().get(module);
        List<Object> key = Arrays.asList(module, run, modulePlan == null ? -1 : modulePlan.remove().size(),
                vm.seedProperty().get(), vm.tokenTypeProperty().get());
        if (key.equals(shown)) {
            return;
        }
        shown = key;
        List<SessionViewModel.CriterionChoice> choices = module == null ? List.of() : vm.compareCriteria(module);
        table.getItems().setAll(choices);
        int k = choices.isEmpty() ? 0 : choices.getFirst().removed().size();
        caption.setText(module == null ? "" : "What each criterion removes from " + module + " with the same budget "
                + "k = " + k + " (auto-tau, under the model's rules):");
        XYSeriesCollection data = new XYSeriesCollection();
        if (analysis != null && analysis.modules().containsKey(module)) {
            for (Map.Entry<Metric, SimilarityMatrix> e : analysis.modules().get(module).metrics().entrySet()) {
                double[] scaled = scaled(e.getValue().adjacent(), e.getKey().higherIsSimilar());
                XYSeries s = new XYSeries(e.getKey().label(), false, false);
                for (int i = 1; i < scaled.length; i++) {
                    s.add(i, scaled[i], false);
                }
                data.addSeries(s);
            }
        }
        chart.getXYPlot().setDataset(data);
        chart.setTitle(module == null ? "" : module + " \u2014 adjacent profiles of every criterion");
        chart.getTitle().setFont(Charts.TITLE);
    }

    /** The profile (entry 0 ignored) mapped to [0, 1], turned when smaller means more similar. */
    static double[] scaled(double[] profile, boolean higherIsSimilar) {
        double[] values = Arrays.copyOfRange(profile, 1, profile.length);
        double low = Arrays.stream(values).min().orElse(0);
        double high = Arrays.stream(values).max().orElse(1);
        double[] out = new double[profile.length];
        out[0] = Double.NaN;
        for (int i = 1; i < profile.length; i++) {
            double t = high > low ? (profile[i] - low) / (high - low) : 1;
            out[i] = higherIsSimilar ? t : 1 - t;
        }
        return out;
    }

    private FigureData data() {
        String module = vm.selectedModuleProperty().get();
        Analysis analysis = vm.analysis();
        List<String> columns = new ArrayList<>(List.of("layer"));
        List<double[]> rows = new ArrayList<>();
        if (analysis != null && analysis.modules().containsKey(module)) {
            ModuleAnalysis m = analysis.modules().get(module);
            List<double[]> profiles = new ArrayList<>();
            m.metrics().forEach((metric, matrix) -> {
                columns.add(metric.code());
                profiles.add(matrix.adjacent());
            });
            for (int i = 1; i < m.layers(); i++) {
                double[] row = new double[1 + profiles.size()];
                row[0] = i;
                for (int c = 0; c < profiles.size(); c++) {
                    row[c + 1] = profiles.get(c)[i];
                }
                rows.add(row);
            }
        }
        return new FigureData(module + "-criteria-profiles", columns, rows);
    }
}
