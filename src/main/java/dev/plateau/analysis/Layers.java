package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Checks that a module's layers can be compared: 2-D, the same token count, at least one token. */
final class Layers {
    private Layers() {
    }

    static void check(List<NDArray> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to compare");
        }
        Shape first = layers.getFirst().getShape();
        for (int i = 0; i < layers.size(); i++) {
            Shape s = layers.get(i).getShape();
            if (s.dimension() != 2) {
                throw new IllegalArgumentException("layer " + i + " has shape " + s + "; expected [tokens, features]");
            }
            if (s.get(0) != first.get(0)) {
                throw new IllegalArgumentException("layer " + i + " has " + s.get(0) + " tokens but layer 0 has "
                        + first.get(0) + "; layers are compared token by token");
            }
            if (s.get(0) < 1) {
                throw new IllegalArgumentException("layer " + i + " has no tokens");
            }
        }
    }
}
