package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** The elementary blocks of the transformer layers, in float32, as the reference PyTorch code computes them. */
final class Blocks {
    private Blocks() {
    }

    /** y = x W^T (+ b), W stored [out, in] as nn.Linear; with a bias, libtorch's linear adds it inside the product. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return bias == null ? x.matMul(weight.transpose())
                : x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * w, or * (1 + w) for Gemma. */
    static NDArray rmsNorm(NDArray x, NDArray weight, double eps, boolean zeroCentered) {
        NDArray normed = x.mul(x.pow(2).mean(new int[] {-1}, true).add(eps).pow(-0.5));
        return normed.muli(zeroCentered ? weight.add(1) : weight);
    }

    /** LayerNorm over the last axis with the biased variance, (x - mean) / sqrt(var + eps) * w + b: libtorch's own. */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return x.getNDArrayInternal().layerNorm(x, last, weight, bias, (float) eps).singletonOrThrow();
    }

    static NDArray silu(NDArray x) {
        return Activation.sigmoid(x).muli(x);
    }

    /**
     * GELU, tanh approximation (gelu_pytorch_tanh): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as
     * x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) (the same function: 0.5 (1 + tanh z) = sigmoid(2 z)) in two new
     * arrays, the rest in place: the MLP's widest activation is the forward pass's largest elementwise cost.
     */
    static NDArray geluTanh(NDArray x) {
        double c = 2 * Math.sqrt(2 / Math.PI);
        NDArray inner = x.mul(x).muli(0.044715 * c).addi(c).muli(x);
        NDArray gate = Activation.sigmoid(inner);
        inner.close();
        return gate.muli(x);
    }

    /** The rotary angle of position p and frequency index k (0 <= k < d / 2), in float32. */
    @FunctionalInterface
    interface RotaryAngle {
        float of(int position, int k);
    }

    /** [cos; sin] tables [2, positions, d] for any angle rule, each angle used for both halves (rotate-half). */
    static NDArray rotaryTables(NDManager manager, int positions, int headDim, RotaryAngle angle) {
        float[] cos = new float[positions * headDim];
        float[] sin = new float[positions * headDim];
        int half = headDim / 2;
        for (int k = 0; k < half; k++) {
            for (int p = 0; p < positions; p++) {
                float a = angle.of(p, k);
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[p * headDim + k] = c;
                cos[p * headDim + k + half] = c;
                sin[p * headDim + k] = s;
                sin[p * headDim + k + half] = s;
            }
        }
        return NDArrays.stack(new NDList(manager.create(cos, new Shape(positions, headDim)),
                manager.create(sin, new Shape(positions, headDim))));
    }

    /** x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]; x is [..., T, d], tables [2, T, d]. */
    static NDArray rotate(NDArray x, NDArray tables) {
        long d = x.getShape().getShape()[x.getShape().dimension() - 1];
        NDArray first = x.get(new NDIndex("..., :" + d / 2));
        NDArray second = x.get(new NDIndex("..., " + d / 2 + ":"));
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
        return x.mul(tables.get(0)).add(rotated.mul(tables.get(1)));
    }

    /**
     * Additive attention mask [B, 1, T, T]: 0 where query i may attend key j, a large negative number elsewhere.
     * Keys that are padding are masked; with {@code causal}, so are keys after the query.
     */
    static NDArray mask(NDManager manager, int[] lengths, int tokens, boolean causal) {
        float[] m = new float[lengths.length * tokens * tokens];
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < tokens; i++) {
                for (int j = 0; j < tokens; j++) {
                    boolean visible = j < lengths[b] && (!causal || j <= i);
                    m[(b * tokens + i) * tokens + j] = visible ? 0f : -1e30f;
                }
            }
        }
        return manager.create(m, new Shape(lengths.length, 1, tokens, tokens));
    }

    /**
     * Scaled dot-product attention with grouped-query heads: q [B, H, T, d], k and v [B, KV, T, d]; query head h uses
     * key/value head h / (H / KV). Softmax in float32.
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, double scale) {
        long heads = q.getShape().get(1);
        long kvHeads = k.getShape().get(1);
        if (kvHeads != heads) {
            k = repeatHeads(k, heads / kvHeads);
            v = repeatHeads(v, heads / kvHeads);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(mask);
        return scores.softmax(-1).matMul(v);
    }

    private static NDArray repeatHeads(NDArray x, long times) {
        Shape s = x.getShape();
        return x.expandDims(2).broadcast(new Shape(s.get(0), s.get(1), times, s.get(2), s.get(3)))
                .reshape(s.get(0), s.get(1) * times, s.get(2), s.get(3));
    }
}
