package dev.plateau.calibration;

import ai.djl.ndarray.NDArray;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.analysis.TokenBatch;
import dev.plateau.engine.LayerSink;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Keeps every layer's states of every module as they stream out of the forward pass, batch after batch, for the full
 * activation file that a run writes only on request: its memory grows with the samples.
 */
final class StateCollector implements LayerSink {
    private final Map<String, Integer> widths;
    private final Map<String, TreeMap<Integer, List<float[]>>> states = new LinkedHashMap<>();
    private final Map<String, ByteArrayOutputStream> types = new LinkedHashMap<>();

    /** @param widths each module's hidden size, in the order the file should list them */
    StateCollector(Map<String, Integer> widths) {
        this.widths = widths;
        widths.keySet().forEach(m -> {
            states.put(m, new TreeMap<>());
            types.put(m, new ByteArrayOutputStream());
        });
    }

    @Override
    public void accept(String module, int layer, NDArray values) {
        states.get(module).computeIfAbsent(layer, l -> new ArrayList<>()).add(values.toFloatArray());
    }

    /** Records the token types of the batch just run. */
    void finishBatch(Map<String, IntFunction<TokenBatch>> tokens) {
        states.forEach((module, layers) -> {
            List<float[]> first = layers.firstEntry().getValue();
            int rows = first.getLast().length / widths.get(module);
            types.get(module).writeBytes(tokens.get(module).apply(rows).types());
        });
    }

    /** The modules' states: layer -1 becomes the module's input. */
    List<ActivationFile.ModuleStates> modules() {
        List<ActivationFile.ModuleStates> out = new ArrayList<>();
        states.forEach((module, layers) -> {
            int width = widths.get(module);
            float[][] input = layers.containsKey(-1) ? rows(layers.get(-1), width) : null;
            List<float[][]> outputs = new ArrayList<>();
            layers.tailMap(0).values().forEach(parts -> outputs.add(rows(parts, width)));
            out.add(new ActivationFile.ModuleStates(module, outputs, input, types.get(module).toByteArray()));
        });
        return out;
    }

    private static float[][] rows(List<float[]> parts, int width) {
        int count = parts.stream().mapToInt(p -> p.length / width).sum();
        float[][] out = new float[count][];
        int r = 0;
        for (float[] part : parts) {
            for (int i = 0; i < part.length / width; i++) {
                out[r++] = java.util.Arrays.copyOfRange(part, i * width, (i + 1) * width);
            }
        }
        return out;
    }
}
