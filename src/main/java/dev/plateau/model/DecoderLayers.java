package dev.plateau.model;

import dev.plateau.checkpoint.DType;

/** The tensors of one Llama-style decoder layer: two RMSNorms, q/k/v/o attention, gated MLP. */
final class DecoderLayers {
    private DecoderLayers() {
    }

    /**
     * @param width  residual width
     * @param q      query projection width (heads x head dim)
     * @param kv     key/value projection width (kv heads x head dim)
     * @param kvIn   input width of k/v (the residual width, or the VLM's kv width for SmolVLA cross layers)
     * @param kvType dtype of k/v (F32 for SmolVLA's cross layers)
     */
    static void add(TensorListing t, String prefix, int width, int q, int kv, int kvIn, int mlp, DType dtype,
                    DType kvType) {
        t.add(prefix + "input_layernorm.weight", dtype, width);
        t.add(prefix + "self_attn.q_proj.weight", dtype, q, width);
        t.add(prefix + "self_attn.k_proj.weight", kvType, kv, kvIn);
        t.add(prefix + "self_attn.v_proj.weight", kvType, kv, kvIn);
        t.add(prefix + "self_attn.o_proj.weight", dtype, width, q);
        t.add(prefix + "post_attention_layernorm.weight", dtype, width);
        t.add(prefix + "mlp.gate_proj.weight", dtype, mlp, width);
        t.add(prefix + "mlp.up_proj.weight", dtype, mlp, width);
        t.add(prefix + "mlp.down_proj.weight", dtype, width, mlp);
    }
}
