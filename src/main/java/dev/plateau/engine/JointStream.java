package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;

/**
 * The weights of one stream of a two-stream VLA layer (SmolVLA's or pi0's VLM or action expert, one layer) and the
 * pieces of the block that those models compose themselves: the input RMSNorm and q/k/v projections, the output
 * projection with its residual, and the post-attention RMSNorm with the gated MLP and its residual. Llama style
 * (SmolVLA: RMSNorm times w, SiLU) or Gemma style (pi0: RMSNorm times 1 + w, GELU-tanh); or adaptive (pi0.5's
 * expert, adaRMS: the norms' scale, shift and a gate on each residual update come from a dense map of the sample's
 * time conditioning; read from the layer's tensors: {@code input_layernorm.dense} instead of a weight).
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
    /** Adaptive norms (pi0.5's expert): the dense maps of the conditioning, else null. */
    private final NDArray[] inputDense;
    private final NDArray[] postDense;
    /** A sample's input scale, shift, gate and post-attention scale, shift, gate, once {@link #conditioned}. */
    private final NDArray[] modulation;

    JointStream(Checkpoint checkpoint, String prefix, double eps, boolean gemma, NDManager manager) {
        this.eps = eps;
        this.gemma = gemma;
        boolean adaptive = checkpoint.tensor(prefix + "input_layernorm.dense.weight").isPresent();
        inputNorm = adaptive ? null : Tensors.load(checkpoint, prefix + "input_layernorm.weight", manager);
        postNorm = adaptive ? null : Tensors.load(checkpoint, prefix + "post_attention_layernorm.weight", manager);
        inputDense = adaptive ? dense(checkpoint, prefix + "input_layernorm.dense.", manager) : null;
        postDense = adaptive ? dense(checkpoint, prefix + "post_attention_layernorm.dense.", manager) : null;
        q = Tensors.load(checkpoint, prefix + "self_attn.q_proj.weight", manager);
        k = Tensors.load(checkpoint, prefix + "self_attn.k_proj.weight", manager);
        v = Tensors.load(checkpoint, prefix + "self_attn.v_proj.weight", manager);
        o = Tensors.load(checkpoint, prefix + "self_attn.o_proj.weight", manager);
        gate = Tensors.load(checkpoint, prefix + "mlp.gate_proj.weight", manager);
        up = Tensors.load(checkpoint, prefix + "mlp.up_proj.weight", manager);
        down = Tensors.load(checkpoint, prefix + "mlp.down_proj.weight", manager);
        modulation = null;
    }

    private JointStream(JointStream weights, NDArray[] modulation) {
        this.eps = weights.eps;
        this.gemma = weights.gemma;
        this.inputNorm = null;
        this.postNorm = null;
        this.inputDense = weights.inputDense;
        this.postDense = weights.postDense;
        this.q = weights.q;
        this.k = weights.k;
        this.v = weights.v;
        this.o = weights.o;
        this.gate = weights.gate;
        this.up = weights.up;
        this.down = weights.down;
        this.modulation = modulation;
    }

    private static NDArray[] dense(Checkpoint checkpoint, String prefix, NDManager manager) {
        return new NDArray[] {Tensors.load(checkpoint, prefix + "weight", manager),
            Tensors.load(checkpoint, prefix + "bias", manager)};
    }

    /**
     * This layer's adaptive norms for one sample's conditioning {@code cond} [1, c] (pi0.5's time embedding): each
     * dense map gives scale, shift and gate, [1, width] each, in that order. The same weights, no copies.
     */
    JointStream conditioned(NDArray cond) {
        if (inputDense == null) {
            throw new IllegalStateException("this stream's norms are not adaptive");
        }
        NDList in = Blocks.linear(cond, inputDense[0], inputDense[1]).split(3, 1);
        NDList post = Blocks.linear(cond, postDense[0], postDense[1]).split(3, 1);
        return new JointStream(this, new NDArray[] {in.get(0), in.get(1), in.get(2), post.get(0), post.get(1),
            post.get(2)});
    }

    /** RMSNorm with a weight, or adaptive: x / sqrt(mean(x^2) + eps) * (1 + scale) + shift. */
    private NDArray norm(NDArray h, NDArray weight, int at) {
        if (modulation == null) {
            if (weight == null) {
                throw new IllegalStateException("an adaptive stream runs only once conditioned");
            }
            return Blocks.rmsNorm(h, weight, eps, gemma);
        }
        NDArray normed = h.mul(h.pow(2).mean(new int[] {-1}, true).add(eps).pow(-0.5));
        return normed.mul(modulation[at].add(1)).add(modulation[at + 1]);
    }

    /** The residual h + y, or h + gate * y for an adaptive stream. */
    private NDArray residual(NDArray h, NDArray y, int gateAt) {
        return h.add(modulation == null ? y : y.mul(modulation[gateAt]));
    }

    NDArray normed(NDArray h) {
        return norm(h, inputNorm, 0);
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

    /** h + o_proj(attended) then + MLP(RMSNorm(.)) (each update gated when adaptive): the stream's layer output. */
    NDArray finish(NDArray h, NDArray attended) {
        NDArray residual = residual(h, Blocks.linear(attended, o, null), 2);
        NDArray m = norm(residual, postNorm, 3);
        NDArray gated = Blocks.linear(m, gate, null);
        gated = gemma ? Blocks.geluTanh(gated) : Blocks.silu(gated);
        return residual(residual, Blocks.linear(gated.mul(Blocks.linear(m, up, null)), down, null), 5);
    }
}
