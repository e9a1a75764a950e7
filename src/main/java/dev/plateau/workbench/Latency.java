package dev.plateau.workbench;

/**
 * Measured forward time per sample of the base model and of the pruned one (its layers skipped), on the same
 * samples and device; the fastest of {@link Previews#LATENCY_ROUNDS} runs each.
 */
public record Latency(double baseMillis, double prunedMillis, int samples) {

    public double speedup() {
        return baseMillis / prunedMillis;
    }
}
