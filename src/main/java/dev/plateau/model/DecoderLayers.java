package dev.plateau.model;

import dev.plateau.checkpoint.DType;
import java.util.function.Consumer;

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
        layer(t, prefix, width, q, kv, kvIn, mlp, dtype, kvType, norm -> t.add(norm + "weight", dtype, width));
    }

    /**
     * A layer whose two norms are adaptive (pi0.5's expert, adaRMS): no weight, a dense map of the time conditioning
     * ({@code cond} wide) with bias to scale, shift and gate, [3 x width, cond].
     */
    static void addAdaptive(TensorListing t, String prefix, int width, int q, int kv, int mlp, int cond,
                            DType dtype) {
        layer(t, prefix, width, q, kv, width, mlp, dtype, dtype, norm -> {
            t.add(norm + "dense.weight", dtype, 3L * width, cond);
            t.add(norm + "dense.bias", dtype, 3L * width);
        });
    }

    private static void layer(TensorListing t, String prefix, int width, int q, int kv, int kvIn, int mlp,
                              DType dtype, DType kvType, Consumer<String> norm) {
        norm.accept(prefix + "input_layernorm.");
        t.add(prefix + "self_attn.q_proj.weight", dtype, q, width);
        t.add(prefix + "self_attn.k_proj.weight", kvType, kv, kvIn);
        t.add(prefix + "self_attn.v_proj.weight", kvType, kv, kvIn);
        t.add(prefix + "self_attn.o_proj.weight", dtype, width, q);
        norm.accept(prefix + "post_attention_layernorm.");
        t.add(prefix + "mlp.gate_proj.weight", dtype, mlp, width);
        t.add(prefix + "mlp.up_proj.weight", dtype, mlp, width);
        t.add(prefix + "mlp.down_proj.weight", dtype, width, mlp);
    }
}
