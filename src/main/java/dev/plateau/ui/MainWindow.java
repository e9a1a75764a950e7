package dev.plateau.ui;

import dev.plateau.analysis.Metric;
import dev.plateau.workbench.OpenedModel;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.controlsfx.control.NotificationPane;
import org.controlsfx.control.action.Action;

/**
 * The workbench window: menu, the model tree and the calibration form on the left, the figures in the middle, the
 * plan on the right, the running job at the bottom. Messages appear in a bar over the figures; the window stays
 * usable whatever goes wrong.
 */
public final class MainWindow {
    private final Stage stage;
    private final SessionViewModel vm;
    private final NotificationPane notifications;
    /** The notice shown; the bar shows what fits on a line, its Details the whole of it. */
    private String lastNotice = "";
    private final Scene scene;

    public MainWindow(Stage stage, SessionViewModel vm) {
        this.stage = stage;
        this.vm = vm;
        SimilarityPane similarity = new SimilarityPane(vm);
        TabPane tabs = new TabPane(new Tab("Similarity", similarity), new Tab("Compare criteria",
                new ComparePane(vm)), new Tab("PCA preview", new PcaPane(vm)),
                new Tab("Fine-tune", new FinetunePane(vm.finetune(), vm.notices()::add)), new Tab("Notes", notes()));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("tabs");
        BorderPane center = new BorderPane(tabs);
        center.setTop(criterionBar());
        notifications = new NotificationPane(center);
        notifications.setId("notification");
        notifications.setShowFromTop(true);
        notifications.getActions().setAll(new Action("Details\u2026", e -> showNoticeDetails()));
        SplitPane left = new SplitPane(new ModelTree(vm), new CalibrationPane(vm));
        left.setOrientation(Orientation.VERTICAL);
        left.setDividerPositions(0.5);
        left.setPrefWidth(300);
        PlanPane plan = new PlanPane(vm, this::showExport);
        plan.setPrefWidth(380);
        SplitPane main = new SplitPane(left, notifications, plan);
        main.setDividerPositions(0.21, 0.73);
        SplitPane.setResizableWithParent(left, false);
        SplitPane.setResizableWithParent(plan, false);
        BorderPane root = new BorderPane(main);
        root.setTop(menu());
        root.setBottom(statusBar());
        scene = new Scene(root, 1400, 880);
        scene.getStylesheets().add(MainWindow.class.getResource("plateau.css").toExternalForm());
        acceptDroppedFolders();
        vm.notices().addListener((ListChangeListener<String>) c -> {
            while (c.next()) {
                if (c.wasAdded()) {
                    lastNotice = c.getAddedSubList().getLast();
                    notifications.show(lastNotice);
                }
            }
        });
        vm.modelProperty().addListener((o, a, b) -> stage.setTitle(title(b)));
        stage.setTitle(title(null));
        stage.setScene(scene);
        stage.setMinWidth(1000);
        stage.setMinHeight(640);
    }

    /** The whole of the last notice, selectable, in a window of its own. */
    private void showNoticeDetails() {
        TextArea text = new TextArea(lastNotice);
        text.setId("noticeDetails");
        text.setEditable(false);
        text.setWrapText(true);
        text.setPrefSize(640, 180);
        Alert details = new Alert(Alert.AlertType.INFORMATION);
        details.initOwner(scene.getWindow());
        details.setTitle("Plateau \u2014 message");
        details.setHeaderText(null);
        details.getDialogPane().setContent(text);
        details.show();
    }

    private static String title(OpenedModel model) {
        return model == null ? "Plateau" : "Plateau \u2014 " + model.spec().family().displayName() + " \u2014 "
                + model.spec().folder();
    }

    public Scene scene() {
        return scene;
    }

    private HBox criterionBar() {
        ChoiceBox<String> criterion = new ChoiceBox<>();
        criterion.setId("criterion");
        for (Metric m : Metric.values()) {
            criterion.getItems().add(m.code());
        }
        criterion.getItems().addAll("random", "keep-first");
        criterion.valueProperty().bindBidirectional(vm.criterionProperty());
        criterion.setTooltip(new Tooltip("The criterion of Algorithm 1: a similarity metric's adjacent profile, or "
                + "a baseline (random layers, or the last k); the figures show that metric (CKA for baselines)"));
        Label label = new Label("criterion");
        ChoiceBox<String> tokens = new ChoiceBox<>();
        tokens.setId("tokenType");
        tokens.setTooltip(new Tooltip("Which tokens the heatmap, the profile and the plan are computed over: all of a "
                + "module's tokens, or one type's (image, language, state, action, future), to see whether image "
                + "tokens plateau where language tokens do; a module without that type keeps all of its tokens"));
        Runnable fillTokens = () -> {
            String chosen = vm.tokenTypeProperty().get();
            tokens.getItems().setAll(vm.tokenTypes());
            vm.tokenTypeProperty().set(tokens.getItems().contains(chosen) ? chosen : SessionViewModel.ALL_TOKENS);
            tokens.setDisable(tokens.getItems().size() < 2);
        };
        vm.runProperty().addListener((o, a, b) -> fillTokens.run());
        fillTokens.run();
        tokens.valueProperty().bindBidirectional(vm.tokenTypeProperty());
        HBox bar = new HBox(8, label, criterion, new Label("tokens"), tokens);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        bar.getStyleClass().add("toolbar");
        return bar;
    }

    private MenuBar menu() {
        MenuItem open = item("Open checkpoint\u2026", "Shortcut+O", this::chooseCheckpoint);
        Menu recent = recentMenu("Open recent", vm.recent(), vm::open);
        MenuItem demo = item("Open demo", "Shortcut+D", vm::openDemo);
        MenuItem calibrate = item("Calibrate", "Shortcut+R", vm::calibrate);
        MenuItem export = item("Export pruned checkpoint\u2026", "Shortcut+E", this::showExport);
        MenuItem report = item("Export report\u2026", "Shortcut+Shift+E", this::chooseReport);
        MenuItem openSession = item("Open session\u2026", "Shortcut+Shift+O", this::chooseSession);
        MenuItem saveSession = item("Save session\u2026", "Shortcut+S", this::saveSession);
        Menu recentSessions = recentMenu("Recent sessions", vm.recentSessions(), p -> vm.openSession(p, this::locate));
        MenuItem quit = item("Quit", "Shortcut+Q", stage::close);
        Menu file = new Menu("File", null, open, recent, demo, new SeparatorMenuItem(), openSession, recentSessions,
                saveSession, new SeparatorMenuItem(), calibrate, export, report, new SeparatorMenuItem(), quit);
        MenuItem undo = item("Undo", "Shortcut+Z", vm::undo);
        undo.disableProperty().bind(vm.canUndoProperty().not());
        MenuItem redo = item("Redo", "Shortcut+Shift+Z", vm::redo);
        redo.disableProperty().bind(vm.canRedoProperty().not());
        MenuItem paper = item("Load paper's plan (Table 5)", "Shortcut+P", vm::loadPaperPlan);
        MenuItem auto = item("Auto-tau for every module", "Shortcut+T",
                () -> vm.settings().keySet().forEach(vm::setAutoTau));
        MenuItem sweep = item("Sweep k\u2026", "Shortcut+K", () -> new SweepDialog(stage, vm).show());
        sweep.setId("sweepMenu");
        Menu plan = new Menu("Plan", null, undo, redo, new SeparatorMenuItem(), paper, auto, sweep);
        MenuItem keys = item("Keyboard shortcuts", "F1", this::showShortcuts);
        MenuItem storage = item("Storage and caches\u2026", "Shortcut+Shift+S", this::showStorage);
        Menu help = new Menu("Help", null, keys, storage);
        return new MenuBar(file, plan, help);
    }

    /** A menu of {@code paths}, kept in step with the list, each opened by {@code open}; disabled while empty. */
    private static Menu recentMenu(String title, ObservableList<Path> paths, Consumer<Path> open) {
        Menu menu = new Menu(title);
        Runnable fill = () -> {
            menu.getItems().clear();
            for (Path p : paths) {
                MenuItem i = new MenuItem(p.toString());
                i.setOnAction(e -> open.accept(p));
                menu.getItems().add(i);
            }
            menu.setDisable(menu.getItems().isEmpty());
        };
        paths.addListener((ListChangeListener<Path>) c -> fill.run());
        fill.run();
        return menu;
    }

    private static MenuItem item(String text, String keys, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setAccelerator(KeyCombination.keyCombination(keys));
        item.setOnAction(e -> action.run());
        return item;
    }

    private HBox statusBar() {
        Label title = new Label("Ready");
        title.setId("jobTitle");
        ProgressBar progress = new ProgressBar(0);
        progress.setId("jobProgress");
        progress.setPrefWidth(220);
        Label detail = new Label();
        detail.setId("jobDetail");
        Button cancel = new Button("Cancel");
        cancel.setId("cancelJob");
        cancel.setTooltip(new Tooltip("Stops the running job (Esc); a cancelled calibration writes nothing"));
        cancel.setOnAction(e -> vm.cancel());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(10, title, progress, detail, grow, cancel);
        bar.setPadding(new Insets(4, 10, 4, 10));
        bar.getStyleClass().add("status-bar");
        vm.jobs().currentProperty().addListener((o, a, job) -> {
            progress.progressProperty().unbind();
            detail.textProperty().unbind();
            if (job == null) {
                title.setText("Ready");
                progress.setProgress(0);
                detail.setText("");
            } else {
                title.setText(job.title());
                progress.progressProperty().bind(job.progressProperty());
                detail.textProperty().bind(job.detailProperty());
            }
        });
        cancel.disableProperty().bind(Bindings.isNull(vm.jobs().currentProperty()));
        return bar;
    }

    private void acceptDroppedFolders() {
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            List<File> files = e.getDragboard().getFiles();
            if (files != null && !files.isEmpty()) {
                Path p = files.getFirst().toPath();
                vm.open(Files.isDirectory(p) ? p : p.toAbsolutePath().getParent());
            }
            e.setDropCompleted(true);
            e.consume();
        });
        scene.getAccelerators().put(KeyCombination.keyCombination("Esc"), vm::cancel);
    }

    private void chooseCheckpoint() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open checkpoint folder (config.json + safetensors)");
        File folder = chooser.showDialog(stage);
        if (folder != null) {
            vm.open(folder.toPath());
        }
    }

    /** The study's free-text notes, kept in its session file. */
    private TextArea notes() {
        TextArea notes = new TextArea();
        notes.setId("notes");
        notes.setWrapText(true);
        notes.setPromptText("Notes on this study: what you tried, why this plan, what to check after fine-tuning. "
                + "They are saved with the session (File \u2192 Save session).");
        notes.textProperty().bindBidirectional(vm.notesProperty());
        return notes;
    }

    private void chooseSession() {
        fileToOpen("Open a Plateau session", "Plateau session", "plateau")
                .ifPresent(file -> vm.openSession(file, this::locate));
    }

    private void saveSession() {
        fileToSave("Save the study as a Plateau session", "Plateau session", "plateau", ".plateau")
                .ifPresent(vm::saveSession);
    }

    /** Asks for a folder that moved since a session was saved. */
    private Optional<Path> locate(String question) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(question);
        File folder = chooser.showDialog(stage);
        return Optional.ofNullable(folder).map(File::toPath);
    }

    private void chooseReport() {
        fileToSave("Export the study as one HTML page", "HTML", "html", "-report.html").ifPresent(vm::exportReport);
    }

    private Optional<Path> fileToOpen(String title, String kind, String extension) {
        return Optional.ofNullable(chooser(title, kind, extension).showOpenDialog(stage)).map(File::toPath);
    }

    /** A file to write, proposed as the open checkpoint's folder name (else "study") followed by {@code suffix}. */
    private Optional<Path> fileToSave(String title, String kind, String extension, String suffix) {
        FileChooser chooser = chooser(title, kind, extension);
        OpenedModel m = vm.modelProperty().get();
        chooser.setInitialFileName((m == null ? "study" : m.spec().folder().getFileName().toString()) + suffix);
        return Optional.ofNullable(chooser.showSaveDialog(stage)).map(File::toPath);
    }

    private static FileChooser chooser(String title, String kind, String extension) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(kind, "*." + extension));
        return chooser;
    }

    void showExport() {
        if (vm.planProperty().get() == null) {
            vm.notices().add("open a checkpoint and make a plan first");
            return;
        }
        new ExportDialog(stage, vm).show();
    }

    /** Help → Storage and caches. */
    void showStorage() {
        new StorageDialog(stage, vm).show();
    }

    private void showShortcuts() {
        Alert alert = new Alert(Alert.AlertType.INFORMATION);
        alert.initOwner(stage);
        alert.setTitle("Keyboard shortcuts");
        alert.setHeaderText("Keyboard shortcuts");
        alert.setContentText(String.join("\n", "Ctrl+O  open a checkpoint folder", "Ctrl+D  open the demo",
                "Ctrl+S / Ctrl+Shift+O  save / open the study as a session (.plateau)",
                "Ctrl+R  calibrate", "Ctrl+E  export the pruned checkpoint", "Ctrl+Shift+E  export the report (HTML)", "Ctrl+Z / Ctrl+Shift+Z  undo / redo",
                "Ctrl+P  load the paper's plan", "Ctrl+T  auto-tau everywhere", "Ctrl+K  sweep k (cost against CKA given up)",
                "Esc  cancel the running job",
                "Ctrl+Shift+S  storage and caches (sizes, clear)",
                "Drag a checkpoint folder onto the window to open it",
                "Right-click a figure to save it (PNG, SVG) or its numbers (CSV, JSON)"));
        alert.show();
    }
}
