package dev.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.workbench.PlateauException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Background work as the window sees it: one message per failure, never a stack trace; ETA text. */
class JobsTest {
    private final Jobs jobs = new Jobs(Runnable::run, Runnable::run);
    private final List<String> failures = new ArrayList<>();
    private final List<Object> results = new ArrayList<>();

    @Test
    void aPlateauExceptionReachesTheUserAsItsMessage() {
        jobs.start("Open", job -> {
            throw new PlateauException("/data/x: config.json not found");
        }, results::add, failures::add);
        assertEquals(List.of("/data/x: config.json not found"), failures);
        assertFalse(jobs.busy());
    }

    @Test
    void anUnexpectedErrorIsOneSentenceNamingTheJob() {
        jobs.start("Export", job -> {
            throw new IllegalStateException("boom");
        }, results::add, failures::add);
        assertEquals(List.of("Export failed with an unexpected error (IllegalStateException: boom)"), failures);
    }

    @Test
    void aSecondJobWaitsForTheFirst() {
        Jobs held = new Jobs(r -> { }, Runnable::run);
        held.start("Calibration", job -> 1, results::add, failures::add);
        held.start("Export", job -> 2, results::add, failures::add);
        assertEquals(1, failures.size());
        assertTrue(failures.getFirst().contains("Calibration"), failures.getFirst());
    }

    @Test
    void theEtaScalesTheElapsedTimeByWhatIsLeft() {
        assertEquals("", Job.eta(0.01, 1_000_000_000L), "too early to tell");
        assertEquals(" \u2014 about 30 s left", Job.eta(0.25, 10_000_000_000L));
        assertEquals(" \u2014 about 2 min 0 s left", Job.eta(0.5, 120_000_000_000L));
    }
}
