package dev.plateau.ui;

import dev.plateau.figures.Charts;
import dev.plateau.finetune.FinetuneSettings;
import dev.plateau.finetune.TrainingMetric;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.util.StringConverter;
import org.jfree.chart.JFreeChart;

/**
 * The fine-tuning tab: the settings of the family's recipe, the exact command (one argument per line, editable:
 * nothing goes through a shell), Launch / Stop / Restart and the Slurm script, the live console and the loss curve.
 */
final class FinetunePane extends VBox {

    FinetunePane(FinetuneViewModel vm, Consumer<String> notices) {
        super(8);
        setPadding(new Insets(10));
        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        form.addRow(0, label("checkpoint"), folder(vm.checkpointProperty(), "finetuneCheckpoint",
                "The exported (pruned) checkpoint; the last export of this session goes here by itself"),
                label("dataset"), folder(vm.datasetProperty(), "finetuneDataset",
                        "The LeRobot dataset to fine-tune on (the folder holding meta/): v3.0 for lerobot-train, "
                                + "v2.x with meta/modality.json for GR00T"));
        ChoiceBox<FinetuneSettings.MultiGpu> launcher = new ChoiceBox<>();
        launcher.getItems().setAll(FinetuneSettings.MultiGpu.values());
        launcher.valueProperty().bindBidirectional(vm.launcherProperty());
        launcher.setConverter(new StringConverter<>() {
            @Override
            public String toString(FinetuneSettings.MultiGpu m) {
                return m == null ? "" : m == FinetuneSettings.MultiGpu.ACCELERATE ? "accelerate launch" : "torchrun";
            }

            @Override
            public FinetuneSettings.MultiGpu fromString(String s) {
                return s.equals("torchrun") ? FinetuneSettings.MultiGpu.TORCHRUN
                        : FinetuneSettings.MultiGpu.ACCELERATE;
            }
        });
        launcher.disableProperty().bind(vm.gpusProperty().lessThan(2).or(vm.recipeIsGr00tProperty()));
        launcher.setTooltip(new Tooltip("How lerobot-train runs on several GPUs: accelerate launch --multi_gpu (its "
                + "multi-GPU guide) or torchrun; GR00T's script starts torchrun itself"));
        form.addRow(1, label("steps"), spinner(vm.stepsProperty(), 1, 10_000_000, 1000, "finetuneSteps",
                "Optimisation steps"), label("batch / GPU"), spinner(vm.batchSizeProperty(), 1, 4096, 8,
                "finetuneBatch", "Samples per step on each GPU"));
        form.addRow(2, label("GPUs"), spinner(vm.gpusProperty(), 1, 64, 1, "finetuneGpus",
                "GPUs on one node; above 1 the recipe's multi-GPU launcher runs"), label("launcher"), launcher);
        TextField python = text(vm.pythonProperty(), "finetunePython", "The Python of Isaac-GR00T's environment");
        python.disableProperty().bind(vm.recipeIsGr00tProperty().not());
        form.addRow(3, label("trainer"), text(vm.trainerProperty(), "finetuneTrainer",
                "lerobot-train (on PATH, or its path), or the path of Isaac-GR00T's scripts/gr00t_finetune.py"),
                label("python"), python);
        TextField dataConfig = text(vm.dataConfigProperty(), "finetuneDataConfig", "GR00T's --data-config: a name "
                + "of its DATA_CONFIG_MAP (so100, so100_dualcam, unitree_g1, ...) or module:Class");
        dataConfig.disableProperty().bind(vm.recipeIsGr00tProperty().not());
        form.addRow(4, label("data config"), dataConfig, label("Slurm"), new HBox(4,
                text(vm.slurmTimeProperty(), "slurmTime", "The job's time limit, [D-]HH:MM:SS"),
                text(vm.partitionProperty(), "slurmPartition", "The partition (empty: the cluster's default)")));

        TextArea command = new TextArea();
        command.setId("finetuneCommand");
        command.getStyleClass().add("monospace");
        command.textProperty().bindBidirectional(vm.commandTextProperty());
        command.setTooltip(new Tooltip("The exact command, one argument per line. Edit it freely: it runs as this "
                + "list of arguments, without a shell"));
        command.setPrefRowCount(10);
        Label warnings = new Label();
        warnings.setId("finetuneWarnings");
        warnings.setWrapText(true);
        warnings.getStyleClass().add("warning");
        warnings.textProperty().bind(vm.warningsProperty());

        JFreeChart loss = Charts.loss();
        ChartPane lossChart = new ChartPane(loss, "lossChart", () -> lossData(vm.metrics()), notices);
        vm.metrics().addListener((ListChangeListener<TrainingMetric>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && vm.metrics().isEmpty()) {
                    Charts.clearLoss(loss);
                }
                c.getAddedSubList().forEach(m -> Charts.addLoss(loss, m));
            }
        });
        SplitPane middle = new SplitPane(new VBox(6, command, warnings), lossChart);
        middle.setDividerPositions(0.5);
        VBox.setVgrow(command, Priority.ALWAYS);

        Button launch = button("Launch", "launchRun", "Run the command on this machine; its log streams below and "
                + "is kept with the command and the metrics in the run folder beside the export", vm::launch);
        launch.getStyleClass().add("primary");
        launch.disableProperty().bind(vm.runningProperty().or(vm.settingsProperty().isNull()));
        Button stop = button("Stop", "stopRun", "End the trainer and its GPU workers", vm::stop);
        stop.disableProperty().bind(vm.runningProperty().not());
        Button restart = button("Restart", "restartRun", "Stop, then run the same command again in a new run folder",
                vm::restart);
        restart.disableProperty().bind(vm.launchedProperty().not().or(vm.settingsProperty().isNull()));
        Button slurm = button("Write sbatch script", "writeSlurm", "Write command.sh and train.sbatch into the run "
                + "folder, to submit with sbatch on your cluster", vm::writeSlurm);
        slurm.disableProperty().bind(vm.settingsProperty().isNull());
        Label status = new Label();
        status.setId("runStatus");
        status.getStyleClass().add("note");
        status.textProperty().bind(vm.statusProperty());
        HBox buttons = new HBox(8, launch, stop, restart, slurm, status);

        ListView<String> console = new ListView<>(vm.console());
        console.setId("console");
        console.getStyleClass().add("monospace");
        console.setPrefHeight(200);
        // after the list has laid out the new line, so that the last one is in view
        vm.console().addListener((ListChangeListener<String>) c -> Platform.runLater(
                () -> console.scrollTo(vm.console().size() - 1)));

        SplitPane body = new SplitPane(middle, console);
        body.setOrientation(Orientation.VERTICAL);
        body.setDividerPositions(0.55);
        VBox.setVgrow(body, Priority.ALWAYS);
        getChildren().addAll(form, buttons, body);
    }

    private static FigureData lossData(List<TrainingMetric> metrics) {
        List<double[]> rows = new ArrayList<>();
        for (TrainingMetric m : metrics) {
            rows.add(new double[] {m.step(), m.loss(), m.learningRate()});
        }
        return new FigureData("fine-tuning loss", List.of("step", "loss", "learning_rate"), rows);
    }

    /** A folder field: typed or pasted (taken on Enter or on leaving the field), or chosen with the button. */
    private HBox folder(ObjectProperty<Path> property, String id, String tip) {
        TextField field = new TextField();
        field.setId(id);
        field.setPrefColumnCount(28);
        field.setTooltip(new Tooltip(tip + ". Type or paste a path and press Enter, or choose it with \u2026"));
        property.addListener((o, a, b) -> field.setText(b == null ? "" : b.toString()));
        Runnable take = () -> {
            String text = field.getText().strip();
            Path typed = text.isEmpty() ? null : Path.of(text.startsWith("~" + File.separator)
                    ? System.getProperty("user.home") + text.substring(1) : text).toAbsolutePath().normalize();
            if (!Objects.equals(typed, property.get())) {
                property.set(typed);
            }
        };
        field.setOnAction(e -> take.run());
        field.focusedProperty().addListener((o, was, is) -> {
            if (!is) {
                take.run();
            }
        });
        Button browse = new Button("\u2026");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            File f = chooser.showDialog(getScene().getWindow());
            if (f != null) {
                property.set(f.toPath());
            }
        });
        HBox.setHgrow(field, Priority.ALWAYS);
        return new HBox(4, field, browse);
    }

    /** A form label that keeps its text whole when the form is narrow. */
    private static Label label(String text) {
        Label l = new Label(text);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private static Spinner<Integer> spinner(IntegerProperty property, int min, int max, int step, String id,
                                            String tip) {
        Spinner<Integer> spinner = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(min, max,
                Math.max(min, property.get()), step));
        spinner.setId(id);
        spinner.setEditable(true);
        spinner.setPrefWidth(110);
        spinner.setTooltip(new Tooltip(tip));
        spinner.valueProperty().addListener((o, a, b) -> property.set(b));
        property.addListener((o, a, b) -> spinner.getValueFactory().setValue(Math.max(min, b.intValue())));
        return spinner;
    }

    private static TextField text(StringProperty property, String id, String tip) {
        TextField field = new TextField();
        field.setId(id);
        field.textProperty().bindBidirectional(property);
        field.setTooltip(new Tooltip(tip));
        return field;
    }

    private static Button button(String text, String id, String tip, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }
}
