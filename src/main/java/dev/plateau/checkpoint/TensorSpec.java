package dev.plateau.checkpoint;

import java.util.List;

/** A tensor to write: its name, dtype, shape and the source of its bytes. */
public record TensorSpec(String name, DType dtype, List<Long> shape, TensorSource source) {

    public TensorSpec {
        shape = List.copyOf(shape);
        long bytes = TensorInfo.elementCount(shape) * dtype.size();
        long have = switch (source) {
            case TensorSource.Bytes b -> b.data().length;
            case TensorSource.CopyOf c -> c.tensor().byteLength();
            case TensorSource.Unwritten u -> bytes;
            case TensorSource.Computed c -> bytes;
        };
        if (have != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + shape + " needs " + bytes
                    + " bytes, its source has " + have);
        }
    }

    /** A tensor copied unchanged, under a new name or its own. */
    public static TensorSpec copyOf(String name, SafetensorsFile file, TensorInfo tensor) {
        return new TensorSpec(name, tensor.dtype(), tensor.shape(), new TensorSource.CopyOf(file, tensor));
    }

    public long byteLength() {
        return TensorInfo.elementCount(shape) * dtype.size();
    }
}
