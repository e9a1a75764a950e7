package dev.plateau.checkpoint;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Writes safetensors weights tensor by tensor: never more than one tensor's bytes in memory, unchanged tensors
 * copied from their source file without decoding. Weights larger than the shard limit are split into
 * {@code model-0000i-of-0000n.safetensors} files with a {@code model.safetensors.index.json}; the metadata always
 * carries {@code "format": "pt"}, which PyTorch loaders expect.
 */
public final class SafetensorsWriter {
    /** Hugging Face's default shard size. */
    public static final long DEFAULT_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    private SafetensorsWriter() {
    }

    /** What was written: the weight files (relative names) and, when sharded, the index. */
    public record Written(List<String> files, boolean sharded) {
    }

    /**
     * Writes {@code tensors} into {@code folder} (normally a {@link StagedFolder}), as one {@code model.safetensors}
     * when their bytes fit {@code maxShardBytes}, else as shards with an index. {@code metadata} is added to
     * {@code {"format": "pt"}}.
     */
    public static Written writeWeights(Path folder, List<TensorSpec> tensors, long maxShardBytes,
                                       Map<String, String> metadata) throws IOException {
        return writeWeights(folder, tensors, maxShardBytes, metadata, bytes -> { });
    }

    /**
     * The same, telling {@code written} the tensor bytes written so far after each tensor (it may throw to stop the
     * writing, e.g. a {@link java.util.concurrent.CancellationException}).
     */
    public static Written writeWeights(Path folder, List<TensorSpec> tensors, long maxShardBytes,
                                       Map<String, String> metadata, LongConsumer written) throws IOException {
        checkUniqueNames(tensors);
        long[] done = {0};
        LongConsumer tensorWritten = bytes -> {
            done[0] += bytes;
            written.accept(done[0]);
        };
        List<List<TensorSpec>> shards = plan(tensors, maxShardBytes);
        if (shards.size() == 1) {
            writeFile(folder.resolve(Checkpoint.SINGLE_FILE), shards.getFirst(), metadata, tensorWritten);
            return new Written(List.of(Checkpoint.SINGLE_FILE), false);
        }
        List<String> names = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = "model-%05d-of-%05d.safetensors".formatted(i + 1, shards.size());
            writeFile(folder.resolve(name), shards.get(i), metadata, tensorWritten);
            names.add(name);
            for (TensorSpec t : shards.get(i)) {
                weightMap.put(t.name(), name);
                total += t.byteLength();
            }
        }
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Json.write(folder.resolve(ShardIndex.FILE_NAME), index);
        return new Written(List.copyOf(names), true);
    }

    /**
     * Writes one safetensors file atomically: a temporary file beside {@code file}, renamed onto it at the end (and
     * deleted if the program is interrupted first).
     */
    public static void writeFileAtomically(Path file, List<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        checkUniqueNames(tensors);
        Path absolute = file.toAbsolutePath();
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".partial-" + UUID.randomUUID());
        temp.toFile().deleteOnExit();
        try {
            writeFile(temp, tensors, metadata, bytes -> { });
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Greedy split in the given order; a tensor larger than the limit gets a shard of its own. */
    static List<List<TensorSpec>> plan(List<TensorSpec> tensors, long maxShardBytes) {
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long size = 0;
        for (TensorSpec t : tensors) {
            if (maxShardBytes > 0 && !current.isEmpty() && size + t.byteLength() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteLength();
        }
        shards.add(current);
        return shards;
    }

    private static void writeFile(Path file, List<TensorSpec> tensors, Map<String, String> metadata,
                                  LongConsumer tensorWritten) throws IOException {
        byte[] header = header(tensors, metadata);
        long dataLength = tensors.stream().mapToLong(TensorSpec::byteLength).sum();
        long fileSize = 8L + header.length + dataLength;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(out, prefix);
            writeFully(out, ByteBuffer.wrap(header));
            for (TensorSpec t : tensors) {
                switch (t.source()) {
                    case TensorSource.Bytes b -> writeFully(out, ByteBuffer.wrap(b.data()));
                    case TensorSource.Computed c -> writeComputed(out, t, c);
                    case TensorSource.CopyOf c -> c.file().transferTo(c.tensor(), out);
                    case TensorSource.Unwritten u -> out.position(out.position() + t.byteLength());
                }
                tensorWritten.accept(t.byteLength());
            }
            if (out.size() < fileSize) {
                out.write(ByteBuffer.allocate(1), fileSize - 1);
            }
            out.force(false);
        }
    }

    /** The JSON header, {@code __metadata__} first, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(List<TensorSpec> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        ObjectNode metaNode = root.putObject(SafetensorsHeader.METADATA_KEY);
        meta.forEach(metaNode::put);
        long offset = 0;
        for (TensorSpec t : tensors) {
            ObjectNode node = root.putObject(t.name());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            t.shape().forEach(shape::add);
            node.putArray("data_offsets").add(offset).add(offset + t.byteLength());
            offset += t.byteLength();
        }
        byte[] json = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeComputed(FileChannel out, TensorSpec t, TensorSource.Computed source)
            throws IOException {
        long[] given = {0};
        try {
            source.bytes().accept(buffer -> {
                given[0] += buffer.remaining();
                if (given[0] > t.byteLength()) {
                    throw new IllegalStateException("tensor '" + t.name() + "' gave more than its " + t.byteLength()
                            + " bytes");
                }
                try {
                    writeFully(out, buffer);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (given[0] != t.byteLength()) {
            throw new IllegalStateException("tensor '" + t.name() + "' gave " + given[0] + " bytes, "
                    + t.byteLength() + " expected");
        }
    }

    private static void checkUniqueNames(List<TensorSpec> tensors) {
        Set<String> seen = new HashSet<>();
        for (TensorSpec t : tensors) {
            if (t.name().equals(SafetensorsHeader.METADATA_KEY) || !seen.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' given twice or reserved");
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
