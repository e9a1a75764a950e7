package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.RopeScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * pi0's training-mode forward pass (LeRobot's PI0Pytorch, float32), layer by layer: the SigLIP so400m tower and the
 * linear projector (image tokens not scaled), language embeddings times sqrt(width), then 18 joint layers in which
 * the prefix (images, language) runs through the PaliGemma layer and the suffix (state token, 50 action tokens)
 * through the expert's, with one attention over both: Gemma RMSNorm (1 + w), rotate-half rotary embedding (base
 * 10000, head width 256), GELU-tanh MLPs. Masks from cumulative flags: prefix 0, state 1, first action 1, the other
 * actions 0, so the prefix is bidirectional and never sees the suffix, and the actions see each other.
 */
public final class Pi0Forward {
    static final int HEAD_DIM = 256;
    static final int VISION_HEAD_DIM = 72;
    static final double EPS = 1e-6;

    private final Checkpoint checkpoint;
    private final String policy;
    private final String vision;
    private final String projector;
    private final String embeddings;
    private final String vlmLayers;
    private final String expertLayers;
    private final int visionDepth;
    private final int depth;
    private final int width;
    private final int expertWidth;
    private final int heads;
    private final int kvHeads;
    private final double minPeriod;
    private final double maxPeriod;

    public Pi0Forward(Checkpoint checkpoint, ModelSpec spec) {
        this.checkpoint = checkpoint;
        this.policy = spec.naming().equals("lerobot") ? "model." : "";
        String visionLayers = spec.module("vision").orElseThrow().layerPrefix();
        this.vision = visionLayers.substring(0, visionLayers.length() - "encoder.layers.".length());
        this.vlmLayers = spec.module("vlm").orElseThrow().layerPrefix();
        this.expertLayers = spec.module("expert").orElseThrow().layerPrefix();
        String root = policy + "paligemma_with_expert.paligemma.";
        this.projector = checkpoint.tensor(root + "model.multi_modal_projector.linear.weight").isPresent()
                ? root + "model.multi_modal_projector.linear." : root + "multi_modal_projector.linear.";
        String languageModel = vlmLayers.substring(0, vlmLayers.length() - "layers.".length());
        this.embeddings = checkpoint.tensor(languageModel + "embed_tokens.weight").isPresent()
                ? languageModel + "embed_tokens.weight" : root + "lm_head.weight";
        this.visionDepth = spec.module("vision").orElseThrow().layerCount();
        this.depth = spec.module("vlm").orElseThrow().layerCount();
        this.width = spec.module("vlm").orElseThrow().hiddenSize();
        this.expertWidth = spec.module("expert").orElseThrow().hiddenSize();
        this.heads = Tensors.dim(checkpoint, vlmLayers + "0.self_attn.q_proj.weight", 0) / HEAD_DIM;
        this.kvHeads = Tensors.dim(checkpoint, vlmLayers + "0.self_attn.k_proj.weight", 0) / HEAD_DIM;
        JsonNode c = checkpoint.config();
        this.minPeriod = c.path("min_period").asDouble(4e-3);
        this.maxPeriod = c.path("max_period").asDouble(4.0);
    }

    /** Image tokens per camera: one per patch. */
    public int imageTokens() {
        return Tensors.dim(checkpoint, vision + "embeddings.position_embedding.weight", 0);
    }

    /** Runs the samples; vision, vlm (prefix) and expert (state and actions) layer outputs go to the sink. */
    public void run(List<VlaSample> samples, Set<Integer> skip, LayerSink sink, NDManager manager,
                    BooleanSupplier cancelled, DecoderStack.Progress progress) {
        try (NDManager run = manager.newSubManager()) {
            NDArray imageTokens = images(samples, sink, run);
            List<NDArray> prefixes = new ArrayList<>();
            List<NDArray> suffixes = new ArrayList<>();
            int image = 0;
            for (VlaSample s : samples) {
                int cameras = s.images().size();
                NDArray own = imageTokens.get(new NDIndex(image + ":" + (image + cameras))).reshape(-1, width);
                image += cameras;
                NDArray language = Tensors.rows(checkpoint, embeddings, s.tokens(), run)
                        .mul((float) Math.sqrt(width));
                prefixes.add(NDArrays.concat(new NDList(own, language)));
                float[] padded = new float[Tensors.dim(checkpoint, policy + "state_proj.weight", 1)];
                System.arraycopy(s.state(), 0, padded, 0, Math.min(padded.length, s.state().length));
                NDArray state = Blocks.linear(run.create(padded, new Shape(1, padded.length)),
                        Tensors.load(checkpoint, policy + "state_proj.weight", run),
                        Tensors.load(checkpoint, policy + "state_proj.bias", run));
                suffixes.add(NDArrays.concat(new NDList(state, ActionSuffix.embed(checkpoint, policy, s, expertWidth,
                        minPeriod, maxPeriod, run))));
            }
            TwoStreams.run(depth, skip, prefixes, suffixes, (layer, step) -> new JointStream[] {
                new JointStream(checkpoint, vlmLayers + layer + ".", EPS, true, step),
                new JointStream(checkpoint, expertLayers + layer + ".", EPS, true, step)},
                (vlm, expert, prefix, suffix, position, step) -> joint(vlm, expert, prefix, suffix, step),
                sink, run, cancelled, progress);
        }
    }

    private NDArray images(List<VlaSample> samples, LayerSink sink, NDManager run) {
        int visionWidth = Tensors.dim(checkpoint, vision + "embeddings.patch_embedding.weight", 0);
        NDArray post = new SigLipEncoder(checkpoint, vision, visionWidth / VISION_HEAD_DIM, SigLipEncoder.EPS,
                visionDepth).run(TwoStreams.pixels(samples, run), sink, run);
        return Blocks.linear(post, Tensors.load(checkpoint, projector + "weight", run),
                Tensors.load(checkpoint, projector + "bias", run));
    }

    private NDArray[] joint(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, NDManager step) {
        int lp = Math.toIntExact(prefix.getShape().get(0));
        int ls = Math.toIntExact(suffix.getShape().get(0));
        return TwoStreams.joint(vlm, expert, prefix, suffix, heads, kvHeads, HEAD_DIM,
                Rotary.tables(step, lp + ls, HEAD_DIM, 10000, new RopeScaling.None()), mask(step, lp, ls));
    }

    /** Flags: prefix 0, state 1, first action 1, other actions 0; query i sees key j when cumsum(j) <= cumsum(i). */
    private static NDArray mask(NDManager manager, int prefix, int suffix) {
        int length = prefix + suffix;
        int[] level = new int[length];
        for (int i = prefix; i < length; i++) {
            level[i] = i == prefix ? 1 : 2;
        }
        float[] m = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                m[i * length + j] = level[j] <= level[i] ? 0f : -1e30f;
            }
        }
        return manager.create(m, new Shape(length, length));
    }
}
