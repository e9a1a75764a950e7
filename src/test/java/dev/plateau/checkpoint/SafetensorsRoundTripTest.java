package dev.plateau.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    /** One tensor of every dtype, with random bytes, odd shapes, a scalar and an empty tensor. */
    private static List<TensorSpec> everyDtype(long seed) {
        Random random = new Random(seed);
        List<TensorSpec> specs = new ArrayList<>();
        for (DType t : DType.values()) {
            List<Long> shape = List.of(3L, 5L);
            byte[] bytes = new byte[15 * t.size()];
            random.nextBytes(bytes);
            specs.add(new TensorSpec("layer." + t.name().toLowerCase() + ".weight", t, shape,
                    new TensorSource.Bytes(bytes)));
        }
        specs.add(new TensorSpec("scalar", DType.F32, List.of(), new TensorSource.Bytes(new byte[4])));
        specs.add(new TensorSpec("empty", DType.BF16, List.of(0L, 7L), new TensorSource.Bytes(new byte[0])));
        return specs;
    }

    private static byte[] bytesOf(TensorSpec spec) {
        return ((TensorSource.Bytes) spec.source()).data();
    }

    @Test
    void writeThenReadReproducesEveryDtypeExactly() throws IOException {
        List<TensorSpec> specs = everyDtype(1);
        SafetensorsWriter.writeWeights(dir, specs, 0, Map.of("note", "round trip"));
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(Map.of("format", "pt", "note", "round trip"), file.metadata());
            assertEquals(specs.size(), file.tensors().size());
            for (TensorSpec spec : specs) {
                TensorInfo info = file.tensor(spec.name()).orElseThrow();
                assertEquals(spec.dtype(), info.dtype());
                assertEquals(spec.shape(), info.shape());
                assertArrayEquals(bytesOf(spec), file.bytes(info).toArray(ValueLayout.JAVA_BYTE), spec.name());
            }
        }
    }

    @Test
    void anIndependentReaderSeesTheSameTensorsAndBytes() throws Exception {
        List<TensorSpec> specs = everyDtype(2);
        SafetensorsWriter.writeWeights(dir, specs, 0, Map.of());
        Path script = Path.of("src/test/resources/safetensors_digest.py").toAbsolutePath();
        Process p = new ProcessBuilder("python3", script.toString(), dir.resolve("model.safetensors").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        JsonNode report = Json.MAPPER.readTree(out);
        assertEquals("pt", report.get("metadata").get("format").asText());
        assertEquals(0, report.get("header_length").asLong() % 8, "header padded to 8 bytes");
        assertEquals(report.get("data_bytes").asLong(), report.get("covered_bytes").asLong());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (TensorSpec spec : specs) {
            JsonNode t = report.get("tensors").get(spec.name());
            assertEquals(spec.dtype().name(), t.get("dtype").asText());
            assertEquals(spec.shape().toString(), t.get("shape").toString().replace(",", ", "));
            assertEquals(HexFormat.of().formatHex(sha.digest(bytesOf(spec))), t.get("sha256").asText(), spec.name());
        }
    }

    @Test
    void aComputedTensorMayComeInPiecesButMustGiveExactlyItsLength() throws IOException {
        byte[] floats = SafetensorsBytes.floats(1f, 2f, 3f, 4f);
        Path file = dir.resolve("pieces.safetensors");
        SafetensorsWriter.writeFileAtomically(file, List.of(new TensorSpec("x", DType.F32, List.of(4L),
                new TensorSource.Computed(out -> {
                    out.accept(ByteBuffer.wrap(floats, 0, 6));
                    out.accept(ByteBuffer.wrap(floats, 6, 10));
                }))), Map.of());
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, read.floats(read.tensors().getFirst()));
        }
        Path shortFile = dir.resolve("short.safetensors");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafetensorsWriter
                .writeFileAtomically(shortFile, List.of(new TensorSpec("x", DType.F32, List.of(4L),
                        new TensorSource.Computed(out -> out.accept(ByteBuffer.wrap(floats, 0, 12))))), Map.of()));
        assertTrue(e.getMessage().contains("gave 12 bytes, 16 expected"), e.getMessage());
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().contains("short")), "nothing half-written");
        }
    }

    @Test
    void readsAHandWrittenFileAndConvertsToFloat() throws IOException {
        // bf16 [1.0, -2.0] then f32 [0.5, 3.0], written by hand
        byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3f80).putShort((short) 0xc000).putFloat(0.5f).putFloat(3f).array();
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[0,4]}}   ";
        Path path = SafetensorsBytes.write(dir.resolve("hand.safetensors"), header, data);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(List.of("a", "b"), file.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1f, -2f}, file.floats(file.tensor("a").orElseThrow()));
            assertArrayEquals(new float[] {0.5f, 3f}, file.floats(file.tensor("b").orElseThrow()));
        }
    }

    @Test
    void shardsSplitAtTheLimitWithAValidIndex() throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] b = new byte[1000];
            new Random(i).nextBytes(b);
            specs.add(new TensorSpec("t" + i, DType.U8, List.of(1000L), new TensorSource.Bytes(b)));
        }
        specs.add(new TensorSpec("big", DType.U8, List.of(5000L), new TensorSource.Bytes(new byte[5000])));
        Files.writeString(dir.resolve("config.json"), "{}");
        SafetensorsWriter.Written written = SafetensorsWriter.writeWeights(dir, specs, 3500, Map.of());

        // 3 + 3 + 3 + 1 small tensors, then the 5000-byte tensor alone: 5 shards
        assertTrue(written.sharded());
        assertEquals(List.of("model-00001-of-00005.safetensors", "model-00002-of-00005.safetensors",
                "model-00003-of-00005.safetensors", "model-00004-of-00005.safetensors",
                "model-00005-of-00005.safetensors"), written.files());
        for (String shard : written.files()) {
            long dataBytes = Files.size(dir.resolve(shard)) - 8 - headerLength(dir.resolve(shard));
            assertTrue(dataBytes <= 3500 || shard.startsWith("model-00005"), shard + " holds " + dataBytes);
        }
        ShardIndex index = ShardIndex.read(dir.resolve(ShardIndex.FILE_NAME));
        assertEquals(15000, index.totalSize());
        assertEquals("model-00002-of-00005.safetensors", index.weightMap().get("t4"));
        assertEquals("model-00005-of-00005.safetensors", index.weightMap().get("big"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertTrue(checkpoint.isSharded());
            assertEquals(11, checkpoint.tensors().size());
            for (TensorSpec spec : specs) {
                Checkpoint.Entry e = checkpoint.tensor(spec.name()).orElseThrow();
                assertArrayEquals(bytesOf(spec), e.file().bytes(e.info()).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    private static long headerLength(Path file) throws IOException {
        byte[] prefix = new byte[8];
        try (var in = Files.newInputStream(file)) {
            assertEquals(8, in.read(prefix));
        }
        return ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void unchangedTensorsAreCopiedByteForByteUnderNewNames() throws IOException {
        List<TensorSpec> specs = everyDtype(3);
        Path source = Files.createDirectory(dir.resolve("source"));
        SafetensorsWriter.writeWeights(source, specs, 0, Map.of());
        Path target = Files.createDirectory(dir.resolve("target"));
        try (SafetensorsFile in = SafetensorsFile.open(source.resolve("model.safetensors"))) {
            List<TensorSpec> copies = in.tensors().stream()
                    .map(t -> TensorSpec.copyOf("renamed." + t.name(), in, t)).toList();
            SafetensorsWriter.writeWeights(target, copies, 0, Map.of());
        }
        try (SafetensorsFile out = SafetensorsFile.open(target.resolve("model.safetensors"))) {
            for (TensorSpec spec : specs) {
                TensorInfo info = out.tensor("renamed." + spec.name()).orElseThrow();
                assertArrayEquals(bytesOf(spec), out.bytes(info).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void mapsTensorsBeyondTwoGigabytes() throws IOException {
        long hole = 3L * 1024 * 1024 * 1024;
        byte[] tail = SafetensorsBytes.floats(1.5f, -7f);
        List<TensorSpec> specs = List.of(
                new TensorSpec("hole", DType.U8, List.of(hole), new TensorSource.Unwritten()),
                new TensorSpec("tail", DType.F32, List.of(2L), new TensorSource.Bytes(tail)));
        SafetensorsWriter.writeWeights(dir, specs, 0, Map.of());
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            TensorInfo t = file.tensor("tail").orElseThrow();
            assertEquals(hole, t.begin());
            assertArrayEquals(new float[] {1.5f, -7f}, file.floats(t));
            assertEquals(0, file.bytes(file.tensor("hole").orElseThrow()).get(ValueLayout.JAVA_BYTE, hole - 1));
        }
    }

    @Test
    void aFailedFolderWriteLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("export");
        SafetensorsFile closed;
        List<TensorSpec> source = everyDtype(4);
        Path src = Files.createDirectory(dir.resolve("src"));
        SafetensorsWriter.writeWeights(src, source, 0, Map.of());
        closed = SafetensorsFile.open(src.resolve("model.safetensors"));
        TensorInfo info = closed.tensors().getFirst();
        closed.close();
        List<TensorSpec> specs = List.of(TensorSpec.copyOf("x", closed, info));
        assertThrows(Exception.class, () -> {
            try (StagedFolder out = StagedFolder.create(target, false)) {
                SafetensorsWriter.writeWeights(out.path(), specs, 0, Map.of());
                out.commit();
            }
        });
        assertFalse(Files.exists(target));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("src"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void anExistingTargetIsKeptUnlessReplacing() throws IOException {
        Path target = Files.createDirectory(dir.resolve("existing"));
        Files.writeString(target.resolve("keep.txt"), "mine");
        CheckpointException refused = assertThrows(CheckpointException.class,
                () -> StagedFolder.create(target, false));
        assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
        assertEquals("mine", Files.readString(target.resolve("keep.txt")));
        try (StagedFolder out = StagedFolder.create(target, true)) {
            Files.writeString(out.path().resolve("new.txt"), "new");
            assertEquals("mine", Files.readString(target.resolve("keep.txt")), "replaced only at commit");
            out.commit();
        }
        assertFalse(Files.exists(target.resolve("keep.txt")));
        assertEquals("new", Files.readString(target.resolve("new.txt")));
    }
}
