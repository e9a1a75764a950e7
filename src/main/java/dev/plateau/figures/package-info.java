/**
 * The figures, drawn the same way on screen and in a report: the similarity heatmap with Algorithm 1's blocks and
 * removals, the adjacent profile with tau, the latent geometry and the training loss, as JFreeChart charts, in one
 * palette.
 */
package dev.plateau.figures;
