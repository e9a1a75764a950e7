package dev.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.analysis.Metric;
import dev.plateau.finetune.FakeTrainer;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Verifier;
import dev.plateau.workbench.CacheFolder;
import dev.plateau.workbench.Workbench;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.controlsfx.control.NotificationPane;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window driven as a person would: clicks and keys on the real controls, headless (Monocle). */
@ExtendWith(ApplicationExtension.class)
class WorkbenchWindowTest {
    @TempDir
    static Path home;
    @TempDir
    Path scratch;

    private SessionViewModel vm;
    private MainWindow window;

    @BeforeAll
    static void analyseTheDemoOnce() {
        Workbench workbench = new Workbench(home);
        SessionViewModel first = new SessionViewModel(workbench, new Jobs(Runnable::run, Runnable::run));
        first.openDemo();
        assertTrue(first.runProperty().get() != null, first.notices()::toString);
    }

    @Start
    void start(Stage stage) {
        vm = new SessionViewModel(new Workbench(home), Jobs.background(Platform::runLater));
        window = new MainWindow(stage, vm);
        stage.show();
    }

    private void openDemo(FxRobot robot) throws TimeoutException {
        robot.interact(vm::openDemo);
        waitFor(() -> vm.runProperty().get() != null && !vm.jobs().busy());
    }

    private static void waitFor(BooleanSupplier condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            return condition.getAsBoolean();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    @Test
    void movingTauAndKChangesTheRemovalSet(FxRobot robot) throws TimeoutException {
        openDemo(robot);
        assertTrue(text(robot, "#removed-vision").startsWith("removes nothing"));
        robot.clickOn("#kSpinner-vision .increment-arrow-button");
        robot.clickOn("#kSpinner-vision .increment-arrow-button");
        robot.clickOn("#kSpinner-vision .increment-arrow-button");
        waitFor(() -> vm.planProperty().get().modules().get("vision").remove().size() == 3);
        String three = text(robot, "#removed-vision");
        assertTrue(three.contains("keeps 9 of 12"), three);
        robot.clickOn("#tauSlider-vision").type(KeyCode.END);
        waitFor(() -> !text(robot, "#removed-vision").equals(three));
        assertTrue(vm.planProperty().get().modules().get("vision").remove().size() < 3,
                "at the strictest tau fewer layers reach the threshold");
        robot.type(KeyCode.HOME);
        waitFor(() -> text(robot, "#removed-vision").equals(three));
    }

    @Test
    void thePapersPlanLoadsAndARuleViolationIsExplained(FxRobot robot) throws TimeoutException {
        openDemo(robot);
        robot.clickOn("#paperPlan");
        waitFor(() -> text(robot, "#removed-vlm").startsWith("removes [1, 2, 5, 6, 14, 15]"));
        robot.clickOn("#kSpinner-expert .decrement-arrow-button");
        Label problems = robot.lookup("#problems").queryAs(Label.class);
        waitFor(problems::isVisible);
        assertTrue(problems.getText().contains("remove as many layers from vlm as from expert"), problems.getText());
        assertTrue(robot.lookup("#exportButton").queryAs(Button.class).isDisabled());
        robot.clickOn("#moduleTree");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        waitFor(() -> !problems.isVisible());
        assertTrue(text(robot, "#removed-expert").startsWith("removes [1, 2, 5, 6, 14, 15]"));
        assertFalse(robot.lookup("#exportButton").queryAs(Button.class).isDisabled());
    }

    @Test
    void thePapersPlanLoadsForEveryFamilyThePaperPrunes(FxRobot robot) throws Exception {
        Path gr00t = CheckpointBuilder.write(SyntheticModels.named("gr00t", false).orElseThrow(),
                scratch.resolve("gr00t"), CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        robot.interact(() -> vm.open(gr00t));
        waitFor(() -> vm.modelProperty().get() != null && !vm.jobs().busy());
        robot.clickOn("#paperPlan");
        // sample-configs/gr00t-table5.plan.json: VLM 12 -> 5, VL self-attention 4 -> 3, DiT 16 -> 8
        waitFor(() -> text(robot, "#removed-vlm").startsWith("removes [3, 4, 5, 6, 7, 8, 9]"));
        assertEquals(1, vm.planProperty().get().modules().get("vl_self_attention").remove().size());
        assertEquals(8, vm.planProperty().get().modules().get("dit").remove().size());
    }

    @Test
    void theSweepChartsEveryKAndAClickTakesOne(FxRobot robot) throws Exception {
        openDemo(robot);
        robot.clickOn("#moduleTree");
        robot.press(KeyCode.CONTROL).type(KeyCode.K).release(KeyCode.CONTROL);
        waitFor(() -> robot.lookup("#sweepChart").tryQuery().isPresent());
        ChartPane chart = robot.lookup("#sweepChart").queryAs(ChartPane.class);
        String module = robot.lookup("#sweepModule").queryAs(javafx.scene.control.ChoiceBox.class).getValue()
                .toString();
        int layers = vm.settings().get(module).layers();
        XYPlot plot = chart.getChart().getXYPlot();
        assertEquals(layers, plot.getDataset(0).getItemCount(0), "every k from 0 to " + (layers - 1));
        assertEquals(layers, plot.getDataset(1).getItemCount(0));
        waitFor(() -> chart.getCanvas().getRenderingInfo() != null);
        Rectangle2D area = chart.getCanvas().getRenderingInfo().getPlotInfo().getDataArea();
        double x = plot.getDomainAxis().valueToJava2D(4, area, plot.getDomainAxisEdge());
        robot.moveTo(chart.getCanvas().localToScreen(x, area.getCenterY()));
        waitFor(() -> chart.tooltip().getText().startsWith("k = 4: removes"));
        robot.clickOn(chart.getCanvas().localToScreen(x, area.getCenterY()));
        waitFor(() -> vm.planProperty().get().modules().get(module).remove().size() == 4);
        assertEquals(4.0, ((org.jfree.chart.plot.ValueMarker) plot.getDomainMarkers(
                org.jfree.chart.ui.Layer.FOREGROUND).iterator().next()).getValue(), "the current k is marked");
        robot.interact(() -> chart.getScene().getWindow().hide());
    }

    @Test
    void aSavedSessionReopensTheWindowAsItWas(FxRobot robot) throws Exception {
        openDemo(robot);
        robot.clickOn("#paperPlan");
        waitFor(() -> text(robot, "#removed-vlm").startsWith("removes [1, 2, 5, 6, 14, 15]"));
        robot.clickOn("Notes");
        robot.clickOn("#notes").write("paper plan, as a baseline");
        Path file = scratch.resolve("study.plateau");
        robot.interact(() -> vm.saveSession(file));
        waitFor(() -> Files.exists(file) && !vm.jobs().busy());
        double[][] heatmap = vm.analysis().modules().get("vlm").metrics().get(Metric.CKA).values();

        robot.clickOn("Similarity");
        robot.clickOn("#kSpinner-vision .increment-arrow-button");
        robot.interact(() -> vm.notesProperty().set("changed"));
        robot.interact(() -> vm.openSession(file, question -> Optional.empty()));
        waitFor(() -> !vm.jobs().busy() && text(robot, "#removed-vision").startsWith("removes nothing"));
        assertTrue(text(robot, "#removed-vlm").startsWith("removes [1, 2, 5, 6, 14, 15]"));
        assertEquals("paper plan, as a baseline", robot.lookup("#notes").queryAs(TextArea.class).getText());
        assertTrue(java.util.Arrays.deepEquals(heatmap, vm.analysis().modules().get("vlm").metrics().get(Metric.CKA)
                .values()), "the same figures");
    }

    @Test
    void hoveringAHeatmapCellNamesTheLayerPairAndItsValue(FxRobot robot) throws TimeoutException {
        openDemo(robot);
        ChartPane heatmap = robot.lookup("#heatmap").queryAs(ChartPane.class);
        waitFor(() -> heatmap.getCanvas().getRenderingInfo() != null);
        Rectangle2D area = heatmap.getCanvas().getRenderingInfo().getPlotInfo().getDataArea();
        XYPlot plot = heatmap.getChart().getXYPlot();
        // the cell of row 2, column 5: x is the column, y the row (layer 0 at the top)
        double x = plot.getDomainAxis().valueToJava2D(5, area, plot.getDomainAxisEdge());
        double y = plot.getRangeAxis().valueToJava2D(2, area, plot.getRangeAxisEdge());
        robot.moveTo(heatmap.getCanvas().localToScreen(x, y));
        waitFor(() -> heatmap.tooltip().getText().startsWith("layer 2 vs layer 5"));
        double value = vm.analysis().modules().get(vm.selectedModuleProperty().get()).metrics()
                .get(SimilarityPane.shownMetric(vm.criterionProperty().get())).get(2, 5);
        assertTrue(heatmap.tooltip().getText().contains(String.format(Locale.ROOT, "%.4f", value)),
                heatmap.tooltip().getText());
        robot.moveTo(heatmap.getCanvas().localToScreen(area.getMinX() - 20, area.getMinY() - 20));
        waitFor(() -> heatmap.tooltip().getText().startsWith("Right-click to save"));
    }

    @Test
    void exportingThePapersPlanIsVerified(FxRobot robot) throws TimeoutException {
        openDemo(robot);
        Path out = exportThePapersPlan(robot);
        assertTrue(Verifier.verify(out).ok());
    }

    /** Loads the paper's plan and exports it through the dialog into scratch/demo-pruned, verified. */
    private Path exportThePapersPlan(FxRobot robot) throws TimeoutException {
        robot.clickOn("#paperPlan");
        robot.clickOn("#exportButton");
        Path out = scratch.resolve("demo-pruned");
        TextField folder = robot.lookup("#exportFolder").queryAs(TextField.class);
        robot.interact(() -> folder.setText(out.toString()));
        robot.clickOn("#doExport");
        waitFor(() -> text(robot, "#verifyResult").startsWith("\u2714"));
        return out;
    }

    @Test
    void anUnwritableExportFolderIsReportedAndNothingIsWritten(FxRobot robot) throws Exception {
        openDemo(robot);
        robot.clickOn("#paperPlan");
        robot.clickOn("#exportButton");
        Path blocker = Files.writeString(scratch.resolve("not-a-folder"), "x");
        TextField folder = robot.lookup("#exportFolder").queryAs(TextField.class);
        robot.interact(() -> folder.setText(blocker.resolve("out").toString()));
        robot.clickOn("#doExport");
        waitFor(() -> text(robot, "#verifyResult").startsWith("\u26a0"));
        assertTrue(text(robot, "#verifyResult").contains("not-a-folder"), text(robot, "#verifyResult"));
        assertFalse(Files.exists(blocker.resolve("out")));
        Label result = robot.lookup("#verifyResult").queryAs(Label.class);
        waitFor(() -> result.getText().equals(((Text) result.lookup(".text")).getText()));
        assertEquals(result.getText(), ((Text) result.lookup(".text")).getText(), "the whole reason is shown");
    }

    @Test
    void aCancelledCalibrationLeavesNothingHalfWritten(FxRobot robot) throws Exception {
        openDemo(robot);
        TextField seed = robot.lookup("#seed").queryAs(TextField.class);
        robot.interact(() -> seed.setText("4242"));
        var request = vm.request();
        robot.clickOn("#calibrate");
        robot.clickOn("#cancelJob");
        waitFor(() -> !vm.jobs().busy());
        NotificationPane bar = robot.lookup("#notification").queryAs(NotificationPane.class);
        waitFor(bar::isShowing);
        assertTrue(bar.getText().contains("cancelled"), bar.getText());
        assertFalse(new Workbench(home).isCached(request));
        assertEquals(0L, Files.walk(home.resolve("sessions")).filter(f -> f.toString().endsWith(".part")).count());
    }

    @Test
    void aLongNoticeIsReadWhole(FxRobot robot) throws Exception {
        openDemo(robot);
        String message = "/data/checkpoints/gr00t-n1.5-so100/model-00002-of-00002.safetensors: tensor "
                + "'action_head.model.transformer_blocks.11.attn1.to_out.0.weight' ends at byte 2,147,483,904 but the "
                + "file has 2,013,265,920 bytes: the file is truncated (an interrupted download?); download it again";
        robot.interact(() -> vm.notices().add(message));
        NotificationPane bar = robot.lookup("#notification").queryAs(NotificationPane.class);
        waitFor(bar::isShowing);
        assertEquals(message, bar.getText());
        robot.clickOn("Details\u2026");
        waitFor(() -> robot.lookup("#noticeDetails").tryQuery().isPresent());
        TextArea details = robot.lookup("#noticeDetails").queryAs(TextArea.class);
        assertEquals(message, details.getText(), "every word of it");
        assertTrue(details.isWrapText());
        robot.interact(() -> details.getScene().getWindow().hide());
    }

    @Test
    void aFolderThatIsNoCheckpointIsReportedAndTheWindowStaysUsable(FxRobot robot) throws Exception {
        openDemo(robot);
        Path folder = Files.createDirectories(scratch.resolve("empty-folder"));
        robot.interact(() -> vm.open(folder));
        NotificationPane bar = robot.lookup("#notification").queryAs(NotificationPane.class);
        waitFor(bar::isShowing);
        assertTrue(bar.getText().contains("empty-folder"), bar.getText());
        Slider tau = robot.lookup("#tauSlider-vlm").queryAs(Slider.class);
        assertFalse(tau.isDisabled(), "the demo is still open and editable");
        robot.clickOn("#paperPlan");
        waitFor(() -> text(robot, "#removed-vlm").startsWith("removes [1, 2, 5, 6, 14, 15]"));
        assertNotEquals("", robot.lookup("#estimate-parameters").queryAs(Label.class).getText());
    }

    @Test
    void theFineTuneFormTakesPastedPathsKeepsATypedTrainerAndRestartsOnlyARun(FxRobot robot) throws Exception {
        openDemo(robot);
        Path out = exportThePapersPlan(robot);
        robot.interact(() -> robot.lookup("#exportFolder").queryAs(TextField.class).getScene().getWindow().hide());
        Path data = Files.createDirectories(scratch.resolve("so100/meta"));
        Files.writeString(data.resolve("info.json"), "{\"codebase_version\": \"v3.0\"}");
        robot.clickOn("Fine-tune");
        robot.interact(() -> vm.finetune().checkpointProperty().set(null));
        TextField trainerField = robot.lookup("#finetuneTrainer").queryAs(TextField.class);
        robot.interact(() -> trainerField.setText("/opt/lerobot/bin/lerobot-train"));
        assertTrue(robot.lookup("#restartRun").queryAs(Button.class).isDisabled(), "nothing ran yet");

        TextField checkpoint = robot.lookup("#finetuneCheckpoint").queryAs(TextField.class);
        robot.clickOn(checkpoint).write(out.toString()).type(KeyCode.ENTER);
        assertEquals(out, vm.finetune().checkpointProperty().get(), "a pasted checkpoint path is taken");
        TextField dataset = robot.lookup("#finetuneDataset").queryAs(TextField.class);
        robot.clickOn(dataset).write(data.getParent().toString()).type(KeyCode.ENTER);
        waitFor(() -> vm.finetune().settingsProperty().get() != null);
        assertEquals(data.getParent(), vm.finetune().datasetProperty().get(), "a pasted dataset path is taken");
        assertEquals("/opt/lerobot/bin/lerobot-train", trainerField.getText(), "the typed trainer stays");
        assertTrue(robot.lookup("#restartRun").queryAs(Button.class).isDisabled(), "still nothing to restart");
        assertFalse(robot.lookup("#launchRun").queryAs(Button.class).isDisabled());
    }

    @Test
    void theExportIsFineTunedWithALiveLogAndLossCurveAndStops(FxRobot robot) throws Exception {
        openDemo(robot);
        Path out = exportThePapersPlan(robot);
        TextField folder = robot.lookup("#exportFolder").queryAs(TextField.class);
        robot.interact(() -> folder.getScene().getWindow().hide());
        Path data = Files.createDirectories(scratch.resolve("so100/meta"));
        Files.writeString(data.resolve("info.json"), "{\"codebase_version\": \"v3.0\"}");
        Path trainer = FakeTrainer.install(scratch.resolve("bin"));

        robot.clickOn("Fine-tune");
        assertEquals(out.toString(), robot.lookup("#finetuneCheckpoint").queryAs(TextField.class).getText(),
                "the tab takes the export");
        robot.interact(() -> vm.finetune().datasetProperty().set(data.getParent()));
        TextField trainerField = robot.lookup("#finetuneTrainer").queryAs(TextField.class);
        robot.interact(() -> trainerField.setText(trainer.toString()));
        TextArea command = robot.lookup("#finetuneCommand").queryAs(TextArea.class);
        waitFor(() -> command.getText().startsWith(trainer.toString()));
        robot.clickOn("#finetuneCommand").press(KeyCode.CONTROL).type(KeyCode.END).release(KeyCode.CONTROL)
                .type(KeyCode.ENTER).write("--fake.sleep=0.05");
        robot.clickOn("#launchRun");
        waitFor(() -> vm.finetune().metrics().size() >= 3);
        ListView<?> console = robot.lookup("#console").queryAs(ListView.class);
        assertTrue(console.getItems().stream().anyMatch(l -> l.toString().contains("--fake.sleep=0.05")),
                "the edited command ran");
        ChartPane chart = robot.lookup("#lossChart").queryAs(ChartPane.class);
        assertTrue(chart.getChart().getXYPlot().getDataset(0).getItemCount(0) >= 3);
        robot.clickOn("#stopRun");
        Label status = robot.lookup("#runStatus").queryAs(Label.class);
        waitFor(() -> status.getText().startsWith("stopped"));
        assertTrue(robot.lookup("#stopRun").queryAs(Button.class).isDisabled());
        Path run = vm.finetune().job().orElseThrow().folder();
        assertEquals(out.resolveSibling("demo-pruned-finetune"), run.getParent());
        assertTrue(Files.readString(run.resolve("train.log")).contains("step:600"));
    }

    @Test
    void theStorageDialogShowsTheCachesAndClearsOne(FxRobot robot) throws Exception {
        openDemo(robot);
        robot.interact(window::showStorage);
        TableView<?> table = robot.lookup("#caches").queryAs(TableView.class);
        waitFor(() -> table.getItems().size() == 4);
        CacheFolder sessions = (CacheFolder) table.getItems().getFirst();
        assertTrue(sessions.bytes() > 0, "the demo's calibration is cached");
        robot.clickOn("Calibration sessions");
        robot.clickOn("#clearCache");
        waitFor(() -> ((CacheFolder) table.getItems().getFirst()).bytes() == 0);
        assertFalse(Files.exists(sessions.folder()));
        assertTrue(robot.lookup("#cachesTotal").queryAs(Label.class).getText().startsWith("in all "));
    }
}
