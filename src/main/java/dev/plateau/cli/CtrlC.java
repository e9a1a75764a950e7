package dev.plateau.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl+C (or a termination signal) during a command's long work: the JVM's shutdown waits, up to a minute, until the
 * work has noticed {@link #pressed()} and cleaned up after itself, so an interrupted command leaves nothing
 * half-written behind. Closed when the work ends, however it ends.
 */
final class CtrlC implements AutoCloseable {
    private volatile boolean pressed;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private CtrlC(String work) {
        hook = new Thread(() -> {
            pressed = true;
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cancel-" + work);
    }

    /** Watches for Ctrl+C until closed; {@code work} names the thread that waits for it. */
    static CtrlC watch(String work) {
        CtrlC watch = new CtrlC(work);
        Runtime.getRuntime().addShutdownHook(watch.hook);
        return watch;
    }

    /** Whether Ctrl+C was pressed: the work should stop and clean up. */
    boolean pressed() {
        return pressed;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down (Ctrl+C): the hook is running and now returns
        }
    }
}
