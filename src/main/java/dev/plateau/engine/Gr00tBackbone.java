package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.RopeScaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * GR00T-N1.5's Eagle backbone for calibration: the SigLIP tower (post-LayerNorm) and the linear projector mlp1 give
 * one feature per patch, which replace the prompt's image-context tokens in order; the kept Qwen3 layers (q/k
 * RMSNorm, rotary base 1e6, causal) run over the prompt; the final RMSNorm of the last layer run gives the backbone
 * features that the action head reads.
 */
public final class Gr00tBackbone {
    static final String EAGLE = "backbone.eagle_model.";
    static final String VISION = EAGLE + "vision_model.vision_model.";
    static final String LANGUAGE = EAGLE + "language_model.model.";

    private final Checkpoint checkpoint;
    private final int visionDepth;
    private final int depth;
    private final DecoderConfig config;

    public Gr00tBackbone(Checkpoint checkpoint, ModelSpec spec) {
        this.checkpoint = checkpoint;
        this.visionDepth = spec.module("vision").orElseThrow().layerCount();
        this.depth = spec.module("vlm").orElseThrow().layerCount();
        int hidden = spec.module("vlm").orElseThrow().hiddenSize();
        String attention = LANGUAGE + "layers.0.self_attn.";
        int headDim = Tensors.dim(checkpoint, attention + "q_norm.weight", 0);
        this.config = new DecoderConfig(hidden, Tensors.dim(checkpoint, attention + "q_proj.weight", 0) / headDim,
                Tensors.dim(checkpoint, attention + "k_proj.weight", 0) / headDim, headDim, 1e-6, 1e6,
                new RopeScaling.None(), DecoderConfig.Activation.SILU, false, false);
    }

    /** Patches (and so image-context tokens) per image. */
    public int tokensPerImage() {
        return Tensors.dim(checkpoint, VISION + "embeddings.position_embedding.weight", 0);
    }

    /** The side of the square images the tower takes. */
    public int imageSize() {
        int patch = Tensors.dim(checkpoint, VISION + "embeddings.patch_embedding.weight", 2);
        return (int) Math.round(Math.sqrt(tokensPerImage())) * patch;
    }

    /**
     * Runs the samples' prompts (their tokens, with {@code tokensPerImage()} context tokens per image) and returns
     * each sample's backbone features [tokens][hidden]. Vision and vlm layer outputs go to the sink.
     */
    public List<float[][]> run(List<VlaSample> samples, int contextToken, Set<Integer> skip, LayerSink sink,
                               NDManager manager, BooleanSupplier cancelled, DecoderStack.Progress progress) {
        int perImage = tokensPerImage();
        List<float[][]> embedded = new ArrayList<>();
        try (NDManager run = manager.newSubManager()) {
            int width = Tensors.dim(checkpoint, VISION + "embeddings.patch_embedding.weight", 0);
            NDArray post = new SigLipEncoder(checkpoint, VISION, width / SigLipEncoder.SO400M_HEAD_DIM,
                    SigLipEncoder.EPS, visionDepth).run(TwoStreams.pixels(samples, run), sink, run);
            float[] features = Blocks.linear(post, Tensors.load(checkpoint, EAGLE + "mlp1.0.weight", run),
                    Tensors.load(checkpoint, EAGLE + "mlp1.0.bias", run)).toFloatArray();
            int feature = 0;
            for (int b = 0; b < samples.size(); b++) {
                int[] ids = samples.get(b).tokens();
                float[] rows = Tensors.rows(checkpoint, LANGUAGE + "embed_tokens.weight", ids, run).toFloatArray();
                float[][] sample = new float[ids.length][];
                int contexts = 0;
                for (int t = 0; t < ids.length; t++) {
                    if (ids[t] == contextToken) {
                        sample[t] = Arrays.copyOfRange(features, feature * config.hidden(),
                                (feature + 1) * config.hidden());
                        feature++;
                        contexts++;
                    } else {
                        sample[t] = Arrays.copyOfRange(rows, t * config.hidden(), (t + 1) * config.hidden());
                    }
                }
                if (contexts != samples.get(b).images().size() * perImage) {
                    throw new IllegalArgumentException("sample " + b + " has " + contexts + " image-context tokens for "
                            + samples.get(b).images().size() + " images of " + perImage + " patches");
                }
                embedded.add(sample);
            }
        }
        float[][] last = new float[1][];
        int[] lastLayer = {Integer.MIN_VALUE};
        new DecoderStack(checkpoint, config, "vlm", LANGUAGE + "layers.", depth, LANGUAGE + "embed_tokens.weight")
                .runEmbedded(embedded, skip, (module, layer, states) -> {
                    sink.accept(module, layer, states);
                    if (layer > lastLayer[0]) {
                        lastLayer[0] = layer;
                        last[0] = states.toFloatArray();
                    }
                }, manager, cancelled, progress);
        return normed(last[0], embedded, manager);
    }

    /** The final RMSNorm of the last layer's output, split back into samples. */
    private List<float[][]> normed(float[] flat, List<float[][]> shapes, NDManager manager) {
        List<float[][]> out = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            NDArray weight = Tensors.load(checkpoint, LANGUAGE + "norm.weight", m);
            int width = config.hidden();
            float[] all = Blocks.rmsNorm(m.create(flat, new Shape(flat.length / width, width)),
                    weight, config.eps(), false).toFloatArray();
            int row = 0;
            for (float[][] sample : shapes) {
                float[][] features = new float[sample.length][];
                for (int t = 0; t < sample.length; t++, row++) {
                    features[t] = Arrays.copyOfRange(all, row * width, (row + 1) * width);
                }
                out.add(features);
            }
        }
        return out;
    }
}
