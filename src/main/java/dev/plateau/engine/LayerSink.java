package dev.plateau.engine;

import ai.djl.ndarray.NDArray;

/** Receives each layer's output during a forward pass. */
@FunctionalInterface
public interface LayerSink {

    /**
     * @param module canonical module name
     * @param layer  the layer's index in the base model; -1 for the module's input
     * @param states [tokens, width]: the residual stream after the layer for every non-padding token of every sample,
     *               sample by sample; valid only during the call (copy what you keep)
     */
    void accept(String module, int layer, NDArray states);
}
