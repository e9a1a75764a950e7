/**
 * Forward passes on DJL NDArrays built from our own blocks (RMSNorm, rotary embedding, grouped-query attention with
 * additive masks, gated MLPs, the Llama-style decoder layer and its Qwen2, Qwen3 and Gemma variants), run layer by
 * layer: the hidden states of all calibration samples stay on the device, one layer's weights are mapped, converted
 * to float32 in Java (DJL never sees BF16) and dropped after use. Each layer's output streams to a {@link
 * dev.plateau.engine.LayerSink}; a skip set runs a pruned model without exporting it.
 */
package dev.plateau.engine;
