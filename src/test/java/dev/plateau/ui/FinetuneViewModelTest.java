package dev.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.finetune.FakeTrainer;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fine-tuning tab's state without a screen, driving the fake trainer. */
class FinetuneViewModelTest {
    @TempDir
    Path dir;

    private final List<String> notices = new CopyOnWriteArrayList<>();
    private FinetuneViewModel vm;
    private Path trainer;

    @BeforeEach
    void exportAndDataset() throws Exception {
        Workbench workbench = new Workbench(dir.resolve("home"));
        Path checkpoint = workbench.demoCheckpoint(false);
        Path data = Files.createDirectories(dir.resolve("so100/meta"));
        Files.writeString(data.resolve("info.json"), "{\"codebase_version\": \"v3.0\"}");
        trainer = FakeTrainer.install(dir.resolve("bin"));
        vm = new FinetuneViewModel(workbench, Runnable::run, notices::add);
        vm.checkpointProperty().set(checkpoint);
        vm.datasetProperty().set(data.getParent());
        vm.trainerProperty().set(trainer.toString());
        vm.stepsProperty().set(800);
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void theCommandIsShownOneArgumentPerLineAndRunsAsEdited() throws Exception {
        List<String> lines = vm.commandTextProperty().get().lines().toList();
        assertEquals(trainer.toString(), lines.getFirst());
        assertTrue(lines.contains("--steps=800"), lines.toString());
        vm.commandTextProperty().set(vm.commandTextProperty().get().replace("--steps=800", "--steps=400")
                + "\n\n--policy.device=cpu with spaces");
        TrainingCommand edited = vm.editedCommand();
        assertTrue(edited.arguments().contains("--steps=400"));
        assertEquals("--policy.device=cpu with spaces", edited.arguments().getLast(),
                "a line is one argument, spaces and all; blank lines are dropped");
        vm.launch();
        waitFor(() -> !vm.runningProperty().get());
        assertEquals(List.of(200L, 400L), vm.metrics().stream().map(m -> m.step()).toList());
        assertTrue(vm.statusProperty().get().startsWith("finished"), vm.statusProperty().get());
        assertTrue(vm.console().stream().anyMatch(l -> l.contains("with spaces")));
    }

    @Test
    void aFailedRunSaysItsExitCodeAndRestartUsesANewFolder() throws Exception {
        vm.commandTextProperty().set(vm.commandTextProperty().get() + "\n--fake.fail_at=600");
        vm.launch();
        waitFor(() -> !vm.runningProperty().get());
        assertTrue(vm.statusProperty().get().startsWith("the trainer exited with code 1"), vm.statusProperty().get());
        assertEquals(2, vm.metrics().size());
        Path first = vm.job().orElseThrow().folder();
        vm.restart();
        waitFor(() -> !vm.runningProperty().get() && vm.job().orElseThrow().exit().isDone());
        Path second = vm.job().orElseThrow().folder();
        assertNotEquals(first, second);
        assertTrue(Files.readString(second.resolve("command.sh")).contains("--output_dir=" + second
                .resolve("output")), "the output folder moved with the run");
        assertTrue(Files.readString(second.resolve("command.sh")).contains("--fake.fail_at=600"),
                "restart keeps the edited command");
    }

    @Test
    void stopEndsTheRunAndTheSlurmScriptIsWritten() throws Exception {
        vm.stepsProperty().set(1_000_000);
        assertTrue(vm.commandTextProperty().get().contains("--steps=1000000"), "the form rebuilds the command");
        vm.commandTextProperty().set(vm.commandTextProperty().get() + "\n--fake.sleep=0.1");
        vm.launch();
        waitFor(() -> !vm.metrics().isEmpty());
        vm.stop();
        waitFor(() -> !vm.runningProperty().get());
        assertTrue(vm.statusProperty().get().startsWith("stopped"), vm.statusProperty().get());
        vm.writeSlurm();
        String status = vm.statusProperty().get();
        assertTrue(status.startsWith("wrote ") && status.contains("train.sbatch"), status);
        Path script = Path.of(status.substring(6, status.indexOf(';')));
        assertTrue(Files.readString(script).contains("#SBATCH --gpus-per-node=1"));
        assertEquals(List.of(), notices);
    }
}
