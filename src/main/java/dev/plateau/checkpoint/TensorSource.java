package dev.plateau.checkpoint;

/** Where the bytes of a tensor being written come from. */
public sealed interface TensorSource {

    /** Bytes in memory, little-endian, exactly the tensor's length. */
    record Bytes(byte[] data) implements TensorSource {
    }

    /**
     * Bytes made when the tensor is written, one tensor at a time, so that a file of many large tensors never holds
     * them all in memory at once: the producer hands the writer the tensor's bytes (exactly its length) in one or more
     * buffers, which the writer has written when {@code accept} returns; a buffer may view memory the producer frees
     * afterwards (a native tensor's), so nothing is copied onto the Java heap.
     */
    record Computed(java.util.function.Consumer<java.util.function.Consumer<java.nio.ByteBuffer>> bytes)
            implements TensorSource {
    }

    /** The unchanged bytes of a tensor of an open file, copied without being decoded or mapped. */
    record CopyOf(SafetensorsFile file, TensorInfo tensor) implements TensorSource {
    }

    /**
     * Not written: the file is extended over the tensor's range, which reads back as zeros and, on file systems that
     * support it, takes no disk space. For real-size test checkpoints whose data nobody reads.
     */
    record Unwritten() implements TensorSource {
    }
}
