package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.CheckpointException;
import java.nio.file.Path;

/**
 * The latent geometry of a layer in a base and a pruned model: principal components fitted on the base model's
 * hidden states, and both models' states projected on them, so that the two pictures share one coordinate frame.
 *
 * @param explained share of the base states' variance along each component
 * @param base      [tokens][components] of the base model
 * @param pruned    [tokens][components] of the pruned model, same tokens in the same order
 * @param types     token type per token (empty when not recorded)
 */
public record LatentProjection(double[] explained, double[][] base, double[][] pruned, byte[] types) {

    /**
     * Projects layer {@code baseLayer} of {@code module} in {@code baseFile} and layer {@code prunedLayer} (-1: the
     * module's input) of the same module in {@code prunedFile} on the first {@code components} principal components
     * of the former.
     */
    public static LatentProjection of(Path baseFile, int baseLayer, Path prunedFile, int prunedLayer, String module,
                                      int components, long seed) {
        try (ActivationFile base = ActivationFile.open(baseFile);
             ActivationFile pruned = ActivationFile.open(prunedFile);
             NDManager manager = NDManager.newBaseManager()) {
            require(base, module, baseLayer);
            require(pruned, module, prunedLayer);
            NDArray x = base.layer(module, baseLayer, manager);
            NDArray y = prunedLayer < 0 ? pruned.input(module, manager) : pruned.layer(module, prunedLayer, manager);
            if (!x.getShape().equals(y.getShape())) {
                throw new ActivationException(prunedFile, module + " holds " + y.getShape() + " states where the base "
                        + "model has " + x.getShape() + "; the two runs did not see the same samples");
            }
            int k = (int) Math.min(components, Math.min(x.getShape().get(0) - 1, x.getShape().get(1)));
            try (Pca pca = Pca.fit(x, k, seed)) {
                return new LatentProjection(pca.explainedVarianceRatio(), pca.project(x), pca.project(y),
                        base.tokenTypes(module).orElse(new byte[0]));
            }
        } catch (CheckpointException e) {
            throw new ActivationException(baseFile, e.getMessage());
        }
    }

    private static void require(ActivationFile file, String module, int layer) {
        ActivationFile.Module m = file.modules().get(module);
        if (m == null) {
            throw new ActivationException(file.path(), "has no module '" + module + "'");
        }
        if (layer >= m.layers().size() || (layer < 0 && m.input().isEmpty())) {
            throw new ActivationException(file.path(), module + " has no layer " + layer + " (it has "
                    + m.layers().size() + ")");
        }
    }

}
