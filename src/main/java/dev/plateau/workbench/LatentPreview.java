package dev.plateau.workbench;

/**
 * A layer's hidden states in the base and the pruned model on the base model's principal components.
 *
 * @param module      canonical module name
 * @param layer       the base model's layer shown
 * @param prunedLayer the base index of the last kept layer at or before {@code layer}, whose output the pruned model
 *                    has at that depth; -1 when it is the module's input
 * @param explained   share of the base states' variance along each component
 * @param base        [tokens][components]
 * @param pruned      [tokens][components]
 * @param types       token type per token (0 image, 1 language, 2 state, 3 action, 4 future), empty if not recorded
 */
public record LatentPreview(String module, int layer, int prunedLayer, double[] explained, double[][] base,
                            double[][] pruned, byte[] types) {
}
