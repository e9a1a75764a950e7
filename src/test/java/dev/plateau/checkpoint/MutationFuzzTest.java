package dev.plateau.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation testing: thousands of corrupted variants of valid files. Opening and reading each one either
 * succeeds or fails with our own {@link CheckpointException}; never another exception, never a hang.
 */
class MutationFuzzTest {
    private static final long SEED = 0x5afe7e45L;
    private static final int FILE_VARIANTS = 4000;
    private static final int INDEX_VARIANTS = 600;
    private static final byte[] JSON_CHARS = "{}[]:,\"-.e+0123456789 FBUI".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static byte[] validFile() throws IOException {
        Random random = new Random(SEED);
        List<TensorSpec> specs = new ArrayList<>();
        DType[] types = {DType.F32, DType.BF16, DType.F16, DType.I64, DType.U8, DType.F8_E4M3, DType.BOOL};
        for (int i = 0; i < types.length; i++) {
            byte[] b = new byte[(i + 2) * 3 * types[i].size()];
            random.nextBytes(b);
            specs.add(new TensorSpec("layers." + i + ".w", types[i], List.of((long) i + 2, 3L),
                    new TensorSource.Bytes(b)));
        }
        Path tmp = Files.createTempDirectory("fuzz-base");
        SafetensorsWriter.writeWeights(tmp, specs, 0, Map.of("origin", "fuzz"));
        byte[] bytes = Files.readAllBytes(tmp.resolve("model.safetensors"));
        StagedFolder.deleteRecursively(tmp);
        return bytes;
    }

    /** One random corruption of {@code original}; {@code headerEnd} is where the data section starts. */
    static byte[] mutate(byte[] original, int headerEnd, Random r) {
        byte[] b = original.clone();
        switch (r.nextInt(9)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[8 + r.nextInt(headerEnd - 8)] = (byte) r.nextInt(256);
            case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 3 -> {
                byte[] extra = new byte[1 + r.nextInt(32)];
                r.nextBytes(extra);
                b = concat(b, extra);
            }
            case 4 -> {
                int at = 8 + r.nextInt(headerEnd - 8);
                for (int i = at; i < headerEnd; i++) {
                    if (Character.isDigit(b[i])) {
                        b[i] = (byte) ('0' + r.nextInt(10));
                        break;
                    }
                }
            }
            case 5 -> {
                long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long changed = r.nextBoolean() ? n + r.nextInt(33) - 16 : r.nextLong();
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(changed);
            }
            case 6 -> {
                int from = r.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + r.nextInt(16));
                b = concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, b.length));
            }
            case 7 -> {
                int at = r.nextInt(b.length);
                byte[] extra = new byte[1 + r.nextInt(8)];
                r.nextBytes(extra);
                b = concat(concat(Arrays.copyOf(b, at), extra), Arrays.copyOfRange(b, at, b.length));
            }
            default -> b[8 + r.nextInt(headerEnd - 8)] = JSON_CHARS[r.nextInt(JSON_CHARS.length)];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void corruptedSafetensorsFilesOnlyEverGiveOurError() throws IOException {
        byte[] valid = validFile();
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random random = new Random(SEED);
        Path file = dir.resolve("model.safetensors");
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int v = 0; v < FILE_VARIANTS; v++) {
                byte[] mutated = mutate(valid, headerEnd, random);
                Files.write(file, mutated);
                try (SafetensorsFile f = SafetensorsFile.open(file)) {
                    for (TensorInfo t : f.tensors()) {
                        f.floats(t);
                    }
                    outcomes[0]++;
                } catch (CheckpointException expected) {
                    assertTrue(expected.getMessage().startsWith(file.toString()), expected.getMessage());
                    outcomes[1]++;
                } catch (Throwable other) {
                    fail("variant " + v + " threw " + other + " for bytes " + Arrays.toString(mutated), other);
                }
            }
        });
        assertTrue(outcomes[1] > FILE_VARIANTS / 2, "most corruptions are detected: " + Arrays.toString(outcomes));
    }

    @Test
    void corruptedShardIndexesOnlyEverGiveOurError() throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(new TensorSpec("t" + i, DType.F32, List.of(4L), new TensorSource.Bytes(new byte[16])));
        }
        Path folder = Files.createDirectory(dir.resolve("sharded"));
        Files.writeString(folder.resolve(Checkpoint.CONFIG), "{}");
        SafetensorsWriter.writeWeights(folder, specs, 40, Map.of());
        Path indexFile = folder.resolve(ShardIndex.FILE_NAME);
        byte[] index = Files.readAllBytes(indexFile);
        Random random = new Random(SEED + 1);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int v = 0; v < INDEX_VARIANTS; v++) {
                byte[] mutated = index.clone();
                for (int k = 0; k <= random.nextInt(3); k++) {
                    mutated[random.nextInt(mutated.length)] = JSON_CHARS[random.nextInt(JSON_CHARS.length)];
                }
                Files.write(indexFile, mutated);
                try (Checkpoint c = Checkpoint.open(folder)) {
                    c.tensors().values().forEach(e -> e.file().floats(e.info()));
                } catch (CheckpointException expected) {
                    // our error: fine
                } catch (Throwable other) {
                    fail("index variant " + v + " threw " + other + ": "
                            + new String(mutated, StandardCharsets.UTF_8), other);
                }
            }
        });
    }
}
