package dev.plateau.ui;

import dev.plateau.workbench.PlateauException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * Runs long work off the UI thread, one job at a time, and hands its outcome back on the UI thread. Failures become
 * one message: a {@link PlateauException}'s own, anything else "unexpected error" with its type (the stack trace goes
 * to the error stream, never to the window).
 */
public final class Jobs {
    private final Executor worker;
    private final Executor ui;
    private final ReadOnlyObjectWrapper<Job> current = new ReadOnlyObjectWrapper<>(this, "current");

    /** @param worker where the work runs; @param ui where progress and outcomes are delivered */
    public Jobs(Executor worker, Executor ui) {
        this.worker = worker;
        this.ui = ui;
    }

    /** A background worker thread, results delivered with {@code ui} (the FX thread's runLater). */
    public static Jobs background(Executor ui) {
        ExecutorService service = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "plateau-job");
            t.setDaemon(true);
            return t;
        });
        return new Jobs(service, ui);
    }

    /** Where outcomes are delivered (the FX thread in the window). */
    Executor ui() {
        return ui;
    }

    /** The running job, null when idle. */
    public ReadOnlyObjectProperty<Job> currentProperty() {
        return current.getReadOnlyProperty();
    }

    public boolean busy() {
        return current.get() != null;
    }

    /** Work that reports progress to its job and polls its cancel flag. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Job job) throws Exception;
    }

    /**
     * Starts {@code work} named {@code title} unless another job runs (then {@code onFailure} hears why).
     * Exactly one of the callbacks runs, on the UI executor.
     */
    public <T> Job start(String title, Work<T> work, Consumer<T> onSuccess, Consumer<String> onFailure) {
        if (busy()) {
            onFailure.accept("wait for \"" + current.get().title() + "\" to finish, or cancel it");
            return null;
        }
        Job job = new Job(title, ui);
        current.set(job);
        worker.execute(() -> {
            T result;
            try {
                result = work.run(job);
            } catch (Throwable e) {
                String message = message(e, job);
                ui.execute(() -> {
                    current.set(null);
                    job.finish();
                    onFailure.accept(message);
                });
                return;
            }
            ui.execute(() -> {
                current.set(null);
                job.finish();
                onSuccess.accept(result);
            });
        });
        return job;
    }

    static String message(Throwable e, Job job) {
        if (e instanceof PlateauException) {
            return e.getMessage();
        }
        if (job.isCancelled()) {
            return job.title() + " cancelled";
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        System.err.println("Plateau: unexpected error in " + job.title() + "\n" + trace);
        return job.title() + " failed with an unexpected error (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    }
}
