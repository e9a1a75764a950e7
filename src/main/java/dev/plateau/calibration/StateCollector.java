package dev.plateau.calibration;

import ai.djl.ndarray.NDArray;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.engine.LayerSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Keeps every layer's states of every module as they stream out of a forward pass, for the activation file. */
final class StateCollector implements LayerSink {
    private final Map<String, Integer> widths;
    private final Map<String, TreeMap<Integer, float[][]>> states = new LinkedHashMap<>();

    /** @param widths each module's hidden size, in the order the file should list them */
    StateCollector(Map<String, Integer> widths) {
        this.widths = widths;
        widths.keySet().forEach(m -> states.put(m, new TreeMap<>()));
    }

    @Override
    public void accept(String module, int layer, NDArray values) {
        int width = widths.get(module);
        float[] flat = values.toFloatArray();
        float[][] rows = new float[flat.length / width][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        states.get(module).put(layer, rows);
    }

    /** Tokens recorded for a module. */
    int tokens(String module) {
        return states.get(module).firstEntry().getValue().length;
    }

    int layers(String module) {
        return (int) states.get(module).keySet().stream().filter(l -> l >= 0).count();
    }

    /** The modules' states: layer -1 becomes the module's input. */
    List<ActivationFile.ModuleStates> modules(Map<String, byte[]> tokenTypes) {
        List<ActivationFile.ModuleStates> out = new ArrayList<>();
        states.forEach((module, layers) -> {
            float[][] input = layers.get(-1);
            List<float[][]> outputs = new ArrayList<>(layers.tailMap(0).values());
            out.add(new ActivationFile.ModuleStates(module, outputs, input, tokenTypes.get(module)));
        });
        return out;
    }
}
