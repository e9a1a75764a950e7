package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;

/**
 * The weights of one SmolVLA stream in one layer (a VLM text layer or an expert layer) and the pieces of its block
 * that SmolVLA composes itself: the input RMSNorm and q/k/v projections, the output projection with its residual,
 * and the post-attention RMSNorm with the SiLU MLP and its residual.
 */
final class SmolVlaStream {
    private final double eps;
    private final NDArray inputNorm;
    private final NDArray q;
    private final NDArray k;
    private final NDArray v;
    private final NDArray o;
    private final NDArray postNorm;
    private final NDArray gate;
    private final NDArray up;
    private final NDArray down;

    SmolVlaStream(Checkpoint checkpoint, String prefix, double eps, NDManager manager) {
        this.eps = eps;
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
        return Blocks.rmsNorm(h, inputNorm, eps, false);
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
        NDArray m = Blocks.rmsNorm(residual, postNorm, eps, false);
        return residual.add(Blocks.linear(Blocks.silu(Blocks.linear(m, gate, null)).mul(Blocks.linear(m, up, null)),
                down, null));
    }
}
