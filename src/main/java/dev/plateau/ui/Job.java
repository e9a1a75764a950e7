package dev.plateau.ui;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One piece of long work as the window shows it: a title, progress in [0, 1] (negative: unknown), a line of detail
 * with the estimated time left, and a cancel flag the work polls.
 */
public final class Job {
    private final String title;
    private final Executor ui;
    private final long started = System.nanoTime();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper(this, "detail", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", true);

    Job(String title, Executor ui) {
        this.title = title;
        this.ui = ui;
    }

    public String title() {
        return title;
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Called from the work: {@code done} of {@code total} steps, and what it is doing. */
    public void progress(long done, long total, String what) {
        double fraction = total <= 0 ? -1 : Math.min(1, (double) done / total);
        String line = what + eta(fraction, System.nanoTime() - started);
        ui.execute(() -> {
            progress.set(fraction);
            detail.set(line);
        });
    }

    /** " - about 1 min 20 s left" once a fair share is done; empty before. */
    static String eta(double fraction, long elapsedNanos) {
        if (fraction < 0.05 || fraction >= 1) {
            return "";
        }
        long seconds = Math.round(elapsedNanos / 1e9 * (1 - fraction) / fraction);
        Duration left = Duration.ofSeconds(seconds);
        String text = left.toMinutes() > 0 ? left.toMinutes() + " min " + left.toSecondsPart() + " s"
                : left.toSeconds() + " s";
        return " \u2014 about " + text + " left";
    }

    void finish() {
        running.set(false);
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }
}
