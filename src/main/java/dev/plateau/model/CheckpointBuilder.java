package dev.plateau.model;

import dev.plateau.checkpoint.DType;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.checkpoint.TensorSource;
import dev.plateau.checkpoint.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Writes a {@link SyntheticCheckpoint} as a real checkpoint folder, atomically: with seeded random weights (small
 * checkpoints that a forward pass can run), or with the data left unwritten (real-size checkpoints whose headers are
 * exact but whose files are sparse, so a 3.5 B-parameter model takes no disk).
 */
public final class CheckpointBuilder {

    /** How tensor data is filled. */
    public enum Fill { RANDOM, UNWRITTEN }

    private CheckpointBuilder() {
    }

    /**
     * Writes {@code checkpoint} to {@code target}.
     *
     * @param shardBytes shard size limit; 0 keeps the layout's own choice, negative forces a single file
     */
    public static Path write(SyntheticCheckpoint checkpoint, Path target, Fill fill, long seed, long shardBytes,
                             boolean replace) throws IOException {
        return write(checkpoint, target, fill, seed, shardBytes, replace, name -> 1, Map.of());
    }

    /**
     * As {@link #write(SyntheticCheckpoint, Path, Fill, long, long, boolean)}, with each random tensor's standard
     * deviation multiplied by {@code gain} of its name, and {@code metadata} added to the weight files' metadata.
     */
    public static Path write(SyntheticCheckpoint checkpoint, Path target, Fill fill, long seed, long shardBytes,
                             boolean replace, ToDoubleFunction<String> gain, Map<String, String> metadata)
            throws IOException {
        long limit = shardBytes == 0 ? checkpoint.shardBytes() : Math.max(shardBytes, 0);
        try (StagedFolder out = StagedFolder.create(target, replace)) {
            Json.write(out.path().resolve("config.json"), checkpoint.config());
            for (Map.Entry<String, String> aux : checkpoint.auxFiles().entrySet()) {
                Path file = out.path().resolve(aux.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, aux.getValue());
            }
            List<TensorSpec> specs = checkpoint.tensors().stream()
                    .map(t -> new TensorSpec(t.name(), t.dtype(), t.shape(), source(t, fill, seed,
                            gain.applyAsDouble(t.name())))).toList();
            Map<String, String> meta = new TreeMap<>(metadata);
            meta.put("plateau_synthetic", checkpoint.name());
            SafetensorsWriter.writeWeights(out.path(), specs, limit, meta);
            out.commit();
            return out.target();
        }
    }

    private static TensorSource source(TensorDecl t, Fill fill, long seed, double gain) {
        if (fill == Fill.UNWRITTEN) {
            return new TensorSource.Unwritten();
        }
        return new TensorSource.Bytes(values(t, new SplittableRandom(seed ^ ((long) t.name().hashCode() << 16)),
                gain));
    }

    private static byte[] values(TensorDecl t, SplittableRandom random, double gain) {
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(n, t.dtype().size())).order(ByteOrder.LITTLE_ENDIAN);
        double std = gain / Math.sqrt(t.fanIn());
        for (int i = 0; i < n; i++) {
            float v = switch (t.init()) {
                case ONES -> 1f;
                case ZEROS -> 0f;
                case NORMAL -> (float) (gaussian(random) * std);
            };
            put(out, t.dtype(), v);
        }
        return out.array();
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static void put(ByteBuffer out, DType dtype, float v) {
        switch (dtype) {
            case F32 -> out.putFloat(v);
            case F64 -> out.putDouble(v);
            case F16 -> out.putShort(Float.floatToFloat16(v));
            case BF16 -> out.putShort(toBf16(v));
            default -> throw new IllegalArgumentException("synthetic tensors are floating point, not " + dtype);
        }
    }

    /** float32 to bfloat16, rounding to nearest even (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
