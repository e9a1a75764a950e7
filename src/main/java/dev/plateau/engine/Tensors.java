package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** Checkpoint tensors as float32 NDArrays, converted in Java from whatever dtype is stored. */
final class Tensors {
    private Tensors() {
    }

    /** Size of axis {@code axis} of tensor {@code name}; a missing tensor is a clear error. */
    static int dim(Checkpoint checkpoint, String name, int axis) {
        return Math.toIntExact(entry(checkpoint, name).info().shape().get(axis));
    }

    private static Checkpoint.Entry entry(Checkpoint checkpoint, String name) {
        return checkpoint.tensor(name).orElseThrow(() -> new CheckpointException(checkpoint.weightsPath(),
                "has no tensor '" + name + "', which the forward pass needs"));
    }

    static NDArray load(Checkpoint checkpoint, String name, NDManager manager) {
        return toArray(entry(checkpoint, name), manager);
    }

    static Optional<NDArray> optional(Checkpoint checkpoint, String name, NDManager manager) {
        return checkpoint.tensor(name).map(e -> toArray(e, manager));
    }

    private static NDArray toArray(Checkpoint.Entry e, NDManager manager) {
        long[] shape = e.info().shape().stream().mapToLong(Long::longValue).toArray();
        return manager.create(e.file().floats(e.info()), new Shape(shape));
    }

    /** Rows {@code ids} of a [rows, width] table (an embedding), read row by row: the table is never loaded whole. */
    static NDArray rows(Checkpoint checkpoint, String name, int[] ids, NDManager manager) {
        Checkpoint.Entry e = entry(checkpoint, name);
        long rows = e.info().shape().get(0);
        int width = Math.toIntExact(e.info().shape().get(1));
        long rowBytes = (long) width * e.info().dtype().size();
        MemorySegment table = e.file().bytes(e.info());
        float[] out = new float[ids.length * width];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rows) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the " + rows + "-row table "
                        + name + ": the tokenizer does not belong to this checkpoint");
            }
            float[] row = e.info().dtype().toFloats(table.asSlice(ids[i] * rowBytes, rowBytes));
            System.arraycopy(row, 0, out, i * width, width);
        }
        return manager.create(out, new Shape(ids.length, width));
    }
}
