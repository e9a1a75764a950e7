package dev.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus of malformed checkpoints: each one makes {@code plateau inspect} exit with code 2 and print exactly one
 * line naming the file and the problem, with no stack trace.
 */
class MalformedInputTest {
    @TempDir
    static Path root;

    /** A broken input: how to make it (in an empty folder) and what the one line must say. */
    record Case(String name, String fileInMessage, String problemInMessage, Setup setup) {
    }

    @FunctionalInterface
    interface Setup {
        /** Writes the broken input into {@code dir} and returns the path to inspect. */
        Path make(Path dir) throws IOException;
    }

    private static final String LLAMA = "{\"model_type\": \"llama\", \"num_hidden_layers\": 2}";
    private static final String T0 = "\"model.layers.0.input_layernorm.weight\"";
    private static final String T1 = "\"model.layers.1.input_layernorm.weight\"";
    private static final String VALID = "{" + T0 + ":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + T1 + ":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";

    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    static byte[] rawLength(long length, int totalBytes) {
        return ByteBuffer.allocate(totalBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array();
    }

    /** A folder with a llama config.json and model.safetensors holding {@code weights}. */
    static Path folder(Path dir, String config, byte[] weights) throws IOException {
        Files.writeString(dir.resolve("config.json"), config);
        Files.write(dir.resolve("model.safetensors"), weights);
        return dir;
    }

    static Setup weights(byte[] bytes) {
        return dir -> folder(dir, LLAMA, bytes);
    }

    static Setup header(String header, int dataBytes) {
        return weights(safetensors(header, dataBytes));
    }

    static String tensors(String t0, String t1) {
        return "{" + T0 + ":" + t0 + "," + T1 + ":" + t1 + "}";
    }

    static Setup sharded(String index, boolean secondShardHoldsExtra) {
        return dir -> {
            Files.writeString(dir.resolve("config.json"), LLAMA);
            Files.write(dir.resolve("a.safetensors"), safetensors(
                    "{" + T0 + ":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
            Files.write(dir.resolve("b.safetensors"), safetensors(secondShardHoldsExtra
                    ? "{" + T1 + ":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            + "\"extra\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"
                    : "{" + T1 + ":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                    secondShardHoldsExtra ? 12 : 8));
            Files.writeString(dir.resolve("model.safetensors.index.json"), index);
            return dir;
        };
    }

    static String index(String t0Shard, String t1Shard) {
        return "{\"metadata\":{\"total_size\":16},\"weight_map\":{" + T0 + ":\"" + t0Shard + "\"," + T1 + ":\""
                + t1Shard + "\"}}";
    }

    static List<Case> corpus() {
        String ok0 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        String ok1 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}";
        String st = "model.safetensors";
        List<Case> c = new ArrayList<>();
        c.add(new Case("empty weight file", st, "shorter than the 8-byte", weights(new byte[0])));
        c.add(new Case("7-byte weight file", st, "shorter than the 8-byte", weights(new byte[7])));
        c.add(new Case("header length past end of file", st, "runs past the end", weights(rawLength(1000, 50))));
        c.add(new Case("absurd header length", st, "exceeds the format's limit", weights(rawLength(1L << 62, 64))));
        c.add(new Case("header length with the sign bit", st, "exceeds", weights(rawLength(-8, 64))));
        c.add(new Case("header length 1", st, "too short", weights(rawLength(1, 9))));
        c.add(new Case("header not UTF-8", st, "not valid UTF-8", weights(ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(4).put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'})
                .array())));
        c.add(new Case("header not an object", st, "does not start with '{'", header("[1, 2, 3]", 0)));
        c.add(new Case("truncated JSON", st, "not valid JSON", header("{" + T0 + ":{\"dtype\":\"F3", 0)));
        c.add(new Case("trailing tokens after the header", st, "content after the JSON object", header(VALID + " {}", 16)));
        c.add(new Case("duplicate tensor name", st, "'model.layers.0.input_layernorm.weight' appears twice",
                header("{" + T0 + ":" + ok0 + "," + T0 + ":" + ok1 + "}", 16)));
        c.add(new Case("unknown dtype", st, "unknown dtype 'F12'",
                header(tensors("{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("dtype not a string", st, "has no dtype",
                header(tensors("{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("missing dtype", st, "has no dtype",
                header(tensors("{\"shape\":[2],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("negative dimension", st, "not a non-negative integer",
                header(tensors("{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("fractional dimension", st, "not a non-negative integer",
                header(tensors("{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("missing data_offsets", st, "has no data_offsets",
                header(tensors("{\"dtype\":\"F32\",\"shape\":[2]}", ok1), 16)));
        c.add(new Case("three data_offsets", st, "exactly 2",
                header(tensors("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}", ok1), 16)));
        c.add(new Case("offsets end before they begin", st, "end before they begin",
                header(tensors("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}", ok1), 16)));
        c.add(new Case("truncated data section", st, "truncated", header(VALID, 12)));
        c.add(new Case("overlapping offsets", st, "overlaps", header(tensors(ok0,
                "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}"), 12)));
        c.add(new Case("gap between tensors", st, "gap of 4 bytes", header(tensors(ok0,
                "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}"), 20)));
        c.add(new Case("wrong byte length", st, "needs 8 bytes", header(tensors(ok0,
                "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,20]}"), 20)));
        c.add(new Case("trailing data after the last tensor", st, "belong to no tensor", header(VALID, 24)));
        c.add(new Case("shape overflows", st, "more than 2^63", header(tensors(
                "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}", ok1), 16)));
        c.add(new Case("metadata not an object", st, "__metadata__ is not",
                header("{\"__metadata__\":[1]," + VALID.substring(1), 16)));
        c.add(new Case("metadata value not a string", st, "is not a string",
                header("{\"__metadata__\":{\"format\":1}," + VALID.substring(1), 16)));
        c.add(new Case("tensor entry not an object", st, "not described by a JSON object",
                header(tensors("[0, 8]", ok1), 16)));
        c.add(new Case("deeply nested header", st, "nested too deeply",
                header("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0)));
        c.add(new Case("missing shard", "model.safetensors.index.json", "'c.safetensors', which is missing",
                sharded(index("a.safetensors", "c.safetensors"), false)));
        c.add(new Case("index names a tensor its shard lacks", "model.safetensors.index.json", "does not hold it",
                sharded(index("a.safetensors", "a.safetensors"), false)));
        c.add(new Case("shard holds a tensor the index lacks", "b.safetensors", "'extra', which",
                sharded(index("a.safetensors", "b.safetensors"), true)));
        c.add(new Case("index without weight_map", "model.safetensors.index.json", "weight_map",
                sharded("{\"metadata\":{}}", false)));
        c.add(new Case("index with an empty weight_map", "model.safetensors.index.json", "lists no tensors",
                sharded("{\"weight_map\":{}}", false)));
        c.add(new Case("index escaping the folder", "model.safetensors.index.json", "not a file name",
                sharded(index("a.safetensors", "../b.safetensors"), false)));
        c.add(new Case("index not JSON", "model.safetensors.index.json", "not valid JSON", sharded("{oops", false)));
        c.add(new Case("missing config.json", "config.json", "missing", dir -> {
            Files.write(dir.resolve(st), safetensors(VALID, 16));
            return dir;
        }));
        c.add(new Case("broken config.json", "config.json", "not valid JSON",
                dir -> folder(dir, "{\"model_type\": \"llama\",", safetensors(VALID, 16))));
        c.add(new Case("config.json not an object", "config.json", "not a JSON object",
                dir -> folder(dir, "[\"llama\"]", safetensors(VALID, 16))));
        c.add(new Case("unknown architecture", "config.json", "unknown architecture (model_type=\"bert\")",
                dir -> folder(dir, "{\"model_type\": \"bert\"}", safetensors(VALID, 16))));
        c.add(new Case("no such folder", "does-not-exist", "no such folder", dir -> dir.resolve("does-not-exist")));
        c.add(new Case("a file instead of a folder", "config.json", "is a file",
                dir -> folder(dir, LLAMA, safetensors(VALID, 16)).resolve("config.json")));
        c.add(new Case("no weights", "case", "holds neither model.safetensors", dir -> {
            Files.writeString(dir.resolve("config.json"), LLAMA);
            return dir;
        }));
        c.add(new Case("config depth disagrees with the weights", "config.json", "num_hidden_layers = 3 but",
                dir -> folder(dir, "{\"model_type\": \"llama\", \"num_hidden_layers\": 3}", safetensors(VALID, 16))));
        c.add(new Case("depth key not an integer", "config.json", "num_hidden_layers is \"2\", not an integer",
                dir -> folder(dir, "{\"model_type\": \"llama\", \"num_hidden_layers\": \"2\"}",
                        safetensors(VALID, 16))));
        c.add(new Case("a layer missing in the middle", st, "[1] is missing", dir -> folder(dir,
                "{\"model_type\": \"llama\", \"num_hidden_layers\": 3}", safetensors("{" + T0 + ":" + ok0
                        + ",\"model.layers.2.input_layernorm.weight\":" + ok1 + "}", 16))));
        c.add(new Case("GR00T N1 instead of N1.5", "config.json", "not GR00T-N1.5",
                dir -> folder(dir, "{\"model_type\": \"gr00t_n1\"}", safetensors(VALID, 16))));
        c.add(new Case("pi0-FAST config over pi0 tensors", "config.json", "is not pi0 or pi0.5",
                dir -> folder(dir, "{\"type\": \"pi0fast\"}", safetensors(
                        "{\"paligemma_with_expert.x\":" + ok0 + "}", 8))));
        c.add(new Case("pi0 with unequal VLM and expert depth", st, "2 VLM layers but 1 expert layers",
                dir -> folder(dir, "{\"type\": \"pi0\"}", safetensors("{"
                        + "\"paligemma_with_expert.paligemma.model.language_model.layers.0.input_layernorm.weight\":"
                        + "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"paligemma_with_expert.paligemma.model.language_model.layers.1.input_layernorm.weight\":"
                        + "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                        + "\"paligemma_with_expert.gemma_expert.model.layers.0.input_layernorm.weight\":"
                        + "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}", 24))));
        return c;
    }

    @Test
    void theCorpusCoversAtLeastThirtyDistinctInputs() {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 30, "corpus has " + corpus.size() + " cases");
        assertEquals(corpus.size(), corpus.stream().map(Case::name).distinct().count());
    }

    @TestFactory
    Stream<DynamicTest> eachMalformedInputGivesExitCodeTwoAndOneClearLine() {
        return corpus().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path dir = Files.createDirectories(root.resolve(c.name().replaceAll("\\W+", "-")).resolve("case"));
            Path input = c.setup().make(dir);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out), new PrintWriter(err), "inspect", input.toString());
            String message = err.toString();
            assertAll(
                    () -> assertEquals(2, code, message),
                    () -> assertEquals("", out.toString()),
                    () -> assertTrue(message.startsWith("plateau: "), message),
                    () -> assertEquals(1, message.lines().count(), message),
                    () -> assertTrue(message.contains(c.fileInMessage()), "names the file: " + message),
                    () -> assertTrue(message.contains(c.problemInMessage()), "says what is wrong: " + message),
                    () -> assertFalse(message.contains("Exception") || message.contains("\tat "), message));
        }));
    }
}
