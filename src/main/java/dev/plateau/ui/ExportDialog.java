package dev.plateau.ui;

import dev.plateau.prune.Exporter;
import dev.plateau.workbench.ExportPreview;
import dev.plateau.workbench.PlateauException;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Export of the current plan: where to, what will change (config keys, tensor counts, layer renumbering, what the
 * user must do to load it), the export's progress, and the verification of what was written.
 */
final class ExportDialog extends Stage {

    ExportDialog(Window owner, SessionViewModel vm) {
        initOwner(owner);
        initModality(Modality.WINDOW_MODAL);
        setTitle("Export pruned checkpoint");
        Path source = vm.modelProperty().get().spec().folder();
        TextField out = new TextField(source.resolveSibling(source.getFileName() + "-pruned").toString());
        out.setId("exportFolder");
        HBox.setHgrow(out, Priority.ALWAYS);
        Button browse = new Button("\u2026");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Parent folder of the export");
            File f = chooser.showDialog(this);
            if (f != null) {
                out.setText(f.toPath().resolve(source.getFileName() + "-pruned").toString());
            }
        });
        CheckBox replace = new CheckBox("replace the folder if it exists");
        replace.setId("exportReplace");
        TextArea preview = new TextArea();
        preview.setId("exportPreview");
        preview.setEditable(false);
        preview.setWrapText(true);
        preview.setPrefRowCount(12);
        Label result = new Label();
        result.setId("verifyResult");
        result.setWrapText(true);
        // the whole reason is shown, however many lines: the label takes its wrapped height and the dialog grows
        result.setMinHeight(Region.USE_PREF_SIZE);
        result.textProperty().addListener((o, a, b) -> Platform.runLater(this::sizeToScene));
        Button stop = new Button("Stop");
        stop.setId("stopExport");
        stop.setDisable(true);
        stop.setTooltip(new Tooltip("Stops the export; nothing is left in the output folder"));
        stop.setOnAction(e -> vm.cancel());
        ProgressBar progress = new ProgressBar(-1);
        progress.setMaxWidth(Double.MAX_VALUE);
        progress.setVisible(false);
        Button export = new Button("Export");
        export.setId("doExport");
        export.setDefaultButton(true);
        export.getStyleClass().add("primary");
        Button close = new Button("Close");
        close.setCancelButton(true);
        close.setOnAction(e -> close());
        ExportPreview p;
        try {
            p = vm.exportPreview();
            preview.setText(describe(p));
            export.setDisable(!p.exportable());
        } catch (PlateauException e) {
            preview.setText(e.getMessage());
            export.setDisable(true);
        }
        export.setOnAction(e -> {
            Path target;
            try {
                target = Path.of(out.getText().trim());
            } catch (RuntimeException bad) {
                result.setText("\u26a0 " + out.getText() + " is not a folder path");
                return;
            }
            export.setDisable(true);
            progress.setVisible(true);
            progress.progressProperty().unbind();
            progress.setProgress(-1);
            result.setText("Writing and verifying " + target + "\u2026");
            vm.export(target, replace.isSelected(), r -> {
                progress.progressProperty().unbind();
                progress.setVisible(false);
                result.getStyleClass().remove("problem");
                result.setText(verified(r));
            }, reason -> {
                progress.progressProperty().unbind();
                progress.setVisible(false);
                export.setDisable(false);
                result.getStyleClass().add("problem");
                result.setText("\u26a0 Nothing was written: " + reason);
            });
            Job job = vm.jobs().currentProperty().get();
            if (job != null && job.title().equals("Export")) {
                progress.progressProperty().bind(job.progressProperty());
                stop.disableProperty().bind(job.runningProperty().not());
            }
        });
        VBox root = new VBox(10, new Label("Output folder"), new HBox(4, out, browse), replace,
                new Label("What will change"), preview, progress, result, new HBox(8, export, stop, close));
        root.setPadding(new Insets(14));
        root.setPrefWidth(640);
        Scene scene = new Scene(root);
        scene.getStylesheets().addAll(owner.getScene().getStylesheets());
        setScene(scene);
    }

    static String describe(ExportPreview p) {
        if (!p.exportable()) {
            return "This plan cannot be exported:\n  " + String.join("\n  ", p.problems());
        }
        StringBuilder s = new StringBuilder();
        s.append("Tensors: ").append(p.tensors()).append(" \u2192 ").append(p.prunedTensors()).append('\n');
        s.append("config.json: ");
        if (p.configChanges().isEmpty()) {
            s.append("unchanged\n");
        } else {
            s.append('\n');
            p.configChanges().forEach((k, v) -> s.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        for (Map.Entry<String, Map<Integer, Integer>> e : p.layerMaps().entrySet()) {
            if (e.getValue().entrySet().stream().allMatch(m -> m.getKey().equals(m.getValue()))) {
                continue;
            }
            s.append("Layers of ").append(e.getKey()).append(" renumbered (old \u2192 new): ")
                    .append(e.getValue()).append('\n');
        }
        s.append("Auxiliary files are copied; plateau-pruning.json records the source, the plan and the layer map.\n");
        p.notes().forEach(n -> s.append("\nNote: ").append(n).append('\n'));
        return s.toString();
    }

    static String verified(Exporter.Result r) {
        if (r.verification().ok()) {
            return "\u2714 Verified: " + r.verification().checked() + " tensors are what the "
                    + r.verification().spec().family().displayName() + " loading code asks for. Written to "
                    + r.folder() + (r.notes().isEmpty() ? "" : "\n" + String.join("\n", r.notes()));
        }
        return "\u26a0 Verification found problems:\n" + String.join("\n", r.verification().problems());
    }
}
