package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

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
        Shape shape = new Shape(e.info().shape().stream().mapToLong(Long::longValue).toArray());
        MemorySegment data = e.file().bytes(e.info());
        NDArray array = create(shape, manager, out -> e.info().dtype().toFloats(data, out));
        if (data.isMapped()) {
            // the file's pages stay in the page cache, but no longer count as this process's memory: a whole model's
            // weights would, once each was read (measured: 0.8 GB of a real-size SmolVLA's 3.1 GB peak)
            data.unload();
        }
        return array;
    }

    /**
     * A float32 array of {@code shape} whose values {@code fill} writes, through native memory that is freed as soon
     * as the array holds its copy. An array made from a Java array goes through a direct buffer instead, whose memory
     * returns only when a garbage collection finds it: a whole model's weights in float32 could pile up in a batch.
     */
    static NDArray create(Shape shape, NDManager manager, Consumer<MemorySegment> fill) {
        long bytes = shape.size() * Float.BYTES;
        if (bytes == 0 || bytes > Integer.MAX_VALUE) {
            float[] values = new float[Math.toIntExact(shape.size())];
            fill.accept(MemorySegment.ofArray(values));
            return manager.create(values, shape);
        }
        try (Arena arena = Arena.ofConfined(); NDManager scope = manager.newSubManager()) {
            MemorySegment segment = arena.allocate(ValueLayout.JAVA_FLOAT, shape.size());
            fill.accept(segment);
            NDArray borrowed = scope.create(segment.asByteBuffer(), shape, DataType.FLOAT32);
            NDArray owned = borrowed.duplicate();
            owned.attach(manager);
            return owned;
        }
    }

    /**
     * Entry {@code index} along the first dimension of a tensor (one category of GR00T's per-embodiment weights
     * [categories, in, out]), with the remaining shape: only its bytes are read and converted.
     */
    static NDArray slice(Checkpoint checkpoint, String name, int index, NDManager manager) {
        Checkpoint.Entry e = entry(checkpoint, name);
        List<Long> shape = e.info().shape();
        if (index < 0 || index >= shape.getFirst()) {
            throw new IllegalArgumentException("index " + index + " is outside the " + shape.getFirst() + " entries of "
                    + name);
        }
        return entries(e, new int[] {index}, new Shape(shape.subList(1, shape.size()).stream()
                .mapToLong(Long::longValue).toArray()), manager);
    }

    /** Rows {@code ids} of a [rows, width] table (an embedding), read row by row: the table is never loaded whole. */
    static NDArray rows(Checkpoint checkpoint, String name, int[] ids, NDManager manager) {
        Checkpoint.Entry e = entry(checkpoint, name);
        long rows = e.info().shape().get(0);
        for (int id : ids) {
            if (id < 0 || id >= rows) {
                throw new IllegalArgumentException("token id " + id + " is outside the " + rows + "-row table "
                        + name + ": the tokenizer does not belong to this checkpoint");
            }
        }
        return entries(e, ids, new Shape(ids.length, e.info().shape().get(1)), manager);
    }

    /**
     * Entries {@code indices} along a tensor's first dimension, each converted from the file's bytes (nothing else of
     * the tensor is read), one after another in an array of {@code shape}.
     */
    private static NDArray entries(Checkpoint.Entry e, int[] indices, Shape shape, NDManager manager) {
        List<Long> dims = e.info().shape();
        long elements = dims.subList(1, dims.size()).stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        long entryBytes = elements * e.info().dtype().size();
        long outBytes = elements * Float.BYTES;
        MemorySegment table = e.file().bytes(e.info());
        return create(shape, manager, out -> {
            for (int i = 0; i < indices.length; i++) {
                e.info().dtype().toFloats(table.asSlice(indices[i] * entryBytes, entryBytes),
                        out.asSlice(i * outBytes, outBytes));
            }
        });
    }
}
