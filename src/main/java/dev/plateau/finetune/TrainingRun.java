package dev.plateau.finetune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One fine-tuning run, kept beside the export in {@code <export>-finetune/<yyyyMMdd-HHmmss>/}: command.sh (the exact
 * command, runnable by hand), train.log (everything the trainer printed), metrics.csv (step, loss, learning rate as
 * parsed from the log) and output/ (the trainer's own output folder).
 */
public final class TrainingRun {
    public static final String COMMAND = "command.sh";
    public static final String LOG = "train.log";
    public static final String METRICS = "metrics.csv";
    public static final String OUTPUT = "output";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    /** What a run reports while it goes; called on the log-reading thread. */
    public interface Listener {
        void line(String line);

        void metric(TrainingMetric metric);

        /** The process ended (after its last line) with {@code code}; {@code stopped} when Stop ended it. */
        void ended(int code, boolean stopped);
    }

    private final Path folder;
    private final TrainingProcess process;
    private final List<TrainingMetric> metrics;

    private TrainingRun(Path folder, TrainingProcess process, List<TrainingMetric> metrics) {
        this.folder = folder;
        this.process = process;
        this.metrics = metrics;
    }

    /** A new, not yet existing run folder beside {@code export}, named by the time. */
    public static Path newFolder(Path export) {
        Path base = export.toAbsolutePath().normalize();
        Path runs = base.resolveSibling(base.getFileName() + "-finetune");
        String stamp = LocalDateTime.now().format(STAMP);
        Path folder = runs.resolve(stamp);
        for (int i = 2; Files.exists(folder); i++) {
            folder = runs.resolve(stamp + "-" + i);
        }
        return folder;
    }

    /** Writes command.sh into {@code folder} (created) and starts the command, logging and parsing its output. */
    public static TrainingRun start(TrainingCommand command, LogParser parser, Path folder, Listener listener) {
        writeCommand(command, folder);
        Path csv = folder.resolve(METRICS);
        List<TrainingMetric> metrics = Collections.synchronizedList(new ArrayList<>());
        Writer out;
        try {
            out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            out.write("step,loss,learning_rate\n");
            out.flush();
        } catch (IOException e) {
            throw new FinetuneException(csv + ": cannot be written: " + e.getMessage());
        }
        TrainingProcess process;
        try {
            process = start(command, folder, parser, listener, metrics, out);
        } catch (FinetuneException e) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the start failed already; that is the message that matters
            }
            throw e;
        }
        TrainingRun run = new TrainingRun(folder, process, metrics);
        process.exit().whenComplete((code, failure) -> {
            try {
                out.close();
            } catch (IOException ignored) {
                // the metrics written so far are flushed line by line
            }
            listener.ended(failure == null ? code : -1, process.wasStopped());
        });
        return run;
    }

    private static TrainingProcess start(TrainingCommand command, Path folder, LogParser parser, Listener listener,
                                         List<TrainingMetric> metrics, Writer out) {
        return TrainingProcess.start(command.arguments(), command.workingDirectory(), command.environment(),
                folder.resolve(LOG), line -> {
                    listener.line(line);
                    parser.parse(line).ifPresent(m -> {
                        metrics.add(m);
                        try {
                            out.write(String.format(Locale.ROOT, "%d,%s,%s%n", m.step(), m.loss(),
                                    Double.isNaN(m.learningRate()) ? "" : Double.toString(m.learningRate())));
                            out.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        listener.metric(m);
                    });
                });
    }

    /** command.sh: the working folder and the command, as a script a person can read and run again. */
    public static void writeCommand(TrainingCommand command, Path folder) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve(COMMAND), "#!/bin/sh\n# written by Plateau\ncd "
                    + TrainingCommand.quote(command.workingDirectory().toString()) + "\n" + command.shellLine()
                    + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FinetuneException(folder + ": cannot be written: " + e.getMessage());
        }
    }

    public Path folder() {
        return folder;
    }

    public Path log() {
        return folder.resolve(LOG);
    }

    public List<TrainingMetric> metrics() {
        synchronized (metrics) {
            return List.copyOf(metrics);
        }
    }

    public CompletableFuture<Integer> exit() {
        return process.exit();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Ends the trainer and its workers. */
    public void stop() {
        process.stop();
    }
}
