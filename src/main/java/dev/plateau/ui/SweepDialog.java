package dev.plateau.ui;

import dev.plateau.figures.Charts;
import dev.plateau.figures.Palette;
import dev.plateau.workbench.SweepPoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Plan → Sweep k: for every k of a module that the rules allow, what the pruned model keeps (parameters, trainable
 * parameters, predicted latency) against the CKA change given up, with the module's current k marked; a click on the
 * chart takes that k.
 */
final class SweepDialog {
    private final Stage stage = new Stage();
    private final SessionViewModel vm;
    private final ChoiceBox<String> module = new ChoiceBox<>();
    private final JFreeChart chart = chart();
    private final ChartPane pane;
    private List<SweepPoint> points = List.of();

    SweepDialog(Window owner, SessionViewModel vm) {
        this.vm = vm;
        stage.initOwner(owner);
        stage.setTitle("Sweep k");
        module.setId("sweepModule");
        vm.settings().forEach((name, s) -> {
            if (s.followsProperty().get() == null) {
                module.getItems().add(name);
            }
        });
        String selected = vm.selectedModuleProperty().get();
        module.setValue(module.getItems().contains(selected) ? selected
                : module.getItems().isEmpty() ? null : module.getItems().getFirst());
        module.valueProperty().addListener((o, a, b) -> refresh());
        pane = new ChartPane(chart, "sweepChart", this::data, vm.notices()::add);
        pane.describeHovered((x, y) -> point((int) Math.round(x)).map(this::describe));
        pane.onDataClicked((x, y) -> point((int) Math.round(x)).ifPresent(p -> vm.setK(module.getValue(), p.k())));
        vm.planProperty().addListener((o, a, b) -> markCurrent());
        Label hint = new Label("Each point plans k layers with the current criterion (auto-tau) under the model's "
                + "rules; a module tied to another is swept with it. Click a point to take its k; right-click to save "
                + "the figure or its numbers.");
        hint.setWrapText(true);
        hint.setMinHeight(Region.USE_PREF_SIZE);
        hint.getStyleClass().add("note");
        Button close = new Button("Close");
        close.setCancelButton(true);
        close.setOnAction(e -> stage.close());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        VBox root = new VBox(8, new HBox(8, new Label("module"), module), pane, hint, new HBox(grow, close));
        VBox.setVgrow(pane, Priority.ALWAYS);
        root.setPadding(new Insets(12));
        Scene scene = new Scene(root, 820, 560);
        scene.getStylesheets().addAll(owner.getScene().getStylesheets());
        stage.setScene(scene);
        refresh();
    }

    void show() {
        stage.show();
    }

    private void refresh() {
        points = module.getValue() == null ? List.of() : vm.sweep(module.getValue());
        XYSeries params = new XYSeries("parameters kept", false, false);
        XYSeries trainable = new XYSeries("trainable parameters kept", false, false);
        XYSeries latency = new XYSeries("predicted latency (GFLOPs)", false, false);
        XYSeries change = new XYSeries("CKA change removed", false, false);
        if (!points.isEmpty()) {
            SweepPoint base = points.getFirst();
            for (SweepPoint p : points) {
                params.add(p.k(), (double) p.params() / base.params());
                trainable.add(p.k(), base.trainableParams() == 0 ? Double.NaN
                        : (double) p.trainableParams() / base.trainableParams());
                latency.add(p.k(), p.latencyFraction());
                change.add(p.k(), p.changeRemoved());
            }
        }
        XYPlot plot = chart.getXYPlot();
        XYSeriesCollection shares = new XYSeriesCollection();
        shares.addSeries(params);
        shares.addSeries(trainable);
        shares.addSeries(latency);
        plot.setDataset(0, shares);
        plot.setDataset(1, new XYSeriesCollection(change));
        chart.setTitle(module.getValue() == null ? "no module to sweep" : module.getValue()
                + " \u2014 cost and CKA given up for every k");
        chart.getTitle().setFont(Charts.TITLE);
        markCurrent();
    }

    private void markCurrent() {
        XYPlot plot = chart.getXYPlot();
        plot.clearDomainMarkers();
        ModuleSettings s = module.getValue() == null ? null : vm.settings().get(module.getValue());
        if (s != null) {
            ValueMarker current = new ValueMarker(s.kProperty().get(), Palette.SELECTED, new BasicStroke(2f));
            current.setLabel("current k = " + s.kProperty().get());
            current.setLabelFont(Charts.LABEL);
            current.setLabelPaint(Palette.SELECTED.darker());
            current.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            current.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            current.setLabelOffset(new RectangleInsets(6, 6, 6, 6));
            plot.addDomainMarker(current);
        }
    }

    private Optional<SweepPoint> point(int k) {
        return points.stream().filter(p -> p.k() == k).findFirst();
    }

    private String describe(SweepPoint p) {
        SweepPoint base = points.getFirst();
        String removed = p.removed().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "k = %d: removes %s%nkeeps %.1f%% of the parameters (%,d), %.1f%% of the "
                        + "trainable ones; predicted latency %.1f%% of the base%nCKA change removed %.4f (the removed "
                        + "layers' adjacent CKA sums to %.4f)", p.k(), removed, 100.0 * p.params() / base.params(),
                p.params(), base.trainableParams() == 0 ? 100.0 : 100.0 * p.trainableParams() / base.trainableParams(),
                100 * p.latencyFraction(), p.changeRemoved(), p.adjacentCka());
    }

    private FigureData data() {
        List<double[]> rows = new ArrayList<>();
        for (SweepPoint p : points) {
            rows.add(new double[] {p.k(), p.params(), p.trainableParams(), p.gflops(), p.latencyFraction(),
                    p.adjacentCka(), p.changeRemoved()});
        }
        return new FigureData(module.getValue() + "-sweep", List.of("k", "params", "trainable_params", "gflops",
                "latency_fraction", "removed_adjacent_cka", "cka_change_removed"), rows);
    }

    private static JFreeChart chart() {
        NumberAxis k = new NumberAxis("layers removed (k)");
        k.setStandardTickUnits(new NumberTickUnitSource(true));
        k.setLabelFont(Charts.LABEL);
        NumberAxis share = new NumberAxis("share of the base model");
        share.setLabelFont(Charts.LABEL);
        share.setRange(0, 1.05);
        XYLineAndShapeRenderer costs = new XYLineAndShapeRenderer(true, true);
        Color[] colours = {Palette.PROFILE, Palette.TAU, new Color(0x98, 0x4E, 0xA3)};
        for (int s = 0; s < colours.length; s++) {
            costs.setSeriesPaint(s, colours[s]);
            costs.setSeriesShape(s, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        XYPlot plot = new XYPlot(new XYSeriesCollection(), k, share, costs);
        NumberAxis change = new NumberAxis("CKA change removed, \u03a3 (1 \u2212 adjacent CKA)");
        change.setLabelFont(Charts.LABEL);
        change.setLabelPaint(Palette.REMOVED);
        plot.setRangeAxis(1, change);
        plot.setDataset(1, new XYSeriesCollection());
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer given = new XYLineAndShapeRenderer(true, true);
        given.setSeriesPaint(0, Palette.REMOVED);
        given.setSeriesStroke(0, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                new float[] {6f, 4f}, 0f));
        given.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
        plot.setRenderer(1, given);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        JFreeChart chart = new JFreeChart("", Charts.TITLE, plot, false);
        LegendTitle legend = new LegendTitle(plot);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(Charts.LABEL);
        chart.addLegend(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
