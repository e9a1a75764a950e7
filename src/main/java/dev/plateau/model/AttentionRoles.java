package dev.plateau.model;

import java.util.List;
import java.util.OptionalInt;

/**
 * Layers of one module that alternate between attention to the module's own tokens (joint) and cross-attention to
 * another module's features, by layer-index parity: the key and value projections read a different width in each role.
 *
 * @param keyValue          the key and value projection weights, relative to the layer
 * @param crossAtMultiples  whether layers at multiples of the period cross-attend (GR00T's DiT) or the others (SmolVLA's
 *                          expert)
 * @param jointWidth        the projections' input width in joint layers
 * @param crossWidth        their input width in cross-attention layers, when the config or another module gives it
 */
public record AttentionRoles(List<String> keyValue, boolean crossAtMultiples, int jointWidth, OptionalInt crossWidth) {
    public AttentionRoles {
        keyValue = List.copyOf(keyValue);
    }

    /** The input width of the key and value projections of a layer that is ({@code atMultiple}) a multiple or not. */
    public OptionalInt width(boolean atMultiple) {
        return atMultiple == crossAtMultiples ? crossWidth : OptionalInt.of(jointWidth);
    }
}
