package dev.plateau.workbench;

import dev.plateau.finetune.FinetuneException;
import dev.plateau.finetune.LogParser;
import dev.plateau.finetune.Recipe;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.finetune.TrainingMetric;
import dev.plateau.finetune.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A fine-tuning run as the window and the command line hold it: started, watched through {@link Events}, stopped,
 * or restarted with the same command in a new run folder.
 */
public final class FinetuneJob {
    /** What a run reports, on its log-reading thread. */
    public interface Events {
        void line(String line);

        void metric(TrainingMetric metric);

        /** The trainer ended with {@code code}; {@code stopped} when Stop ended it. */
        void ended(int code, boolean stopped);
    }

    private final TrainingCommand command;
    private final Recipe recipe;
    private final int logEvery;
    private final TrainingRun run;

    private FinetuneJob(TrainingCommand command, Recipe recipe, int logEvery, TrainingRun run) {
        this.command = command;
        this.recipe = recipe;
        this.logEvery = logEvery;
        this.run = run;
    }

    /** Starts {@code command} in {@code folder} (a new run folder beside the export). */
    static FinetuneJob start(TrainingCommand command, Recipe recipe, int logEvery, Path folder, Events events) {
        try {
            TrainingRun run = TrainingRun.start(command, LogParser.of(recipe, logEvery), folder,
                    new TrainingRun.Listener() {
                        @Override
                        public void line(String line) {
                            events.line(line);
                        }

                        @Override
                        public void metric(TrainingMetric metric) {
                            events.metric(metric);
                        }

                        @Override
                        public void ended(int code, boolean stopped) {
                            events.ended(code, stopped);
                        }
                    });
            return new FinetuneJob(command, recipe, logEvery, run);
        } catch (FinetuneException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /**
     * The same command again in a new run folder beside the old one; the old run folder's path in any argument (the
     * trainer's output folder) is moved to the new one, since lerobot-train refuses an existing output folder.
     */
    public FinetuneJob restart(Events events) {
        if (run.isRunning()) {
            run.stop();
        }
        Path old = run.folder();
        Path folder = TrainingRun.newFolder(old.getParent().resolveSibling(
                old.getParent().getFileName().toString().replaceFirst("-finetune$", "")));
        List<String> moved = new ArrayList<>();
        for (String a : command.arguments()) {
            moved.add(a.replace(old.toString(), folder.toString()));
        }
        TrainingCommand again = new TrainingCommand(moved, command.workingDirectory().equals(old) ? folder
                : command.workingDirectory(), List.of(), command.environment());
        return start(again, recipe, logEvery, folder, events);
    }

    /** The run folder: command.sh, train.log, metrics.csv, output/. */
    public Path folder() {
        return run.folder();
    }

    public Path log() {
        return run.log();
    }

    public List<TrainingMetric> metrics() {
        return run.metrics();
    }

    public boolean isRunning() {
        return run.isRunning();
    }

    public CompletableFuture<Integer> exit() {
        return run.exit();
    }

    /** Ends the trainer and its workers (politely, then forcibly after ten seconds). */
    public void stop() {
        run.stop();
    }
}
