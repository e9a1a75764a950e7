package dev.plateau.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Strict JSON reading of the small files in a checkpoint folder (config.json, index.json), and pretty writing. */
public final class Json {
    /** Rejects duplicate keys and trailing content. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** Reads {@code file} as a JSON object, or fails with a message naming the file and the problem. */
    public static ObjectNode readObject(Path file) {
        JsonNode node;
        try {
            node = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "file not found");
        } catch (JacksonException e) {
            throw new CheckpointException(file, "is not valid JSON: " + describe(e));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new CheckpointException(file, "is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Appends {@code value}, or null for NaN (JSON has no NaN): how scores without a value are written. */
    public static void addNumberOrNull(ArrayNode array, double value) {
        if (Double.isNaN(value)) {
            array.addNull();
        } else {
            array.add(value);
        }
    }

    /** Writes {@code node} pretty-printed with a final newline. */
    public static void write(Path file, JsonNode node) throws IOException {
        Files.writeString(file, MAPPER.writeValueAsString(node) + "\n");
    }

    /** Writes {@code node} to a temporary file beside {@code file}, then renames it onto {@code file}. */
    public static void writeAtomically(Path file, JsonNode node) throws IOException {
        TextFiles.writeAtomically(file, MAPPER.writeValueAsString(node) + "\n");
    }

    /** A JSON parse error in words, without the parser's internals. */
    static String describe(JacksonException e) {
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        if (message.startsWith("Trailing token")) {
            return "unexpected content after the JSON object";
        }
        if (message.contains("nesting depth")) {
            return "nested too deeply";
        }
        if (message.startsWith("Duplicate field ")) {
            return "the key " + message.substring("Duplicate field ".length()) + " appears twice";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
