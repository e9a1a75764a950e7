package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.DType;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.TensorInfo;
import dev.plateau.checkpoint.TensorSource;
import dev.plateau.checkpoint.TensorSpec;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The similarity statistics of a whole calibration run, module by module, as its forward pass streams out hidden
 * states: memory holds one batch of states and the statistics, never the states of all samples. What it gives: the
 * analysis under every metric, over all tokens and per token type ({@link #analysis}); the token sample, written in
 * the activation-file format for the PCA preview ({@link #writeSample}); and the statistics themselves
 * ({@link #save}), which {@link #load} reads back so that a later run on more samples {@link #merge}s into them.
 */
public final class StreamedStatistics implements AutoCloseable {
    /** The {@code format} metadata of a statistics file. */
    public static final String FORMAT = "plateau-statistics/1";
    /** Names of the co-moment tensors (means and cross-products), which load onto the device. */
    private static final Pattern CO_MOMENT = Pattern.compile("\\.(mean\\d+|c\\d+_\\d+)$");

    /**
     * What the forward pass gives of a module.
     *
     * @param layers layers given (the kept ones, in a pruned run)
     * @param width  hidden size
     * @param input  whether the module's input (layer -1) is given too
     * @param exactDistant whether the pairs two or more layers apart get exact statistics (width^2 float64 each)
     *               rather than an estimate from the token sample
     * @param types  the token types the module's tokens come in (statistics are kept per type)
     */
    public record ModuleShape(int layers, long width, boolean input, boolean exactDistant, List<TokenType> types) {
        public ModuleShape {
            types = List.copyOf(new TreeSet<>(types));
        }
    }

    private final StatisticsSettings settings;
    private final NDManager manager;
    private final Map<String, ModuleStatistics> modules = new LinkedHashMap<>();

    public StreamedStatistics(Map<String, ModuleShape> shapes, StatisticsSettings settings, NDManager manager) {
        this.settings = settings;
        this.manager = manager.newSubManager();
        shapes.forEach((name, s) -> modules.put(name, new ModuleStatistics(name, s.layers(), s.width(), s.input(),
                s.exactDistant(), s.types(), settings, this.manager)));
    }

    public StatisticsSettings settings() {
        return settings;
    }

    /** The modules and what the forward pass gives of each, in forward order. */
    public Map<String, ModuleShape> shapes() {
        Map<String, ModuleShape> out = new LinkedHashMap<>();
        modules.forEach((name, m) -> out.put(name, new ModuleShape(m.layers(), m.width(), m.hasInput(),
                m.exactDistant(), m.types())));
        return out;
    }

    /**
     * Takes one layer's states of the current batch ({@code layer} -1: the module's input), as a forward pass's layer
     * sink gives them; the array is copied.
     */
    public void accept(String module, int layer, NDArray states) {
        ModuleStatistics m = modules.get(module);
        if (m == null) {
            throw new IllegalArgumentException("no statistics for module '" + module + "'");
        }
        m.accept(layer, states);
    }

    /**
     * Folds the current batch into the statistics. {@code tokens.get(module)} describes that module's rows, given
     * their count; {@code afterEach} runs after each module's states are folded in and dropped (to hand their memory
     * back, say).
     */
    public void finishBatch(Map<String, IntFunction<TokenBatch>> tokens, Runnable afterEach) {
        modules.forEach((name, m) -> {
            m.finishBatch(tokens.get(name));
            afterEach.run();
        });
    }

    /** Tokens folded in for a module. */
    public long tokens(String module) {
        return modules.get(module).tokens();
    }

    /** The analysis of everything folded in, every metric, all tokens and each token type. */
    public Analysis analysis(String source, Map<String, String> metadata) {
        Map<String, ModuleAnalysis> out = new LinkedHashMap<>();
        modules.forEach((name, m) -> out.put(name, m.analysis()));
        return new Analysis(source, metadata, out);
    }

    /** Adds the statistics of a run on other samples of the same model (same modules and settings). */
    public void merge(StreamedStatistics other) {
        if (!other.shapes().equals(shapes())) {
            throw new IllegalArgumentException("the runs kept different statistics: " + shapes() + " and "
                    + other.shapes() + " (modules, layers, widths, exact distant pairs)");
        }
        modules.forEach((name, m) -> m.merge(other.modules.get(name)));
    }

    /**
     * Writes the token sample as an activation file: per module its sampled tokens' states of every layer (and input),
     * type by type, with their token types.
     */
    public void writeSample(Path file, Map<String, String> metadata) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        List<TokenType> all = List.of(TokenType.values());
        for (ModuleStatistics m : modules.values()) {
            TokenSample sample = m.sample();
            long rows = sample.size();
            for (int s = 0; s < m.layers() + (m.hasInput() ? 1 : 0); s++) {
                int slot = s;
                String name = m.name() + (s < m.layers() ? ".layer" + s : ".input");
                specs.add(new TensorSpec(name, DType.F32, List.of(rows, m.width()), new TensorSource.Computed(out -> {
                    try (NDManager scope = manager.newSubManager()) {
                        out.accept(littleEndian(sample.states(slot, all, scope)));
                    }
                })));
            }
            specs.add(new TensorSpec(m.name() + ".token_type", DType.U8, List.of(rows),
                    new TensorSource.Bytes(sample.types(all))));
        }
        SafetensorsWriter.writeFileAtomically(file, specs, metadata);
    }

    /** Writes every statistic (float64) to a safetensors file, with the settings and module shapes in its metadata. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", FORMAT);
        meta.put("statistics.seed", Long.toString(settings.seed()));
        meta.put("statistics.minibatch", Integer.toString(settings.minibatch()));
        meta.put("statistics.sample_budget", Integer.toString(settings.sampleBudget()));
        meta.put("statistics.distant_budget", Long.toString(settings.distantBudget()));
        List<TensorSpec> specs = new ArrayList<>();
        for (ModuleStatistics m : modules.values()) {
            meta.put("module." + m.name(), m.layers() + "," + m.width() + "," + m.hasInput() + ","
                    + m.exactDistant() + "," + m.types().stream().map(TokenType::label).collect(Collectors.joining("+")));
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<String, double[]> arrays = new LinkedHashMap<>();
            m.save(tensors, arrays);
            tensors.forEach((name, array) -> specs.add(new TensorSpec(name, DType.F64, dims(array.getShape()),
                    new TensorSource.Computed(out -> {
                        try (NDManager scope = manager.newSubManager()) {
                            array.tempAttach(scope);
                            out.accept(littleEndian(array));
                        }
                    }))));
            arrays.forEach((name, values) -> specs.add(new TensorSpec(name, DType.F64, List.of((long) values.length),
                    new TensorSource.Bytes(doubleBytes(values)))));
        }
        SafetensorsWriter.writeFileAtomically(file, specs, meta);
    }

    /**
     * Reads statistics that {@link #save} wrote, with the token sample that {@link #writeSample} wrote beside them, onto
     * {@code manager}'s device.
     */
    public static StreamedStatistics load(Path statistics, Path sample, NDManager manager) {
        try (SafetensorsFile file = SafetensorsFile.open(statistics);
             ActivationFile sampled = ActivationFile.open(sample)) {
            Map<String, String> meta = file.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new ActivationException(statistics, "is not a Plateau statistics file (format " + FORMAT + ")");
            }
            if (!meta.containsKey("statistics.sample_budget")) {
                throw new ActivationException(statistics, "was written by an earlier Plateau, whose token sample was"
                        + " kept per token type; calibrate again to add samples to this run");
            }
            StatisticsSettings settings = new StatisticsSettings(Long.parseLong(meta.get("statistics.seed")),
                    Integer.parseInt(meta.get("statistics.minibatch")),
                    Integer.parseInt(meta.get("statistics.sample_budget")),
                    Long.parseLong(meta.get("statistics.distant_budget")));
            Map<String, ModuleShape> shapes = new LinkedHashMap<>();
            meta.forEach((key, value) -> {
                if (key.startsWith("module.")) {
                    String name = key.substring("module.".length());
                    String[] parts = value.split(",");
                    shapes.put(name, new ModuleShape(Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                            Boolean.parseBoolean(parts[2]), Boolean.parseBoolean(parts[3]),
                            parts.length > 4 ? labels(statistics, parts[4]) : counted(file, name)));
                }
            });
            StreamedStatistics out = new StreamedStatistics(shapes, settings, manager);
            try {
                for (ModuleStatistics m : out.modules.values()) {
                    try (NDManager scope = out.manager.newSubManager()) {
                        Map<String, NDArray> tensors = new LinkedHashMap<>();
                        Map<String, double[]> arrays = new LinkedHashMap<>();
                        for (TensorInfo t : file.tensors()) {
                            if (!t.name().startsWith(m.name() + ".")) {
                                continue;
                            }
                            double[] values = file.bytes(t).toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED
                                    .withOrder(ByteOrder.LITTLE_ENDIAN));
                            if (CO_MOMENT.matcher(t.name()).find()) {
                                tensors.put(t.name(), scope.create(values, new Shape(t.shape().stream()
                                        .mapToLong(Long::longValue).toArray())));
                            } else {
                                arrays.put(t.name(), values);
                            }
                        }
                        List<NDArray> states = new ArrayList<>();
                        ActivationFile.Module saved = sampled.modules().get(m.name());
                        if (saved == null) {
                            throw new ActivationException(sample, "has no sampled tokens of module '" + m.name() + "'");
                        }
                        for (int s = 0; s < m.layers(); s++) {
                            states.add(sampled.layer(m.name(), s, scope));
                        }
                        if (m.hasInput()) {
                            states.add(sampled.input(m.name(), scope));
                        }
                        m.load(tensors, arrays, states);
                    }
                }
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        } catch (CheckpointException e) {
            throw new ActivationException(statistics, e.getMessage());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ActivationException(statistics, "is damaged: " + e.getMessage());
        }
    }

    /** Per module, whether the statistics file at {@code statistics} keeps its distant pairs exactly. */
    public static Map<String, Boolean> exactDistant(Path statistics) {
        try (SafetensorsFile file = SafetensorsFile.open(statistics)) {
            Map<String, Boolean> out = new LinkedHashMap<>();
            file.metadata().forEach((key, value) -> {
                if (key.startsWith("module.")) {
                    String[] parts = value.split(",");
                    out.put(key.substring("module.".length()), parts.length > 3 && Boolean.parseBoolean(parts[3]));
                }
            });
            return out;
        } catch (CheckpointException e) {
            throw new ActivationException(statistics, e.getMessage());
        }
    }

    private static List<TokenType> labels(Path statistics, String joined) {
        return Arrays.stream(joined.split("\\+")).map(label -> TokenType.ofLabel(label).orElseThrow(
                () -> new ActivationException(statistics, "names an unknown token type '" + label + "'"))).toList();
    }

    /** The types with tokens in a file written before the types were declared in its metadata. */
    private static List<TokenType> counted(SafetensorsFile file, String module) {
        TensorInfo counts = file.tensors().stream().filter(t -> t.name().equals(module + ".counts")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no token counts of module '" + module + "'"));
        double[] values = file.bytes(counts).toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        return Arrays.stream(TokenType.values()).filter(t -> t.ordinal() < values.length && values[t.ordinal()] > 0)
                .toList();
    }

    private static List<Long> dims(Shape shape) {
        return Arrays.stream(shape.getShape()).boxed().toList();
    }

    /**
     * The array's bytes as safetensors stores them, little-endian (as libtorch holds them on x86 and ARM): a view of
     * the tensor's own memory where it is contiguous on the CPU, valid while the array lives; any copy the view needs
     * is made in the array's manager.
     */
    private static ByteBuffer littleEndian(NDArray array) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return array.toByteBuffer(true);
        }
        return ByteBuffer.wrap(array.getDataType() == DataType.FLOAT32 ? floatBytes(array.toFloatArray())
                : doubleBytes(array.toDoubleArray()));
    }

    private static byte[] floatBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    private static byte[] doubleBytes(double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return b.array();
    }

    @Override
    public void close() {
        manager.close();
    }
}
