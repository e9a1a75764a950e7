package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Attention scores are formed for this many heads at a time: [4, 1024, 1024] floats stay small enough for the
     * allocator to reuse their memory, where all heads at once would be fresh memory at every layer and image.
     */
    private static final int HEADS_PER_GROUP = 4;

    /** A SigLIP layer's LayerNorms use eps 1e-6 in every model Plateau reads. */
    public static final double EPS = 1e-6;
    /** Head width of SigLIP so400m/14 (pi0's, pi0.5's and GR00T-N1.5's towers: 16 heads of 72). */
    static final int SO400M_HEAD_DIM = 72;

    /**
     * @param pixels [B, 3, H, W] normalised images; returns the post-LayerNorm output [B, tokens, width]. Images go
     *               through each layer one at a time (its weights loaded once), which keeps every intermediate small.
     */
    public NDArray run(NDArray pixels, LayerSink sink, NDManager manager) {
        NDManager run = manager.newSubManager();
        try {
            NDArray embedded = embed(pixels, run);
            long images = embedded.getShape().get(0);
            long width = embedded.getShape().get(2);
            List<NDArray> hidden = new ArrayList<>();
            for (long b = 0; b < images; b++) {
                hidden.add(embedded.get(new NDIndex(b + ":" + (b + 1))));
            }
            emit(sink, -1, hidden, width);
            for (int layer = 0; layer < depth; layer++) {
                try (NDManager step = run.newSubManager()) {
                    Layer weights = new Layer(prefix + "encoder.layers." + layer + ".", step);
                    for (int b = 0; b < hidden.size(); b++) {
                        NDArray previous = hidden.get(b);
                        try (NDManager image = step.newSubManager()) {
                            previous.tempAttach(image);
                            NDArray next = weights.forward(previous);
                            next.attach(run);
                            hidden.set(b, next);
                        }
                        previous.close();
                    }
                }
                emit(sink, layer, hidden, width);
            }
            NDArray last = NDArrays.concat(new NDList(hidden));
            NDArray out = Blocks.layerNorm(last, Tensors.load(checkpoint, prefix + "post_layernorm.weight", run),
                    Tensors.load(checkpoint, prefix + "post_layernorm.bias", run), eps);
            out.attach(manager);
            return out;
        } finally {
            run.close();
        }
    }

    private static void emit(LayerSink sink, int layer, List<NDArray> hidden, long width) {
        try (NDManager scope = hidden.getFirst().getManager().newSubManager()) {
            NDArray all = NDArrays.concat(new NDList(hidden)).reshape(-1, width);
            all.attach(scope);
            sink.accept("vision", layer, all);
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

    /** One encoder layer's weights, loaded once, applied image by image. */
    private final class Layer {
        private final NDArray norm1Weight;
        private final NDArray norm1Bias;
        private final NDArray[] projections = new NDArray[8];
        private final NDArray norm2Weight;
        private final NDArray norm2Bias;
        private final NDArray fc1Weight;
        private final NDArray fc1Bias;
        private final NDArray fc2Weight;
        private final NDArray fc2Bias;

        Layer(String p, NDManager m) {
            norm1Weight = Tensors.load(checkpoint, p + "layer_norm1.weight", m);
            norm1Bias = Tensors.load(checkpoint, p + "layer_norm1.bias", m);
            String[] names = {"q_proj", "k_proj", "v_proj", "out_proj"};
            for (int i = 0; i < names.length; i++) {
                projections[2 * i] = Tensors.load(checkpoint, p + "self_attn." + names[i] + ".weight", m);
                projections[2 * i + 1] = Tensors.load(checkpoint, p + "self_attn." + names[i] + ".bias", m);
            }
            norm2Weight = Tensors.load(checkpoint, p + "layer_norm2.weight", m);
            norm2Bias = Tensors.load(checkpoint, p + "layer_norm2.bias", m);
            fc1Weight = Tensors.load(checkpoint, p + "mlp.fc1.weight", m);
            fc1Bias = Tensors.load(checkpoint, p + "mlp.fc1.bias", m);
            fc2Weight = Tensors.load(checkpoint, p + "mlp.fc2.weight", m);
            fc2Bias = Tensors.load(checkpoint, p + "mlp.fc2.bias", m);
        }

        /** x: [1, tokens, width] of one image. */
        NDArray forward(NDArray x) {
            long tokens = x.getShape().get(1);
            long width = x.getShape().get(2);
            long headDim = width / heads;
            NDArray a = Blocks.layerNorm(x, norm1Weight, norm1Bias, eps);
            NDArray q = split(Blocks.linear(a, projections[0], projections[1]), tokens, headDim);
            NDArray k = split(Blocks.linear(a, projections[2], projections[3]), tokens, headDim);
            NDArray v = split(Blocks.linear(a, projections[4], projections[5]), tokens, headDim);
            NDArray scaled = q.mul(1 / Math.sqrt(headDim));
            NDList groups = new NDList();
            for (long h0 = 0; h0 < heads; h0 += HEADS_PER_GROUP) {
                NDIndex group = new NDIndex(":, " + h0 + ":" + Math.min(heads, h0 + HEADS_PER_GROUP));
                groups.add(scaled.get(group).matMul(k.get(group).transpose(0, 1, 3, 2)).softmax(-1)
                        .matMul(v.get(group)));
            }
            NDArray attended = NDArrays.concat(groups, 1).transpose(0, 2, 1, 3).reshape(1, tokens, width);
            NDArray h = x.add(Blocks.linear(attended, projections[6], projections[7]));
            NDArray b = Blocks.layerNorm(h, norm2Weight, norm2Bias, eps);
            return h.add(Blocks.linear(Blocks.geluTanh(Blocks.linear(b, fc1Weight, fc1Bias)), fc2Weight, fc2Bias));
        }

        private NDArray split(NDArray x, long tokens, long headDim) {
            return x.reshape(1, tokens, heads, headDim).transpose(0, 2, 1, 3);
        }
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
