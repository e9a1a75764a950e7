package dev.plateau.finetune;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A trainer running as a child process: its standard output and error, merged, go line by line to the run's log file
 * and to a listener; progress bars that redraw with carriage returns count as lines. Stopping ends the process tree
 * (torchrun and accelerate start one worker per GPU), politely first.
 */
public final class TrainingProcess {
    private static final long GRACE_SECONDS = 10;

    private final Process process;
    private final CompletableFuture<Integer> exit;
    private volatile boolean stopped;

    private TrainingProcess(Process process, CompletableFuture<Integer> exit) {
        this.process = process;
        this.exit = exit;
    }

    /**
     * Starts {@code command} in {@code workingDirectory} with {@code environment} added, appending every line it prints to {@code log} and handing
     * it to {@code lines} (on the reading thread); the exit future completes after the last line.
     */
    public static TrainingProcess start(List<String> command, Path workingDirectory, Map<String, String> environment,
                                        Path log, Consumer<String> lines) {
        Process process;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // Python trainers buffer a piped stdout in 8 KB blocks: unbuffered, the log is live
            builder.environment().put("PYTHONUNBUFFERED", "1");
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new FinetuneException("cannot start " + command.getFirst() + ": " + e.getMessage());
        }
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("trainer-log").unstarted(() -> {
            try (Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
                 BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                         StandardCharsets.UTF_8))) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) != -1) {
                    if (c == '\n' || c == '\r') {
                        if (!line.isEmpty()) {
                            String text = line.toString();
                            out.write(text);
                            out.write('\n');
                            out.flush();
                            lines.accept(text);
                            line.setLength(0);
                        }
                    } else {
                        line.append((char) c);
                    }
                }
                if (!line.isEmpty()) {
                    out.write(line.toString());
                    out.write('\n');
                    lines.accept(line.toString());
                }
                exit.complete(process.waitFor());
            } catch (IOException e) {
                exit.completeExceptionally(new UncheckedIOException(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit.completeExceptionally(e);
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
        reader.start();
        return new TrainingProcess(process, exit);
    }

    /** Completes with the exit code once the process has ended and its output is read. */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether {@link #stop()} ended it (then a non-zero exit is no failure). */
    public boolean wasStopped() {
        return stopped;
    }

    /** Ends the trainer and its workers: SIGTERM to all, then SIGKILL to whatever is left after a grace period. */
    public void stop() {
        stopped = true;
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
