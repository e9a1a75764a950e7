package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;

/**
 * The weights of one stream of a two-stream VLA layer (SmolVLA's or pi0's VLM or action expert, one layer) and the
 * pieces of the block that those models compose themselves: the input RMSNorm and q/k/v projections, the output
 * projection with its residual, and the post-attention RMSNorm with the gated MLP and its residual. Llama style
 * (SmolVLA: RMSNorm times w, SiLU) or Gemma style (pi0: RMSNorm times 1 + w, GELU-tanh).
 */
final class JointStream {
    private final double eps;
    private final boolean gemma;
    private final NDArray inputNorm;
    private final NDArray q;
    private final NDArray k;
    private final NDArray v;
    private final NDArray o;
    private final NDArray postNorm;
    private final NDArray gate;
    private final NDArray up;
    private final NDArray down;

    JointStream(Checkpoint checkpoint, String prefix, double eps, boolean gemma, NDManager manager) {
        this.eps = eps;
        this.gemma = gemma;
        inputNorm = Tensors.load(checkpoint, prefix + "input_layernorm.weight", manager);
        q = Tensors.load(checkpoint, prefix + "self_attn.q_proj.weight", manager);
        k = Tensors.load(checkpoint, prefix + "self_attn.k_proj.weight", manager);
        v = Tensors.load(checkpoint, prefix + "self_attn.v_proj.weight", manager);
        o = Tensors.load(checkpoint, prefix + "self_attn.o_proj.weight", manager);
        postNorm = Tensors.load(checkpoint, prefix + "post_attention_layernorm.weight", manager);
        gate = Tensors.load(checkpoint, prefix + "mlp.gate_proj.weight", manager);
        up = Tensors.load(checkpoint, prefix + "mlp.up_proj.weight", manager);
        down = Tensors.load(checkpoint, prefix + "mlp.down_proj.weight", manager);
    }

    NDArray normed(NDArray h) {
        return Blocks.rmsNorm(h, inputNorm, eps, gemma);
    }

    /** [T, width] to [heads, T, headDim]. */
    static NDArray heads(NDArray x, int count, int headDim) {
        return x.reshape(x.getShape().get(0), count, headDim).transpose(1, 0, 2);
    }

    NDArray queries(NDArray normed) {
        return Blocks.linear(normed, q, null);
    }

    NDArray keys(NDArray input) {
        return Blocks.linear(input, k, null);
    }

    NDArray values(NDArray input) {
        return Blocks.linear(input, v, null);
    }

    /** h + o_proj(attended) then + MLP(RMSNorm(.)): the stream's layer output. */
    NDArray finish(NDArray h, NDArray attended) {
        NDArray residual = h.add(Blocks.linear(attended, o, null));
        NDArray m = Blocks.rmsNorm(residual, postNorm, eps, gemma);
        NDArray gated = Blocks.linear(m, gate, null);
        gated = gemma ? Blocks.geluTanh(gated) : Blocks.silu(gated);
        return residual.add(Blocks.linear(gated.mul(Blocks.linear(m, up, null)), down, null));
    }
}
