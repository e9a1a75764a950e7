package dev.plateau.finetune;

/**
 * What a trainer reported at one logging step.
 *
 * @param step         the optimisation step
 * @param loss         the training loss, averaged over the logging interval as the trainer prints it
 * @param learningRate the learning rate at that step (NaN when the line has none)
 */
public record TrainingMetric(long step, double loss, double learningRate) {
}
