package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;

/**
 * One Llama-style decoder layer with its weights on the device: pre-norm self-attention (q/k/v/o projections, q/k
 * biases for Qwen2, q/k RMSNorm before the rotary embedding for Qwen3) and a gated MLP (SiLU, or GELU-tanh for
 * Gemma), each added to the residual stream. Optional tensors are taken when the checkpoint has them.
 */
final class DecoderLayer {
    private final DecoderConfig config;
    private final NDArray inputNorm;
    private final NDArray q;
    private final NDArray qBias;
    private final NDArray k;
    private final NDArray kBias;
    private final NDArray v;
    private final NDArray vBias;
    private final NDArray o;
    private final NDArray qNorm;
    private final NDArray kNorm;
    private final NDArray postNorm;
    private final NDArray gate;
    private final NDArray up;
    private final NDArray down;

    /** Loads layer {@code prefix} ({@code model.layers.3.}) into {@code manager}. */
    DecoderLayer(Checkpoint checkpoint, String prefix, DecoderConfig config, NDManager manager) {
        this.config = config;
        inputNorm = Tensors.load(checkpoint, prefix + "input_layernorm.weight", manager);
        q = Tensors.load(checkpoint, prefix + "self_attn.q_proj.weight", manager);
        k = Tensors.load(checkpoint, prefix + "self_attn.k_proj.weight", manager);
        v = Tensors.load(checkpoint, prefix + "self_attn.v_proj.weight", manager);
        o = Tensors.load(checkpoint, prefix + "self_attn.o_proj.weight", manager);
        qBias = Tensors.optional(checkpoint, prefix + "self_attn.q_proj.bias", manager).orElse(null);
        kBias = Tensors.optional(checkpoint, prefix + "self_attn.k_proj.bias", manager).orElse(null);
        vBias = Tensors.optional(checkpoint, prefix + "self_attn.v_proj.bias", manager).orElse(null);
        qNorm = Tensors.optional(checkpoint, prefix + "self_attn.q_norm.weight", manager).orElse(null);
        kNorm = Tensors.optional(checkpoint, prefix + "self_attn.k_norm.weight", manager).orElse(null);
        postNorm = Tensors.load(checkpoint, prefix + "post_attention_layernorm.weight", manager);
        gate = Tensors.load(checkpoint, prefix + "mlp.gate_proj.weight", manager);
        up = Tensors.load(checkpoint, prefix + "mlp.up_proj.weight", manager);
        down = Tensors.load(checkpoint, prefix + "mlp.down_proj.weight", manager);
    }

    /**
     * @param x      [B, T, hidden]
     * @param rotary [2, T, headDim] cos and sin
     * @param mask   [B, 1, T, T] additive
     * @return [B, T, hidden], the residual stream after the layer
     */
    NDArray forward(NDArray x, NDArray rotary, NDArray mask) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        NDArray h = Blocks.rmsNorm(x, inputNorm, config.eps(), config.zeroCenteredNorm());
        NDArray queries = heads(Blocks.linear(h, q, qBias), batch, tokens, config.heads());
        NDArray keys = heads(Blocks.linear(h, k, kBias), batch, tokens, config.kvHeads());
        NDArray values = heads(Blocks.linear(h, v, vBias), batch, tokens, config.kvHeads());
        if (qNorm != null) {
            queries = Blocks.rmsNorm(queries, qNorm, config.eps(), false);
        }
        if (kNorm != null) {
            keys = Blocks.rmsNorm(keys, kNorm, config.eps(), false);
        }
        queries = Blocks.rotate(queries, rotary);
        keys = Blocks.rotate(keys, rotary);
        NDArray attended = Blocks.attend(queries, keys, values, mask, 1 / Math.sqrt(config.headDim()))
                .transpose(0, 2, 1, 3).reshape(batch, tokens, (long) config.heads() * config.headDim());
        NDArray residual = x.add(Blocks.linear(attended, o, null));
        NDArray m = Blocks.rmsNorm(residual, postNorm, config.eps(), config.zeroCenteredNorm());
        NDArray gated = Blocks.linear(m, gate, null);
        gated = config.activation() == DecoderConfig.Activation.SILU ? Blocks.silu(gated) : Blocks.geluTanh(gated);
        return residual.add(Blocks.linear(gated.mul(Blocks.linear(m, up, null)), down, null));
    }

    /** [B, T, heads * d] to [B, heads, T, d]. */
    private NDArray heads(NDArray x, long batch, long tokens, int count) {
        return x.reshape(batch, tokens, count, config.headDim()).transpose(0, 2, 1, 3);
    }
}
