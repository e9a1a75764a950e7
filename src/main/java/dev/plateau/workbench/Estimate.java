package dev.plateau.workbench;

/**
 * What a plan saves, before and after.
 *
 * @param params           parameters of the checkpoint
 * @param prunedParams     parameters after removing the plan's layers
 * @param trainable        parameters the original fine-tuning trains by default (see {@link OpenedModel})
 * @param prunedTrainable  the same after pruning
 * @param gflops           GFLOPs of one forward pass through the prunable modules' layers, per calibration sample;
 *                         NaN before calibration, which gives the tokens per sample
 * @param prunedGflops     the same after pruning
 */
public record Estimate(long params, long prunedParams, long trainable, long prunedTrainable, double gflops,
                       double prunedGflops) {
}
