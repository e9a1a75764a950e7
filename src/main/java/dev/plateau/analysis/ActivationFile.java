package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hidden states of a calibration run, one safetensors file: tensor {@code <module>.layer<i>} [tokens, width] is the
 * output of block i of the module (i from 0), {@code <module>.input} the module's input where captured, and
 * {@code <module>.token_type} (U8 [tokens]) the kind of each token. The metadata records the family, the source
 * checkpoint and the calibration's provenance. Float tensors may be F32 (the norm), F16, BF16 or F64; all are read
 * as float32. Layers are read one at a time, when asked.
 */
public final class ActivationFile implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("(.+)\\.(layer(\\d+)|input|token_type)");

    /** One module's tensors in the file. */
    public record Module(String name, List<TensorInfo> layers, Optional<TensorInfo> input,
                         Optional<TensorInfo> tokenTypes) {

        public long tokens() {
            return layers.getFirst().shape().get(0);
        }

        public long width() {
            return layers.getFirst().shape().get(1);
        }
    }

    private final Path path;
    private final SafetensorsFile file;
    private final Map<String, Module> modules;

    private ActivationFile(Path path, SafetensorsFile file, Map<String, Module> modules) {
        this.path = path;
        this.file = file;
        this.modules = modules;
    }

    /** Opens and checks the file's layout; values are checked when each layer is read. */
    public static ActivationFile open(Path path) {
        SafetensorsFile file = SafetensorsFile.open(path);
        try {
            return new ActivationFile(path, file, modules(path, file));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static Map<String, Module> modules(Path path, SafetensorsFile file) {
        Map<String, TreeMap<Integer, TensorInfo>> layers = new LinkedHashMap<>();
        Map<String, TensorInfo> inputs = new LinkedHashMap<>();
        Map<String, TensorInfo> types = new LinkedHashMap<>();
        for (TensorInfo t : file.tensors()) {
            Matcher m = NAME.matcher(t.name());
            if (!m.matches()) {
                throw new ActivationException(path, "tensor '" + t.name() + "' is not named <module>.layer<i>, "
                        + "<module>.input or <module>.token_type");
            }
            String module = m.group(1);
            if (m.group(3) != null) {
                layers.computeIfAbsent(module, k -> new TreeMap<>()).put(Integer.parseInt(m.group(3)), t);
            } else if (m.group(2).equals("input")) {
                inputs.put(module, t);
            } else {
                types.put(module, t);
            }
        }
        if (layers.isEmpty()) {
            throw new ActivationException(path, "holds no activations (tensors named <module>.layer<i>)");
        }
        Map<String, Module> modules = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Integer, TensorInfo>> e : layers.entrySet()) {
            String name = e.getKey();
            TreeMap<Integer, TensorInfo> byIndex = e.getValue();
            if (byIndex.lastKey() != byIndex.size() - 1) {
                throw new ActivationException(path, name + " layers must be numbered 0.." + (byIndex.size() - 1)
                        + " without gaps; found " + byIndex.keySet());
            }
            TensorInfo first = byIndex.firstEntry().getValue();
            for (TensorInfo t : byIndex.values()) {
                checkStates(path, t, first);
            }
            Optional<TensorInfo> input = Optional.ofNullable(inputs.remove(name));
            input.ifPresent(t -> checkStates(path, t, first));
            Optional<TensorInfo> tokenTypes = Optional.ofNullable(types.remove(name));
            if (tokenTypes.isPresent() && (tokenTypes.get().dtype() != DType.U8
                    || !tokenTypes.get().shape().equals(List.of(first.shape().get(0))))) {
                throw new ActivationException(path, "tensor '" + tokenTypes.get().name() + "' must be U8 ["
                        + first.shape().get(0) + "], one type per token; it is " + tokenTypes.get().dtype() + " "
                        + tokenTypes.get().shape());
            }
            modules.put(name, new Module(name, List.copyOf(byIndex.values()), input, tokenTypes));
        }
        if (!inputs.isEmpty() || !types.isEmpty()) {
            String orphan = !inputs.isEmpty() ? inputs.keySet().iterator().next() : types.keySet().iterator().next();
            throw new ActivationException(path, "module '" + orphan + "' has an input or token_type tensor but no "
                    + "layers");
        }
        return modules;
    }

    private static void checkStates(Path path, TensorInfo t, TensorInfo first) {
        if (t.shape().size() != 2) {
            throw new ActivationException(path, "tensor '" + t.name() + "' has shape " + t.shape()
                    + "; hidden states are [tokens, width]");
        }
        if (!(t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16 || t.dtype() == DType.F64)) {
            throw new ActivationException(path, "tensor '" + t.name() + "' is " + t.dtype()
                    + "; hidden states are F32 (or F16, BF16, F64)");
        }
        if (!t.shape().get(0).equals(first.shape().get(0))) {
            throw new ActivationException(path, "tensor '" + t.name() + "' has " + t.shape().get(0) + " tokens but '"
                    + first.name() + "' has " + first.shape().get(0) + "; every layer of a module must cover the "
                    + "same tokens");
        }
        if (!t.shape().get(1).equals(first.shape().get(1))) {
            throw new ActivationException(path, "tensor '" + t.name() + "' is " + t.shape().get(1) + " wide but '"
                    + first.name() + "' is " + first.shape().get(1));
        }
        if (t.shape().get(0) == 0) {
            throw new ActivationException(path, "tensor '" + t.name() + "' has no tokens");
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** Modules in file order. */
    public Map<String, Module> modules() {
        return modules;
    }

    /** Layer {@code index} of {@code module} as a float32 [tokens, width] array; NaN or infinity is an error. */
    public NDArray layer(String module, int index, NDManager manager) {
        return states(modules.get(module).layers().get(index), manager);
    }

    /** The input states of {@code module} (recorded as {@code <module>.input}) as a float32 [tokens, width] array. */
    public NDArray input(String module, NDManager manager) {
        return states(modules.get(module).input().orElseThrow(() -> new ActivationException(path, module
                + " has no recorded input")), manager);
    }

    /** Token types of a module, if recorded. */
    public Optional<byte[]> tokenTypes(String module) {
        return modules.get(module).tokenTypes().map(t -> file.bytes(t).toArray(ValueLayout.JAVA_BYTE));
    }

    private NDArray states(TensorInfo t, NDManager manager) {
        float[] values = file.floats(t);
        int bad = 0;
        for (float v : values) {
            bad += Float.isFinite(v) ? 0 : 1;
        }
        if (bad > 0) {
            throw new ActivationException(path, "tensor '" + t.name() + "' holds " + bad
                    + " NaN or infinite values; the forward pass that recorded it overflowed");
        }
        return manager.create(values, new Shape(t.shape().get(0), t.shape().get(1)));
    }

    @Override
    public void close() {
        file.close();
    }

    /** A module's hidden states to write: layers (each [tokens][width]), optional input and token types. */
    public record ModuleStates(String name, List<float[][]> layers, float[][] input, byte[] tokenTypes) {
    }

    /** Writes an activation file atomically (temporary file, then rename). */
    public static void write(Path target, Map<String, String> metadata, List<ModuleStates> modules)
            throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (ModuleStates m : modules) {
            for (int i = 0; i < m.layers().size(); i++) {
                specs.add(floatTensor(m.name() + ".layer" + i, m.layers().get(i)));
            }
            if (m.input() != null) {
                specs.add(floatTensor(m.name() + ".input", m.input()));
            }
            if (m.tokenTypes() != null) {
                specs.add(new TensorSpec(m.name() + ".token_type", DType.U8, List.of((long) m.tokenTypes().length),
                        new TensorSource.Bytes(m.tokenTypes())));
            }
        }
        SafetensorsWriter.writeFileAtomically(target, specs, metadata);
    }

    private static TensorSpec floatTensor(String name, float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer b = ByteBuffer.allocate(rows.length * width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                b.putFloat(v);
            }
        }
        return new TensorSpec(name, DType.F32, List.of((long) rows.length, (long) width),
                new TensorSource.Bytes(b.array()));
    }
}
