package dev.plateau.model;

import dev.plateau.checkpoint.DType;
import dev.plateau.checkpoint.TensorInfo;
import java.util.List;

/**
 * A tensor a family's layout expects: name, stored dtype, shape, and how a synthetic checkpoint fills it.
 *
 * @param init the synthetic value: norm scales at their identity, biases zero, weights random with 1/sqrt(fan-in)
 */
public record TensorDecl(String name, DType dtype, List<Long> shape, Init init) {

    /** How a synthetic checkpoint fills a tensor. */
    public enum Init { ONES, ZEROS, NORMAL }

    public TensorDecl {
        shape = List.copyOf(shape);
    }

    public long elementCount() {
        return TensorInfo.elementCount(shape);
    }

    /** Fan-in for the random init: [out, in] linear, [out, c, k, k] conv, [categories, in, out] GR00T MLP. */
    public long fanIn() {
        if (shape.size() < 2) {
            return Math.max(1, shape.isEmpty() ? 1 : shape.getFirst());
        }
        if (name.endsWith(".W") && shape.size() == 3) {
            return shape.get(1);
        }
        return TensorInfo.elementCount(shape.subList(1, shape.size()));
    }
}
