package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * SmolVLA's training-mode forward pass (LeRobot's VLAFlowMatching with SmolVLM2), layer by layer, for calibration:
 * the SigLIP tower, pixel shuffle and connector (image tokens times sqrt(width)); language embeddings times
 * sqrt(width); the state token; the noisy-action suffix with its sinusoidal time embedding; then the VLM text layers
 * and the action expert together: layer i is joint attention over prefix and suffix when its index is a multiple of
 * self_attn_every_n_layers, else the VLM attends to itself and the expert cross-attends to the VLM's keys (after
 * rotary) and values through its own k/v projections. Rotary embedding as SmolVLA applies it (split halves, base
 * 10000, angle = position / 10000^(2k/d)); masks from cumulative attention flags (images and language 0, state 1,
 * each action 1), so actions are causal among themselves. Samples run one by one through each layer (no padding).
 */
public final class SmolVlaForward {
    /** SmolVLM2's head width, used by the VLM and inherited by the expert. */
    public static final int HEAD_DIM = 64;
    /** SmolVLM2's text RMSNorm epsilon. */
    static final double TEXT_EPS = 1e-5;
    static final String ROOT = "model.vlm_with_expert.";
    static final String VISION = ROOT + "vlm.model.vision_model.";
    static final String TEXT = ROOT + "vlm.model.text_model.";
    static final String EXPERT = ROOT + "lm_expert.layers.";

    private final Checkpoint checkpoint;
    private final int textWidth;
    private final int heads;
    private final int kvHeads;
    private final int expertWidth;
    private final int visionWidth;
    private final int visionDepth;
    private final int scale;
    private final int depth;
    private final int every;
    private final double minPeriod;
    private final double maxPeriod;

    public SmolVlaForward(Checkpoint checkpoint, int visionDepth, int depth) {
        this.checkpoint = checkpoint;
        JsonNode c = checkpoint.config();
        this.textWidth = Tensors.dim(checkpoint, TEXT + "embed_tokens.weight", 1);
        this.heads = Tensors.dim(checkpoint, TEXT + "layers.0.self_attn.q_proj.weight", 0) / HEAD_DIM;
        this.kvHeads = Tensors.dim(checkpoint, TEXT + "layers.0.self_attn.k_proj.weight", 0) / HEAD_DIM;
        this.expertWidth = Tensors.dim(checkpoint, EXPERT + "0.input_layernorm.weight", 0);
        this.visionWidth = Tensors.dim(checkpoint, VISION + "embeddings.patch_embedding.weight", 0);
        this.visionDepth = visionDepth;
        int shuffled = Tensors.dim(checkpoint, ROOT + "vlm.model.connector.modality_projection.proj.weight", 1);
        this.scale = (int) Math.round(Math.sqrt((double) shuffled / visionWidth));
        this.depth = depth;
        this.every = c.path("self_attn_every_n_layers").asInt(2);
        this.minPeriod = c.path("min_period").asDouble(4e-3);
        this.maxPeriod = c.path("max_period").asDouble(4.0);
        int expertLayers = c.path("num_expert_layers").asInt(-1);
        if (expertLayers > 0 && expertLayers != depth) {
            throw new CheckpointException(checkpoint.folder(), "num_expert_layers = " + expertLayers + " differs from "
                    + "num_vlm_layers = " + depth + "; calibration runs SmolVLA with one expert layer per VLM layer");
        }
    }

    /** Image tokens per camera image of {@code pixels} pixels per side at patch size {@code patch}. */
    public int imageTokens(int side, int patch) {
        int grid = side / patch / scale;
        return grid * grid;
    }

    /**
     * Runs the samples; vision, vlm (prefix tokens) and expert (action tokens) layer outputs go to the sink, layer -1
     * being each module's input. Layers in {@code skip} are skipped in both streams; roles follow the kept layers'
     * new positions, as in an exported pruned checkpoint.
     */
    public void run(List<VlaSample> samples, Set<Integer> skip, LayerSink sink, NDManager manager,
                    BooleanSupplier cancelled, DecoderStack.Progress progress) {
        try (NDManager run = manager.newSubManager()) {
            List<NDArray> prefixes = new ArrayList<>();
            List<NDArray> suffixes = new ArrayList<>();
            NDArray imageTokens = images(samples, sink, run);
            int image = 0;
            for (VlaSample s : samples) {
                int cameras = s.images().size();
                NDArray own = imageTokens.get(new NDIndex(image + ":" + (image + cameras)))
                        .reshape(-1, textWidth);
                image += cameras;
                NDArray language = Tensors.rows(checkpoint, TEXT + "embed_tokens.weight", s.tokens(), run)
                        .mul((float) Math.sqrt(textWidth));
                float[] padded = new float[Tensors.dim(checkpoint, "model.state_proj.weight", 1)];
                System.arraycopy(s.state(), 0, padded, 0, Math.min(padded.length, s.state().length));
                NDArray state = Blocks.linear(run.create(padded, new Shape(1, padded.length)),
                        Tensors.load(checkpoint, "model.state_proj.weight", run),
                        Tensors.load(checkpoint, "model.state_proj.bias", run));
                prefixes.add(NDArrays.concat(new NDList(own, language, state)));
                suffixes.add(ActionSuffix.embed(checkpoint, "model.", s, expertWidth, minPeriod, maxPeriod, run));
            }
            TwoStreams.run(depth, skip, prefixes, suffixes, (layer, step) -> new JointStream[] {
                new JointStream(checkpoint, TEXT + "layers." + layer + ".", TEXT_EPS, false, step),
                new JointStream(checkpoint, EXPERT + layer + ".", TEXT_EPS, false, step)},
                (vlm, expert, prefix, suffix, sample, position, step) -> position % every == 0
                        ? joint(vlm, expert, prefix, suffix, step) : cross(vlm, expert, prefix, suffix, step),
                sink, run, cancelled, progress);
        }
    }

    /** Vision tower, pixel shuffle, connector, times sqrt(width): [images, tokens per image, width]. */
    private NDArray images(List<VlaSample> samples, LayerSink sink, NDManager run) {
        NDArray post = new SigLipEncoder(checkpoint, VISION, visionWidth / HEAD_DIM, SigLipEncoder.EPS, visionDepth)
                .run(TwoStreams.pixels(samples, run), sink, run);
        NDArray shuffled = SigLipEncoder.pixelShuffle(post, scale);
        return Blocks.linear(shuffled, Tensors.load(checkpoint, ROOT + "vlm.model.connector.modality_projection.proj"
                + ".weight", run), null).mul((float) Math.sqrt(textWidth));
    }

    /** Joint layer: one attention over [prefix; suffix] with the cumulative-flag mask. */
    private NDArray[] joint(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, NDManager step) {
        int lp = Math.toIntExact(prefix.getShape().get(0));
        int chunk = Math.toIntExact(suffix.getShape().get(0));
        return TwoStreams.joint(vlm, expert, prefix, suffix, heads, kvHeads, HEAD_DIM, rotary(step, lp + chunk),
                jointMask(step, lp, chunk));
    }

    /**
     * Cross layer: the VLM attends to itself (positions 0..Lp-1, images and language not seeing the state); the
     * expert's queries (positions restarting at 0) attend to k_proj_e(VLM keys after rotary) and v_proj_e(VLM values),
     * every prefix token visible.
     */
    private NDArray[] cross(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, NDManager step) {
        int lp = Math.toIntExact(prefix.getShape().get(0));
        int chunk = Math.toIntExact(suffix.getShape().get(0));
        NDArray hv = vlm.normed(prefix);
        NDArray prefixTables = rotary(step, lp);
        NDArray qv = Blocks.rotate(JointStream.heads(vlm.queries(hv), heads, HEAD_DIM), prefixTables);
        NDArray kv = Blocks.rotate(JointStream.heads(vlm.keys(hv), kvHeads, HEAD_DIM), prefixTables);
        NDArray vv = JointStream.heads(vlm.values(hv), kvHeads, HEAD_DIM);
        NDArray prefixMask = jointMask(step, lp, 0);
        NDArray vlmOut = vlm.finish(prefix, TwoStreams.attend(qv, kv, vv, prefixMask, HEAD_DIM));
        NDArray he = expert.normed(suffix);
        NDArray qe = Blocks.rotate(JointStream.heads(expert.queries(he), heads, HEAD_DIM), rotary(step, chunk));
        NDArray ke = JointStream.heads(expert.keys(flatHeads(kv)), kvHeads, HEAD_DIM);
        NDArray ve = JointStream.heads(expert.values(flatHeads(vv)), kvHeads, HEAD_DIM);
        NDArray open = step.zeros(new Shape(chunk, lp));
        return new NDArray[] {vlmOut, expert.finish(suffix, TwoStreams.attend(qe, ke, ve, open, HEAD_DIM))};
    }

    /** [heads, T, d] back to [T, heads * d], head-major. */
    private static NDArray flatHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(1, 0, 2).reshape(s.get(1), s.get(0) * s.get(2));
    }

    /**
     * Additive mask over [prefix (images, language, then the state); chunk actions]: cumulative flags 0 for images
     * and language, 1 for the state, 2 + k for action k; query i sees key j when flag(j) <= flag(i).
     */
    private static NDArray jointMask(NDManager manager, int prefix, int chunk) {
        int length = prefix + chunk;
        int[] flag = new int[length];
        flag[prefix - 1] = 1;
        for (int a = 0; a < chunk; a++) {
            flag[prefix + a] = 2 + a;
        }
        float[] mask = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                mask[i * length + j] = flag[j] <= flag[i] ? 0f : -1e30f;
            }
        }
        return manager.create(mask, new Shape(length, length));
    }

    /** SmolVLA's rotary tables for positions 0..n-1: angle = p / 10000^((2/d) k), float32. */
    private static NDArray rotary(NDManager manager, int positions) {
        float[] timescale = new float[HEAD_DIM / 2];
        for (int k = 0; k < timescale.length; k++) {
            timescale[k] = (float) Math.pow(10000, (2f / HEAD_DIM) * k);
        }
        return Blocks.rotaryTables(manager, positions, HEAD_DIM, (p, k) -> p / timescale[k]);
    }
}
