package dev.plateau.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One open safetensors file. Opening reads and validates the header only; tensor bytes are memory-mapped on first
 * access (files of any size) and read by the operating system only when touched. Thread-safe; close it to unmap.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName;
    private Arena arena;
    private MemorySegment data;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) {
            map.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** Opens {@code path}, reading and validating its header; no tensor data is read. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path, "file not found");
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot be opened: " + e.getMessage());
        }
        try {
            return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(path, "cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** The {@code __metadata__} map. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Every tensor in data-section order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    /** Tensor names mapped to their descriptions, in data-section order. */
    public Map<String, TensorInfo> tensorsByName() {
        return byName;
    }

    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Total bytes of the file. */
    public long fileSize() {
        return header.dataStart() + header.dataLength();
    }

    /** The raw little-endian bytes of {@code tensor}, mapped from the file (valid until this file is closed). */
    public MemorySegment bytes(TensorInfo tensor) {
        checkOwn(tensor);
        return dataSegment().asSlice(tensor.begin(), tensor.byteLength());
    }

    /** The tensor converted to float32 (exact for BF16 and F16). */
    public float[] floats(TensorInfo tensor) {
        return tensor.dtype().toFloats(bytes(tensor));
    }

    /** Copies the tensor's bytes unchanged to {@code target}, without decoding or mapping them. */
    public void transferTo(TensorInfo tensor, WritableByteChannel target) throws IOException {
        checkOwn(tensor);
        long position = header.dataStart() + tensor.begin();
        long remaining = tensor.byteLength();
        while (remaining > 0) {
            long n = channel.transferTo(position, remaining, target);
            if (n <= 0 && position >= channel.size()) {
                throw new CheckpointException(path, "tensor '" + tensor.name() + "' was cut short while copying: "
                        + "the file changed on disk");
            }
            position += n;
            remaining -= n;
        }
    }

    private void checkOwn(TensorInfo tensor) {
        if (!tensor.equals(byName.get(tensor.name()))) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is not in " + path);
        }
    }

    private synchronized MemorySegment dataSegment() {
        if (data == null) {
            if (!channel.isOpen()) {
                throw new IllegalStateException(path + " is closed");
            }
            arena = Arena.ofShared();
            try {
                data = channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart(), header.dataLength(), arena);
            } catch (IOException e) {
                arena.close();
                arena = null;
                throw new CheckpointException(path, "cannot be memory-mapped: " + e.getMessage());
            }
        }
        return data;
    }

    @Override
    public synchronized void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            data = null;
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through this channel; a failed close loses nothing
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
