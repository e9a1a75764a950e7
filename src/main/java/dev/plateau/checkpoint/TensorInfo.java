package dev.plateau.checkpoint;

import java.util.List;

/**
 * One tensor as a safetensors header describes it: name, dtype, shape and its byte range within the data section
 * of its file ({@code begin} inclusive, {@code end} exclusive).
 */
public record TensorInfo(String name, DType dtype, List<Long> shape, long begin, long end) {

    public TensorInfo {
        shape = List.copyOf(shape);
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long elementCount() {
        return elementCount(shape);
    }

    public long byteLength() {
        return end - begin;
    }

    /** Product of {@code shape}, or -1 if it overflows a long. */
    public static long elementCount(List<Long> shape) {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException overflow) {
                return -1;
            }
        }
        return n;
    }
}
