package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.RopeScaling;
import java.util.ArrayList;
import java.util.List;

/**
 * What pi0 and pi0.5 share: the PaliGemma prefix (the SigLIP so400m tower and the linear projector, image tokens not
 * scaled, then the language embeddings times sqrt(width)), the flow time's embedding (min_period, max_period) and the
 * joint attention of a layer (8 heads of 256 over both streams, rotate-half rotary embedding with base 10000, one
 * additive mask), with the tensor names of either naming.
 */
final class PaliGemmaPrefix {
    static final int HEAD_DIM = 256;
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

    PaliGemmaPrefix(Checkpoint checkpoint, ModelSpec spec) {
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
        this.minPeriod = checkpoint.config().path("min_period").asDouble(4e-3);
        this.maxPeriod = checkpoint.config().path("max_period").asDouble(4.0);
    }

    /** The prefix of the policy's own projections: {@code model.} in LeRobot checkpoints, empty in openpi's. */
    String policy() {
        return policy;
    }

    int depth() {
        return depth;
    }

    int expertWidth() {
        return expertWidth;
    }

    /** The flow time's sinusoidal embedding, as wide as the expert, with the config's periods. */
    NDArray time(float t, NDManager run) {
        return ActionSuffix.time(t, expertWidth, minPeriod, maxPeriod, run);
    }

    /** pi0's action tokens: noisy actions beside the time embedding, through the action-time MLP. */
    NDArray actionTokens(VlaSample s, NDManager run) {
        return ActionSuffix.embed(checkpoint, policy, s, expertWidth, minPeriod, maxPeriod, run);
    }

    /** Image tokens per camera: one per patch. */
    int imageTokens() {
        return Tensors.dim(checkpoint, vision + "embeddings.position_embedding.weight", 0);
    }

    /** Every sample's prefix [images x patches + tokens, width]; the vision tower's layers go to the sink. */
    List<NDArray> prefixes(List<VlaSample> samples, LayerSink sink, NDManager run) {
        int visionWidth = Tensors.dim(checkpoint, vision + "embeddings.patch_embedding.weight", 0);
        NDArray post = new SigLipEncoder(checkpoint, vision, visionWidth / SigLipEncoder.SO400M_HEAD_DIM, SigLipEncoder.EPS,
                visionDepth).run(TwoStreams.pixels(samples, run), sink, run);
        NDArray imageTokens = Blocks.linear(post, Tensors.load(checkpoint, projector + "weight", run),
                Tensors.load(checkpoint, projector + "bias", run));
        List<NDArray> prefixes = new ArrayList<>();
        int image = 0;
        for (VlaSample s : samples) {
            int cameras = s.images().size();
            NDArray own = imageTokens.get(new NDIndex(image + ":" + (image + cameras))).reshape(-1, width);
            image += cameras;
            NDArray language = Tensors.rows(checkpoint, embeddings, s.tokens(), run).mul((float) Math.sqrt(width));
            prefixes.add(NDArrays.concat(new NDList(own, language)));
        }
        return prefixes;
    }

    /** Layer {@code layer}'s VLM and expert streams. */
    JointStream[] streams(int layer, NDManager step) {
        return new JointStream[] {new JointStream(checkpoint, vlmLayers + layer + ".", EPS, true, step),
            new JointStream(checkpoint, expertLayers + layer + ".", EPS, true, step)};
    }

    /**
     * One joint layer of one sample. {@code suffixLevels[i]} is the attention level of suffix token i (the prefix is
     * level 0): query i sees key j when level(j) <= level(i).
     */
    NDArray[] joint(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, int[] suffixLevels,
                    NDManager step) {
        int lp = Math.toIntExact(prefix.getShape().get(0));
        int ls = Math.toIntExact(suffix.getShape().get(0));
        return TwoStreams.joint(vlm, expert, prefix, suffix, heads, kvHeads, HEAD_DIM,
                Rotary.tables(step, lp + ls, HEAD_DIM, 10000, new RopeScaling.None()), mask(step, lp, suffixLevels));
    }

    private static NDArray mask(NDManager manager, int prefix, int[] suffixLevels) {
        int length = prefix + suffixLevels.length;
        int[] level = new int[length];
        System.arraycopy(suffixLevels, 0, level, prefix, suffixLevels.length);
        float[] m = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                m[i * length + j] = level[j] <= level[i] ? 0f : -1e30f;
            }
        }
        return manager.create(m, new Shape(length, length));
    }
}
