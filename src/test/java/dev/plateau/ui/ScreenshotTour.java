package dev.plateau.ui;

import dev.plateau.calibration.TestDatasets;
import dev.plateau.calibration.TestVideos;
import dev.plateau.finetune.FakeTrainer;
import dev.plateau.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import javax.imageio.ImageIO;

/**
 * Opens the real window on the demo (run it under a display, e.g. xvfb-run), walks through its screens and saves
 * each as a PNG in the folder given: the figures of docs/ and the README. Run by bench/screenshots.sh.
 */
public final class ScreenshotTour {

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get();
        SessionViewModel[] vm = new SessionViewModel[1];
        Stage[] stage = new Stage[1];
        fx(() -> {
            vm[0] = new SessionViewModel(Workbench.standard(), Jobs.background(Platform::runLater));
            stage[0] = new Stage();
            new MainWindow(stage[0], vm[0]);
            stage[0].show();
            vm[0].openDemo();
        });
        waitFor(() -> vm[0].runProperty().get() != null && !vm[0].jobs().busy()
                && vm[0].memoryEstimateProperty().get() != null);
        shoot(stage[0].getScene(), out.resolve("workbench.png"));
        fx(() -> vm[0].addSamples(4));
        waitFor(() -> vm[0].runProperty().get().request().samples() == 12 && !vm[0].jobs().busy());
        fx(() -> vm[0].tokenTypeProperty().set("language"));
        shoot(stage[0].getScene(), out.resolve("token-types.png"));
        fx(() -> vm[0].tokenTypeProperty().set(SessionViewModel.ALL_TOKENS));
        fx(() -> vm[0].setK("vision", 3));
        fx(() -> vm[0].setFollows("expert", null));
        fx(() -> vm[0].setK("expert", 4));
        shoot(stage[0].getScene(), out.resolve("rule-violation.png"));
        fx(() -> vm[0].loadPaperPlan());
        fx(() -> tabs(stage[0]).getSelectionModel().select(1));
        shoot(stage[0].getScene(), out.resolve("compare-criteria.png"));
        fx(() -> new SweepDialog(stage[0], vm[0]).show());
        Thread.sleep(800);
        Stage sweep = (Stage) Window.getWindows().stream().filter(w -> w != stage[0]).findFirst().orElseThrow();
        shoot(sweep.getScene(), out.resolve("sweep.png"));
        fx(sweep::close);
        fx(() -> {
            tabs(stage[0]).getSelectionModel().select(2);
            vm[0].computeLatent("vlm", 9, 6);
        });
        waitFor(() -> vm[0].latentProperty().get() != null && !vm[0].jobs().busy());
        fx(vm[0]::measureLatency);
        waitFor(() -> vm[0].latencyProperty().get() != null && !vm[0].jobs().busy());
        shoot(stage[0].getScene(), out.resolve("pca-preview.png"));
        fx(() -> new ExportDialog(stage[0], vm[0]).show());
        Thread.sleep(800);
        Stage dialog = (Stage) Window.getWindows().stream().filter(w -> w != stage[0]).findFirst().orElseThrow();
        shoot(dialog.getScene(), out.resolve("export-dialog.png"));
        fx(dialog::close);

        // a LeRobot dataset as calibration data, then the export fine-tuned (by the tests' fake trainer)
        Path scratch = Files.createTempDirectory("plateau-tour");
        Path dataset = TestDatasets.v30(scratch.resolve("so100_pick"), List.of("observation.images.top",
                "observation.images.wrist"), new int[] {40, 30, 50}, TestVideos.Codec.H264);
        fx(() -> vm[0].chooseDataFolder(dataset));
        waitFor(() -> !vm[0].dataSummaryProperty().get().isEmpty() && !vm[0].jobs().busy());
        CompletableFuture<Void> exported = new CompletableFuture<>();
        fx(() -> vm[0].export(scratch.resolve("demo-pruned"), true, r -> exported.complete(null),
                m -> exported.completeExceptionally(new IllegalStateException(m))));
        exported.get(5, TimeUnit.MINUTES);
        Path trainer = FakeTrainer.install(scratch.resolve("bin"));
        FinetuneViewModel finetune = vm[0].finetune();
        fx(() -> {
            tabs(stage[0]).getSelectionModel().select(3);
            finetune.datasetProperty().set(dataset);
            finetune.trainerProperty().set(trainer.toString());
            finetune.stepsProperty().set(12_000);
            finetune.commandTextProperty().set(finetune.commandTextProperty().get() + "\n--fake.sleep=0.03");
            finetune.launch();
        });
        waitFor(() -> !finetune.runningProperty().get() && !finetune.metrics().isEmpty());
        shoot(stage[0].getScene(), out.resolve("finetune.png"));
        fx(() -> {
            vm[0].notesProperty().set("Paper's plan (Table 5) for the VLM and the expert; the vision tower untouched.\n"
                    + "CKA change given up by the VLM: see Plan \u2192 Sweep k (Ctrl+K).\n"
                    + "Next: fine-tune 20k steps on so100_pick, then compare with the base model.");
            tabs(stage[0]).getSelectionModel().select(4);
        });
        shoot(stage[0].getScene(), out.resolve("notes.png"));
        fx(() -> new StorageDialog(stage[0], vm[0]).show());
        Thread.sleep(1500);
        Stage storage = (Stage) Window.getWindows().stream().filter(w -> w != stage[0]).findFirst().orElseThrow();
        shoot(storage.getScene(), out.resolve("storage.png"));
        fx(storage::close);

        // pi0.5 in the hub's layout, calibrated on the LeRobot dataset (state by quantiles, written into the prompt)
        Path pi05 = Workbench.standard().synthesize("pi05", false, scratch.resolve("pi05"), 0, 1, false);
        fx(() -> vm[0].open(pi05));
        waitFor(() -> vm[0].modelProperty().get() != null
                && vm[0].modelProperty().get().spec().folder().equals(pi05) && !vm[0].jobs().busy());
        fx(() -> {
            tabs(stage[0]).getSelectionModel().select(0);
            vm[0].samplesProperty().set(8);
            vm[0].calibrate();
        });
        waitFor(() -> vm[0].runProperty().get() != null && vm[0].runProperty().get().request().checkpoint()
                .equals(pi05) && !vm[0].jobs().busy());
        fx(() -> vm[0].selectedModuleProperty().set("expert"));
        Thread.sleep(500);
        shoot(stage[0].getScene(), out.resolve("pi05.png"));
        Platform.exit();
    }

    private static TabPane tabs(Stage stage) {
        return (TabPane) stage.getScene().lookup("#tabs");
    }

    private static void fx(Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                r.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(60, TimeUnit.SECONDS);
        Thread.sleep(400);
    }

    private static void waitFor(BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            CompletableFuture<Boolean> ok = new CompletableFuture<>();
            Platform.runLater(() -> ok.complete(condition.getAsBoolean()));
            if (ok.get()) {
                Thread.sleep(600);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(100);
        }
    }

    private static void shoot(Scene scene, Path file) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                ImageIO.write(SwingFXUtils.fromFXImage(scene.snapshot(null), null), "png", file.toFile());
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        done.get(60, TimeUnit.SECONDS);
        System.out.println("wrote " + file);
    }
}
