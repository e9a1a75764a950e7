/**
 * Forward passes on DJL NDArrays built from our own blocks (RMSNorm, rotary embedding under the config's scaling,
 * grouped-query attention with
 * additive masks, gated MLPs, the Llama-style decoder layer and its Qwen2, Qwen3 and Gemma variants), run layer by
 * layer: the hidden states of a batch of calibration samples stay on the device, one layer's weights are mapped,
 * converted to float32 in Java (DJL never sees BF16) and dropped after use. Each layer's output streams to a {@link
 * dev.plateau.engine.LayerSink}; a skip set runs a pruned model without exporting it. Also which device runs it (the
 * GPU when one is usable, saying why not otherwise), its memory, and libtorch's CUDA natives downloaded on first use.
 */
package dev.plateau.engine;
