package dev.plateau.ui;

import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.MemoryEstimate;
import java.io.File;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;

/**
 * The calibration form: data folder, samples, seed, device, timestep sampling, the memory the run will need, the run
 * button, and adding samples to the calibration.
 */
final class CalibrationPane extends VBox {
    private static final String MEMORY_HELP = "The run's peak memory, estimated before it starts: the largest layer's "
            + "weights (float32), one batch's activations (every layer of the batch is kept until it is folded into "
            + "the statistics), the statistics (exact per token type; fixed by the model's widths, not the samples), "
            + "the token sample, and the runtime. More samples add batches, not memory.";

    CalibrationPane(SessionViewModel vm) {
        super(8);
        setPadding(new Insets(10));
        Label title = new Label("Calibration");
        title.getStyleClass().add("section-title");
        TextField data = new TextField();
        data.setId("dataFolder");
        data.setPromptText("LeRobot dataset, or a folder with manifest.jsonl");
        data.setEditable(false);
        vm.dataFolderProperty().addListener((o, a, b) -> data.setText(b == null ? "" : b.toString()));
        if (vm.dataFolderProperty().get() != null) {
            data.setText(vm.dataFolderProperty().get().toString());
        }
        data.setTooltip(new Tooltip("A LeRobot dataset (v2.1, v3.0, or GR00T's with meta/modality.json): frames "
                + "drawn across episodes, camera frames decoded from its videos. Or a folder with manifest.jsonl, one "
                + "sample per line (instruction, camera images, state)"));
        Button browse = new Button("\u2026");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Calibration data folder");
            File f = chooser.showDialog(getScene().getWindow());
            if (f != null) {
                vm.chooseDataFolder(f.toPath());
            }
        });
        HBox.setHgrow(data, Priority.ALWAYS);
        Spinner<Integer> samples = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 4096,
                vm.samplesProperty().get()));
        samples.setId("samples");
        samples.setEditable(true);
        samples.valueProperty().addListener((o, a, b) -> vm.samplesProperty().set(b));
        vm.samplesProperty().addListener((o, a, b) -> samples.getValueFactory().setValue(b.intValue()));
        samples.setTooltip(new Tooltip("Samples drawn from the set; every layer's hidden states of their tokens are "
                + "compared"));
        TextField seed = new TextField(Long.toString(vm.seedProperty().get()));
        seed.setId("seed");
        seed.textProperty().addListener((o, a, b) -> {
            try {
                vm.seedProperty().set(Long.parseLong(b.trim()));
                seed.getStyleClass().remove("invalid");
            } catch (NumberFormatException e) {
                if (!seed.getStyleClass().contains("invalid")) {
                    seed.getStyleClass().add("invalid");
                }
            }
        });
        seed.setTooltip(new Tooltip("Seeds the draw of samples, the noise and the flow-matching times"));
        ChoiceBox<String> device = new ChoiceBox<>();
        device.getItems().addAll("auto", "cpu", "gpu");
        device.setValue(vm.deviceProperty().get());
        device.valueProperty().bindBidirectional(vm.deviceProperty());
        device.setTooltip(new Tooltip("auto: the GPU when one is usable (an NVIDIA driver, and libtorch's CUDA "
                + "natives: `plateau gpu install` downloads them once, or a -Dcuda build), else the CPU"));
        CheckBox fixed = new CheckBox("fixed t");
        fixed.selectedProperty().bindBidirectional(vm.fixedTimeProperty());
        Spinner<Double> time = new Spinner<>(new SpinnerValueFactory.DoubleSpinnerValueFactory(0, 1,
                vm.timeProperty().get(), 0.05));
        time.setPrefWidth(80);
        time.disableProperty().bind(fixed.selectedProperty().not());
        time.valueProperty().addListener((o, a, b) -> vm.timeProperty().set(b));
        fixed.setTooltip(new Tooltip("Flow-matching timestep: drawn per sample as in training (Beta), or one fixed "
                + "t for every sample"));
        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        form.addRow(0, label("data"), new HBox(4, data, browse));
        TextField cameras = new TextField();
        cameras.setId("cameras");
        cameras.setPromptText("default");
        cameras.textProperty().bindBidirectional(vm.camerasProperty());
        cameras.setTooltip(new Tooltip("A dataset's cameras in the model's order, comma-separated (e.g. "
                + "observation.images.top, observation.images.wrist). Default: the checkpoint's camera names when "
                + "the dataset has them all, else GR00T's modality.json order, else the dataset's"));
        Label dataSummary = new Label();
        dataSummary.setId("dataSummary");
        dataSummary.setWrapText(true);
        dataSummary.getStyleClass().add("note");
        dataSummary.textProperty().bind(vm.dataSummaryProperty());
        dataSummary.managedProperty().bind(dataSummary.textProperty().isNotEmpty());
        dataSummary.visibleProperty().bind(dataSummary.managedProperty());
        form.addRow(1, label("cameras"), cameras);
        form.addRow(2, label("samples"), samples);
        form.addRow(3, label("seed"), seed);
        form.addRow(4, label("device"), device);
        form.addRow(5, label("timestep"), new HBox(6, fixed, time));
        Button run = new Button("Calibrate");
        run.setId("calibrate");
        run.setMaxWidth(Double.MAX_VALUE);
        run.getStyleClass().add("primary");
        run.setTooltip(new Tooltip("One forward pass over the samples, capturing every layer's hidden states, then "
                + "the similarity of every pair of layers under every metric (cached: asking again is instant)"));
        run.setOnAction(e -> vm.calibrate());
        run.disableProperty().bind(vm.modelProperty().isNull().or(vm.jobs().currentProperty().isNotNull()));
        Label memory = new Label();
        memory.setId("memoryEstimate");
        memory.setWrapText(true);
        memory.setMinHeight(Region.USE_PREF_SIZE);
        memory.getStyleClass().add("note");
        memory.setTooltip(new Tooltip(MEMORY_HELP));
        vm.memoryEstimateProperty().addListener((o, a, b) -> showMemory(memory, b));
        showMemory(memory, vm.memoryEstimateProperty().get());
        Spinner<Integer> more = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 4096, 32));
        more.setId("moreSamples");
        more.setEditable(true);
        more.setPrefWidth(90);
        Button add = new Button("Add samples");
        add.setId("addSamples");
        add.setTooltip(new Tooltip("Runs only the new samples, continuing the seeded draw without repeats, and merges "
                + "their statistics into this calibration's: every figure updates, nothing is recomputed"));
        add.setOnAction(e -> vm.addSamples(more.getValue()));
        add.disableProperty().bind(vm.runProperty().isNull().or(vm.jobs().currentProperty().isNotNull()));
        HBox adding = new HBox(6, add, more);
        adding.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Label summary = new Label();
        summary.setId("calibrationSummary");
        summary.setWrapText(true);
        summary.getStyleClass().add("note");
        vm.runProperty().addListener((o, a, b) -> summary.setText(b == null ? "" : summary(b)));
        getChildren().addAll(title, form, dataSummary, memory, run, adding, summary);
    }

    /** A form label that keeps its text whole when the form is narrow. */
    private static Label label(String text) {
        Label l = new Label(text);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    /** The estimate in a line (total, what is available, the parts of a tenth of a GB or more), whole in the tooltip. */
    private static void showMemory(Label label, MemoryEstimate estimate) {
        label.getStyleClass().remove("problem");
        if (estimate == null) {
            label.setText("");
            return;
        }
        StringBuilder parts = new StringBuilder();
        estimate.parts().forEach((part, bytes) -> {
            if (bytes >= 100_000_000L) {
                parts.append(parts.isEmpty() ? "" : ", ").append(part).append(' ').append(gb(bytes));
            }
        });
        label.setText("Memory at peak: about " + gb(estimate.total()) + " of " + gb(estimate.available()) + " on "
                + estimate.device() + " (" + parts + ")" + (estimate.fits() ? "" : ". Will not fit: "
                + estimate.advice(Calibrator.BATCH) + "."));
        label.setTooltip(new Tooltip(MEMORY_HELP + "\n\n" + estimate.summary()));
        if (!estimate.fits()) {
            label.getStyleClass().add("problem");
        }
    }

    private static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    private static String summary(dev.plateau.workbench.AnalysedRun run) {
        StringBuilder s = new StringBuilder(run.cached() ? "From the session cache: " : "Calibrated: ");
        s.append(run.request().samples()).append(" samples");
        run.analysis().modules().forEach((name, m) -> s.append(", ").append(name).append(' ').append(m.tokens())
                .append(" tokens"));
        return s.append(". Run: ").append(run.files().analysis()).toString();
    }
}
