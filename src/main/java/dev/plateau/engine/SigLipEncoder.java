package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;

/**
 * The SigLIP vision encoder of SmolVLM2, PaliGemma and Eagle, run layer by layer: a stride-p convolution patchifies
 * the image (token t = row * (W / p) + col) and adds a learned position embedding; each pre-norm layer adds
 * multi-head self-attention (q/k/v/out with biases, no mask) and a GELU-tanh MLP; a final LayerNorm follows. Every
 * layer's output streams to the sink as module {@code vision}.
 *
 * @param prefix tensor prefix of the vision model, e.g. {@code model.vlm_with_expert.vlm.model.vision_model.}
 */
public record SigLipEncoder(Checkpoint checkpoint, String prefix, int heads, double eps, int depth) {

    /** A SigLIP layer's LayerNorms use eps 1e-6 in every model Plateau reads. */
    public static final double EPS = 1e-6;

    /** @param pixels [B, 3, H, W] normalised images; returns the post-LayerNorm output [B, tokens, width] */
    public NDArray run(NDArray pixels, LayerSink sink, NDManager manager) {
        NDManager run = manager.newSubManager();
        try {
            NDArray hidden = embed(pixels, run);
            long batch = hidden.getShape().get(0);
            long tokens = hidden.getShape().get(1);
            long width = hidden.getShape().get(2);
            sink.accept("vision", -1, hidden.reshape(batch * tokens, width));
            for (int layer = 0; layer < depth; layer++) {
                NDArray previous = hidden;
                try (NDManager step = run.newSubManager()) {
                    previous.tempAttach(step);
                    hidden = layer(previous, prefix + "encoder.layers." + layer + ".", step);
                    hidden.attach(run);
                }
                previous.close();
                sink.accept("vision", layer, hidden.reshape(batch * tokens, width));
            }
            NDArray out = layerNorm(hidden, Tensors.load(checkpoint, prefix + "post_layernorm.weight", run),
                    Tensors.load(checkpoint, prefix + "post_layernorm.bias", run), eps);
            out.attach(manager);
            return out;
        } finally {
            run.close();
        }
    }

    /** Patchify (a stride-p convolution as patches times the flattened kernel) plus the position embedding. */
    NDArray embed(NDArray pixels, NDManager manager) {
        NDArray kernel = Tensors.load(checkpoint, prefix + "embeddings.patch_embedding.weight", manager);
        NDArray bias = Tensors.load(checkpoint, prefix + "embeddings.patch_embedding.bias", manager);
        NDArray positions = Tensors.load(checkpoint, prefix + "embeddings.position_embedding.weight", manager);
        Shape k = kernel.getShape();
        long width = k.get(0);
        long p = k.get(2);
        Shape s = pixels.getShape();
        long rows = s.get(2) / p;
        long cols = s.get(3) / p;
        NDArray patches = pixels.reshape(s.get(0), 3, rows, p, cols, p).transpose(0, 2, 4, 1, 3, 5)
                .reshape(s.get(0), rows * cols, 3 * p * p);
        NDArray embedded = Blocks.linear(patches, kernel.reshape(width, 3 * p * p), bias);
        if (positions.getShape().get(0) != rows * cols) {
            throw new IllegalArgumentException("the vision tower has " + positions.getShape().get(0) + " positions but "
                    + "the image gives " + rows * cols + " patches: resize the image to the model's size first");
        }
        return embedded.add(positions);
    }

    private NDArray layer(NDArray x, String p, NDManager m) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        long width = x.getShape().get(2);
        long headDim = width / heads;
        NDArray a = layerNorm(x, Tensors.load(checkpoint, p + "layer_norm1.weight", m),
                Tensors.load(checkpoint, p + "layer_norm1.bias", m), eps);
        NDArray q = split(linear(a, p + "self_attn.q_proj", m), batch, tokens, headDim);
        NDArray k = split(linear(a, p + "self_attn.k_proj", m), batch, tokens, headDim);
        NDArray v = split(linear(a, p + "self_attn.v_proj", m), batch, tokens, headDim);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1 / Math.sqrt(headDim));
        NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, width);
        NDArray h = x.add(linear(attended, p + "self_attn.out_proj", m));
        NDArray b = layerNorm(h, Tensors.load(checkpoint, p + "layer_norm2.weight", m),
                Tensors.load(checkpoint, p + "layer_norm2.bias", m), eps);
        return h.add(linear(Blocks.geluTanh(linear(b, p + "mlp.fc1", m)), p + "mlp.fc2", m));
    }

    private NDArray linear(NDArray x, String name, NDManager m) {
        return Blocks.linear(x, Tensors.load(checkpoint, name + ".weight", m), Tensors.load(checkpoint, name + ".bias",
                m));
    }

    private NDArray split(NDArray x, long batch, long tokens, long headDim) {
        return x.reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
    }

    /** LayerNorm over the last axis with the biased variance: (x - mean) / sqrt(var + eps) * w + b. */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        NDArray variance = centred.pow(2).mean(new int[] {-1}, true);
        return centred.mul(variance.add(eps).pow(-0.5)).mul(weight).add(bias);
    }

    /**
     * SmolVLM's connector input: pixel shuffle by {@code scale}. [B, S*S, D] becomes [B, (S/s)^2, D s^2], each output
     * token a s x s block of patches, channels ordered by row offset, then column offset, then the original channel.
     */
    public static NDArray pixelShuffle(NDArray x, int scale) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long side = Math.round(Math.sqrt(s.get(1)));
        long width = s.get(2);
        return x.reshape(batch, side, side / scale, width * scale).transpose(0, 2, 1, 3)
                .reshape(batch, side / scale, side / scale, width * scale * scale).transpose(0, 2, 1, 3)
                .reshape(batch, (side / scale) * (side / scale), width * scale * scale);
    }
}
