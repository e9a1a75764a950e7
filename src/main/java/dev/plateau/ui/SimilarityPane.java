package dev.plateau.ui;

import dev.plateau.figures.Charts;
import javafx.scene.input.MouseButton;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.geometry.Orientation;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.ui.RectangleEdge;

/**
 * The selected module's similarity heatmap (hover: the layer pair and value; click: select a layer) over its
 * adjacent profile (drag: move tau), both following the plan as it changes.
 */
final class SimilarityPane extends BorderPane {
    private final SessionViewModel vm;
    private final JFreeChart heatmap = Charts.heatmap();
    private final JFreeChart profile = Charts.profile();
    private final ChartPane heatmapPane;
    private final ChartPane profilePane;
    private final Label empty = new Label("Calibrate to see how similar the layers are (Calibration, on the left).");
    private boolean dragging;

    SimilarityPane(SessionViewModel vm) {
        this.vm = vm;
        heatmapPane = new ChartPane(heatmap, "heatmap", this::heatmapData, vm.notices()::add);
        profilePane = new ChartPane(profile, "profile", this::profileData, vm.notices()::add);
        SplitPane split = new SplitPane(heatmapPane, profilePane);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.62);
        empty.getStyleClass().add("placeholder");
        setCenter(new StackPane(split, empty));
        heatmapPane.onDataClicked((x, y) -> {
            if (matrix().isPresent()) {
                vm.selectedLayerProperty().set((int) Math.round(x));
            }
        });
        heatmapPane.describeHovered(this::describeCell);
        profilePane.getCanvas().addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            dragging = true;
            dragTau(e);
        });
        profilePane.getCanvas().addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragTau);
        profilePane.getCanvas().addEventHandler(MouseEvent.MOUSE_RELEASED, e -> dragging = false);
        vm.runProperty().addListener((o, a, b) -> refresh());
        vm.selectedModuleProperty().addListener((o, a, b) -> refresh());
        vm.criterionProperty().addListener((o, a, b) -> refresh());
        vm.tokenTypeProperty().addListener((o, a, b) -> refresh());
        vm.planProperty().addListener((o, a, b) -> refreshPlan());
        vm.selectedLayerProperty().addListener((o, a, b) -> refreshPlan());
        refresh();
    }

    /** The metric shown: the criterion's, or CKA for the baselines. */
    static Metric shownMetric(String criterion) {
        return Metric.fromCode(criterion).orElse(Metric.CKA);
    }

    private Optional<SimilarityMatrix> matrix() {
        Analysis analysis = vm.analysis();
        String module = vm.selectedModuleProperty().get();
        if (analysis == null || module == null) {
            return Optional.empty();
        }
        ModuleAnalysis m = analysis.modules().get(module);
        return m == null ? Optional.empty()
                : Optional.ofNullable(m.metrics().get(shownMetric(vm.criterionProperty().get())));
    }

    private void refresh() {
        Optional<SimilarityMatrix> matrix = matrix();
        empty.setVisible(matrix.isEmpty());
        matrix.ifPresent(m -> Charts.showMatrix(heatmap, titled(vm.selectedModuleProperty().get()), m));
        refreshPlan();
    }

    /** The module as the figures name it, with the token type when the figures show one type's tokens. */
    private String titled(String module) {
        Analysis analysis = vm.analysis();
        String type = vm.tokenTypeProperty().get();
        boolean typed = type != null && !type.equals(SessionViewModel.ALL_TOKENS) && analysis != null
                && vm.runProperty().get().analysis().modules().get(module).tokenTypes().containsKey(type);
        return typed ? module + " (" + type + " tokens)" : module;
    }

    /** Redraws what depends on the plan: blocks, removal marks, the profile's marks and tau line. */
    void refreshPlan() {
        Optional<SimilarityMatrix> matrix = matrix();
        if (matrix.isEmpty()) {
            return;
        }
        String module = vm.selectedModuleProperty().get();
        Plan plan = vm.planProperty().get();
        ModulePlan m = plan == null ? null : plan.modules().get(module);
        Charts.showPlan(heatmap, m, vm.selectedLayerProperty().get());
        double tau = m == null ? Double.NaN : m.tau();
        Charts.showProfile(profile, titled(module), matrix.get(), m, tau);
    }

    /** The layer pair under the mouse and its value, with what the plan does to the two layers. */
    private Optional<String> describeCell(double x, double y) {
        int j = (int) Math.round(x);
        int i = (int) Math.round(y);
        return matrix().filter(m -> i >= 0 && j >= 0 && i < m.layers() && j < m.layers()).map(m -> {
            Plan plan = vm.planProperty().get();
            ModulePlan p = plan == null ? null : plan.modules().get(vm.selectedModuleProperty().get());
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "layer %d vs layer %d: %s %.4f", i, j,
                    m.metric().label(), m.get(i, j)));
            if (p != null) {
                for (int layer : i == j ? List.of(i) : List.of(i, j)) {
                    if (p.remove().contains(layer)) {
                        text.append("\nlayer ").append(layer).append(" is removed by the plan");
                    }
                }
            }
            return text.toString();
        });
    }

    private void dragTau(MouseEvent e) {
        Rectangle2D area = profilePane.getCanvas().getRenderingInfo().getPlotInfo().getDataArea();
        String module = vm.selectedModuleProperty().get();
        if (!dragging || matrix().isEmpty() || area.getHeight() <= 0 || e.getButton() == MouseButton.SECONDARY) {
            return;
        }
        double y = Math.max(area.getMinY(), Math.min(area.getMaxY(), e.getY()));
        double tau = profile.getXYPlot().getRangeAxis().java2DToValue(y, area, RectangleEdge.LEFT);
        ModuleSettings s = vm.settings().get(module);
        if (s != null && s.followsProperty().get() == null) {
            vm.setTau(module, tau);
        }
    }

    private FigureData heatmapData() {
        SimilarityMatrix m = matrix().orElseThrow();
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < m.layers(); i++) {
            for (int j = 0; j < m.layers(); j++) {
                rows.add(new double[] {i, j, m.get(i, j)});
            }
        }
        return new FigureData(vm.selectedModuleProperty().get() + "-" + m.metric().code() + "-heatmap",
                List.of("layer_i", "layer_j", m.metric().code()), rows);
    }

    private FigureData profileData() {
        SimilarityMatrix m = matrix().orElseThrow();
        Plan plan = vm.planProperty().get();
        ModulePlan mp = plan == null ? null : plan.modules().get(vm.selectedModuleProperty().get());
        double[] profile = m.adjacent();
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < profile.length; i++) {
            rows.add(new double[] {i, profile[i], mp != null && mp.remove().contains(i) ? 1 : 0,
                    mp == null ? Double.NaN : mp.tau()});
        }
        return new FigureData(vm.selectedModuleProperty().get() + "-" + m.metric().code() + "-profile",
                List.of("layer", "adjacent_" + m.metric().code(), "removed", "tau"), rows);
    }
}
