package dev.plateau.model;

import java.util.List;

/**
 * One prunable module of a checkpoint: a stack of transformer layers stored as {@code <layerPrefix><i>.*}.
 *
 * @param name           canonical name: vision, vlm, expert, vl_self_attention, dit or decoder
 * @param layerPrefix    tensor-name prefix of layer 0 without the index, e.g. {@code model.layers.}
 * @param hiddenSize     width of the residual stream
 * @param paramsPerLayer parameters of each layer, from the stored tensor shapes (layers can differ, e.g. by parity)
 * @param depthKeys      config.json keys (dotted paths) that set this module's depth; empty when no key does
 */
public record ModuleSpec(String name, String layerPrefix, int hiddenSize, List<Long> paramsPerLayer,
                         List<String> depthKeys) {

    public ModuleSpec {
        paramsPerLayer = List.copyOf(paramsPerLayer);
        depthKeys = List.copyOf(depthKeys);
    }

    public int layerCount() {
        return paramsPerLayer.size();
    }

    /** Parameters of all layers of the module. */
    public long params() {
        return paramsPerLayer.stream().mapToLong(Long::longValue).sum();
    }

    /** Whether an export can change this module's depth through config.json. */
    public boolean depthConfigurable() {
        return !depthKeys.isEmpty();
    }
}
