package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs NDArray operations whose intermediates must not outlive them. DJL puts an operation's result in the manager
 * of its first operand, so an accumulator's long-lived arrays would collect every temporary made from them.
 */
final class Scoped {
    private Scoped() {
    }

    /**
     * {@code op(first)} with {@code first} temporarily attached to a fresh scope: the result is attached to
     * {@code target}, every intermediate is freed, and {@code first} returns to its own manager. {@code op} must
     * return a new array.
     */
    static NDArray apply(NDArray first, NDManager target, UnaryOperator<NDArray> op) {
        try (NDManager local = target.newSubManager()) {
            first.tempAttach(local);
            NDArray result = op.apply(first);
            result.attach(target);
            return result;
        }
    }

    /** A scalar computed from {@code first}, with every intermediate freed. */
    static double scalar(NDArray first, UnaryOperator<NDArray> op) {
        try (NDManager local = first.getManager().newSubManager()) {
            first.tempAttach(local);
            return op.apply(first).getDouble();
        }
    }
}
