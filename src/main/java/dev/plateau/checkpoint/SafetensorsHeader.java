package dev.plateau.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file.
 *
 * <p>Layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON, then the data section. Validation
 * follows the reference implementation and is stricter where a silent acceptance would hide a broken file:
 * N at most {@value #MAX_HEADER_BYTES} bytes and within the file, a JSON object that starts with '{', no duplicate
 * names, every dtype known, every shape non-negative, each tensor's byte length equal to its element count times
 * its dtype size, and the tensors' byte ranges covering the data section exactly, with no gap or overlap.
 *
 * @param metadata   the {@code __metadata__} string map (empty when absent)
 * @param tensors    every tensor, ordered by position in the data section
 * @param dataStart  absolute file offset of the data section (8 + N)
 * @param dataLength bytes in the data section
 */
public record SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, long dataStart,
                                long dataLength) {

    /** The reference implementation's bound on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    public SafetensorsHeader {
        metadata = Map.copyOf(metadata);
        tensors = List.copyOf(tensors);
    }

    /** Checks the 8-byte length prefix against the file's size; returns the header length N. */
    static long checkLength(Path file, long fileSize, ByteBuffer prefix) {
        if (fileSize < 8) {
            throw new CheckpointException(file, "not a safetensors file: it is " + fileSize
                    + " bytes long, shorter than the 8-byte header length");
        }
        long n = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(n)
                    + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes: not a safetensors file");
        }
        if (n < 2) {
            throw new CheckpointException(file, "header length " + n + " bytes is too short for a JSON object");
        }
        if (8 + n > fileSize) {
            throw new CheckpointException(file, "header length " + n + " bytes runs past the end of the "
                    + fileSize + "-byte file: the file is truncated or not safetensors");
        }
        return n;
    }

    /** Parses and validates {@code header} (the N header bytes) of a file of {@code fileSize} bytes. */
    static SafetensorsHeader parse(Path file, byte[] header, long fileSize) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw new CheckpointException(file, "header does not start with '{': not a safetensors file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + Json.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "header is not a JSON object");
        }
        long dataStart = 8L + header.length;
        long dataLength = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, entry.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, name, entry.getValue(), dataLength));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkCoverage(file, tensors, dataLength);
        return new SafetensorsHeader(metadata, tensors, dataStart, dataLength);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new CheckpointException(file, "__metadata__ is not a JSON object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(file, "__metadata__ value of '" + e.getKey() + "' is not a string");
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node, long dataLength) {
        String where = "tensor '" + name + "' ";
        if (!node.isObject()) {
            throw new CheckpointException(file, where + "is not described by a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(file, where + "has no dtype");
        }
        DType dtype = DType.fromCode(dtypeNode.textValue()).orElseThrow(() -> new CheckpointException(file,
                where + "has unknown dtype '" + dtypeNode.textValue() + "'"));
        List<Long> shape = naturals(file, where, "shape", node.get("shape"));
        List<Long> offsets = naturals(file, where, "data_offsets", node.get("data_offsets"));
        if (offsets.size() != 2) {
            throw new CheckpointException(file, where + "has " + offsets.size()
                    + " data_offsets; exactly 2 (begin, end) are required");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin > end) {
            throw new CheckpointException(file, where + "has data_offsets [" + begin + ", " + end
                    + "] that end before they begin");
        }
        if (end > dataLength) {
            throw new CheckpointException(file, where + "ends at byte " + end + " of the data section, which has only "
                    + dataLength + " bytes: the file is truncated");
        }
        long elements = TensorInfo.elementCount(shape);
        long expected = elements < 0 ? -1 : elements > Long.MAX_VALUE / dtype.size() ? -1 : elements * dtype.size();
        if (expected != end - begin) {
            throw new CheckpointException(file, where + "holds " + (end - begin) + " bytes but " + dtype + " "
                    + shape + " needs " + (expected < 0 ? "more than 2^63" : Long.toString(expected)) + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static List<Long> naturals(Path file, String where, String key, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new CheckpointException(file, where + "has no " + key + " array");
        }
        List<Long> values = new ArrayList<>(node.size());
        for (JsonNode v : node) {
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new CheckpointException(file, where + "has " + key + " entry " + v
                        + ", not a non-negative integer");
            }
            values.add(v.longValue());
        }
        return values;
    }

    private static void checkCoverage(Path file, List<TensorInfo> sorted, long dataLength) {
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw new CheckpointException(file, "tensor '" + t.name() + "' overlaps tensor '"
                        + previous.name() + "' (bytes " + t.begin() + ".." + expected + ")");
            }
            if (t.begin() > expected) {
                throw new CheckpointException(file, "gap of " + (t.begin() - expected) + " bytes before tensor '"
                        + t.name() + "': the data section must be covered contiguously");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataLength) {
            throw new CheckpointException(file, (dataLength - expected) + " bytes after the last tensor"
                    + (previous == null ? "" : " '" + previous.name() + "'")
                    + " belong to no tensor: the file has trailing data or a tensor is missing from the header");
        }
    }

    /** Reads the whole header of an already-open file. Package-private: {@link SafetensorsFile} is the entry. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer prefix = ByteBuffer.allocate(8);
        if (size >= 8) {
            readFully(channel, prefix, 0);
        }
        long n = checkLength(file, size, prefix);
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(channel, header, 8);
        return parse(file, header.array(), size);
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position)
            throws IOException {
        while (into.hasRemaining()) {
            int r = channel.read(into, position + into.position());
            if (r < 0) {
                throw new EOFException();
            }
        }
    }
}
