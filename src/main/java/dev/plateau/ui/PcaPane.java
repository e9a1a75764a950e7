package dev.plateau.ui;

import dev.plateau.figures.Charts;
import dev.plateau.workbench.LatentPreview;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.jfree.chart.JFreeChart;

/**
 * The latent geometry of a layer: its hidden states in the base model and in the pruned one (before fine-tuning) on
 * the base model's principal components, coloured by token type. Computed when asked, not on every change.
 */
final class PcaPane extends BorderPane {
    private static final int COMPONENTS = 6;
    private final SessionViewModel vm;
    private final JFreeChart base = Charts.latent("base");
    private final JFreeChart pruned = Charts.latent("pruned");
    private final ChoiceBox<Integer> pcX = new ChoiceBox<>();
    private final ChoiceBox<Integer> pcY = new ChoiceBox<>();
    private final Label explained = new Label("Choose a layer and compute: the pruned model runs on the calibration "
            + "samples with the plan's layers skipped.");

    PcaPane(SessionViewModel vm) {
        this.vm = vm;
        Spinner<Integer> layer = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0));
        layer.setId("pcaLayer");
        layer.setPrefWidth(80);
        Runnable bounds = () -> {
            ModuleSettings s = vm.settings().get(vm.selectedModuleProperty().get());
            int max = s == null ? 0 : s.layers() - 1;
            ((SpinnerValueFactory.IntegerSpinnerValueFactory) layer.getValueFactory()).setMax(max);
            layer.getValueFactory().setValue(max);
        };
        vm.selectedModuleProperty().addListener((o, a, b) -> bounds.run());
        vm.modelProperty().addListener((o, a, b) -> bounds.run());
        vm.selectedLayerProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) {
                layer.getValueFactory().setValue(b.intValue());
            }
        });
        for (int i = 1; i <= COMPONENTS; i++) {
            pcX.getItems().add(i);
            pcY.getItems().add(i);
        }
        pcX.setValue(1);
        pcY.setValue(2);
        pcX.valueProperty().addListener((o, a, b) -> show());
        pcY.valueProperty().addListener((o, a, b) -> show());
        Button compute = new Button("Compute PCA");
        compute.setId("computePca");
        compute.getStyleClass().add("primary");
        compute.setTooltip(new Tooltip("Fits principal components on the base model's states of this layer and "
                + "projects the pruned model's states at the same depth on them"));
        compute.setOnAction(e -> vm.computeLatent(vm.selectedModuleProperty().get(), layer.getValue(), COMPONENTS));
        Label module = new Label();
        module.textProperty().bind(vm.selectedModuleProperty());
        explained.setId("pcaExplained");
        explained.setWrapText(true);
        HBox controls = new HBox(8, new Label("module"), module, new Label("layer"), layer, new Label("PC x"), pcX,
                new Label("PC y"), pcY, compute);
        controls.setPadding(new Insets(8));
        GridPane charts = new GridPane();
        ChartPane left = new ChartPane(base, "pcaBase", () -> data(true), vm.notices()::add);
        ChartPane right = new ChartPane(pruned, "pcaPruned", () -> data(false), vm.notices()::add);
        charts.add(left, 0, 0);
        charts.add(right, 1, 0);
        GridPane.setHgrow(left, Priority.ALWAYS);
        GridPane.setHgrow(right, Priority.ALWAYS);
        GridPane.setVgrow(left, Priority.ALWAYS);
        GridPane.setVgrow(right, Priority.ALWAYS);
        left.setPrefSize(400, 400);
        right.setPrefSize(400, 400);
        setTop(controls);
        setCenter(charts);
        setBottom(explained);
        BorderPane.setMargin(explained, new Insets(6, 8, 8, 8));
        vm.latentProperty().addListener((o, a, b) -> show());
    }

    private void show() {
        LatentPreview p = vm.latentProperty().get();
        if (p == null || pcX.getValue() == null || pcY.getValue() == null) {
            return;
        }
        int a = Math.min(pcX.getValue(), p.explained().length) - 1;
        int b = Math.min(pcY.getValue(), p.explained().length) - 1;
        Charts.showLatent(base, p.module() + " layer " + p.layer() + " \u2014 base", p.base(), p.types(), a, b,
                p.explained());
        String prunedTitle = p.prunedLayer() == p.layer() ? p.module() + " layer " + p.layer() + " \u2014 pruned"
                : p.module() + " layer " + p.layer() + " \u2014 pruned (removed; the output of "
                + (p.prunedLayer() < 0 ? "the module's input" : "layer " + p.prunedLayer()) + ")";
        Charts.showLatent(pruned, prunedTitle, p.pruned(), p.types(), a, b, p.explained());
        StringBuilder s = new StringBuilder("Explained variance of the base states:");
        for (int i = 0; i < p.explained().length; i++) {
            s.append(String.format(Locale.ROOT, " PC%d %.1f %%", i + 1, 100 * p.explained()[i]));
        }
        explained.setText(s.append(". ").append(p.base().length).append(" tokens.").toString());
    }

    private FigureData data(boolean ofBase) {
        LatentPreview p = vm.latentProperty().get();
        List<String> columns = new ArrayList<>(List.of("token", "token_type"));
        List<double[]> rows = new ArrayList<>();
        if (p != null) {
            double[][] points = ofBase ? p.base() : p.pruned();
            for (int c = 0; c < p.explained().length; c++) {
                columns.add("pc" + (c + 1));
            }
            for (int i = 0; i < points.length; i++) {
                double[] row = new double[2 + points[i].length];
                row[0] = i;
                row[1] = p.types().length == points.length ? p.types()[i] : Double.NaN;
                System.arraycopy(points[i], 0, row, 2, points[i].length);
                rows.add(row);
            }
        }
        String name = p == null ? "pca" : p.module() + "-layer" + p.layer() + (ofBase ? "-base" : "-pruned") + "-pca";
        return new FigureData(name, columns, rows);
    }
}
