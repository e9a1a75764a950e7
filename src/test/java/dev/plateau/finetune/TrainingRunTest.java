package dev.plateau.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs driven by the fake trainer: live lines and metrics, the files kept, a failure and a stop. */
class TrainingRunTest {
    @TempDir
    Path dir;

    /** Collects what a run reports. */
    private static final class Recorder implements TrainingRun.Listener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<TrainingMetric> metrics = new CopyOnWriteArrayList<>();
        final CompletableFuture<boolean[]> ended = new CompletableFuture<>();
        final CountDownLatch firstMetric = new CountDownLatch(1);
        int code;

        @Override
        public void line(String line) {
            lines.add(line);
        }

        @Override
        public void metric(TrainingMetric metric) {
            metrics.add(metric);
            firstMetric.countDown();
        }

        @Override
        public void ended(int code, boolean stopped) {
            this.code = code;
            ended.complete(new boolean[] {stopped});
        }
    }

    private TrainingCommand lerobot(Path trainer, int steps, int logEvery, List<String> extra) {
        FinetuneSettings s = new FinetuneSettings(Recipe.LEROBOT, dir.resolve("ckpt"), dir.resolve("data"), steps, 8,
                1, FinetuneSettings.MultiGpu.ACCELERATE, logEvery, dir.resolve("run/output"), trainer.toString(),
                "python3", Optional.empty(), extra);
        return Recipes.command(s);
    }

    @Test
    void aLerobotRunStreamsItsLogAndKeepsCommandLogAndMetrics() throws Exception {
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Recorder r = new Recorder();
        TrainingRun run = TrainingRun.start(lerobot(trainer, 1000, 100, List.of()), LogParser.of(Recipe.LEROBOT, 100),
                dir.resolve("run"), r);
        assertFalse(r.ended.get(30, TimeUnit.SECONDS)[0]);
        assertEquals(0, r.code);
        List<TrainingMetric> expected = new ArrayList<>();
        for (int step = 100; step <= 1000; step += 100) {
            expected.add(new TrainingMetric(step, FakeTrainer.lerobotLoss(step),
                    Double.parseDouble(String.format("%.1e", 1e-4 * step / 1000))));
        }
        assertEquals(expected, r.metrics, "steps 100..1000 though the log prints 1K for 1000");
        assertEquals(expected, run.metrics());
        List<String> csv = Files.readAllLines(run.folder().resolve(TrainingRun.METRICS));
        assertEquals("step,loss,learning_rate", csv.getFirst());
        assertEquals(11, csv.size());
        assertEquals("1000,0.091,1.0E-4", csv.getLast());
        assertEquals(r.lines, Files.readAllLines(run.log()));
        assertTrue(r.lines.getLast().endsWith("End of training"));
        String command = Files.readString(run.folder().resolve(TrainingRun.COMMAND));
        assertTrue(command.contains(trainer + " --policy.path="), command);
    }

    @Test
    void aGr00tRunCountsDictLinesAsStepsAndReadsProgressBarRedraws() throws Exception {
        Path script = FakeTrainer.install(dir.resolve("Isaac-GR00T/scripts"));
        FinetuneSettings s = new FinetuneSettings(Recipe.GR00T, dir.resolve("ckpt"), dir.resolve("data"), 50, 8, 1,
                FinetuneSettings.MultiGpu.ACCELERATE, 10, dir.resolve("run/output"), script.toString(), "python3",
                Optional.of("so100"), List.of());
        Recorder r = new Recorder();
        TrainingRun.start(Recipes.command(s), LogParser.of(Recipe.GR00T, 10), dir.resolve("run"), r);
        r.ended.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.code);
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L), r.metrics.stream().map(TrainingMetric::step).toList());
        assertEquals(FakeTrainer.hfLoss(30), r.metrics.get(2).loss());
        assertTrue(r.lines.stream().anyMatch(l -> l.strip().startsWith("100%|")), "each redraw of the bar is a line");
    }

    @Test
    void aFailingTrainerEndsWithItsCodeAndItsTraceback() throws Exception {
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Recorder r = new Recorder();
        TrainingRun.start(lerobot(trainer, 1000, 100, List.of("--fake.fail_at=300")),
                LogParser.of(Recipe.LEROBOT, 100), dir.resolve("run"), r);
        assertFalse(r.ended.get(30, TimeUnit.SECONDS)[0]);
        assertEquals(1, r.code);
        assertEquals(2, r.metrics.size());
        assertEquals("RuntimeError: CUDA out of memory at step 300", r.lines.getLast());
    }

    @Test
    void stopEndsTheTrainerAndSaysSo() throws Exception {
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Recorder r = new Recorder();
        TrainingRun run = TrainingRun.start(lerobot(trainer, 100_000, 100, List.of("--fake.sleep=0.2")),
                LogParser.of(Recipe.LEROBOT, 100), dir.resolve("run"), r);
        assertTrue(r.firstMetric.await(30, TimeUnit.SECONDS));
        assertTrue(run.isRunning());
        run.stop();
        assertTrue(r.ended.get(15, TimeUnit.SECONDS)[0], "ended by Stop");
        assertFalse(run.isRunning());
        assertTrue(r.metrics.size() < 1000);
    }

    @Test
    void aTrainerThatCannotStartIsOneMessage() throws IOException {
        TrainingCommand c = new TrainingCommand(List.of(dir.resolve("no-such-trainer").toString()), dir, List.of());
        FinetuneException e = assertThrows(FinetuneException.class,
                () -> TrainingRun.start(c, LogParser.of(Recipe.LEROBOT, 1), dir.resolve("run"), new Recorder()));
        assertTrue(e.getMessage().startsWith("cannot start " + dir.resolve("no-such-trainer")), e.getMessage());
        assertTrue(Files.isRegularFile(dir.resolve("run/command.sh")));
    }
}
