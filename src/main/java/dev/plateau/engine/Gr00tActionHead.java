package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * GR00T-N1.5's flow-matching action head in training mode (eval-mode dropout), layer by layer, given the backbone
 * features: LayerNorm (vlln), the VL self-attention blocks (pre-LN, attention with biases and the config's heads,
 * GELU-tanh FFN, no mask), the per-embodiment state and action encoders (the action tokens carry the sinusoidal
 * embedding of the discretised time k = trunc(num_timestep_buckets t) and the learned positions), 32 future tokens,
 * then the DiT: AdaLayerNorm on the timestep embedding (scale first), attention with biases, cross-attention to the VL
 * features in even blocks and self-attention in odd ones (by position among the kept blocks; every block
 * cross-attends when interleave_self_attention is false), a non-affine LayerNorm and a GELU-tanh FFN. Each sample
 * runs alone: Isaac-GR00T's training batches left-pad prompts of different lengths and its action head attends over
 * that padding (no mask), which a batch of one does not have.
 * Noise convention: x_t = (1 - t) noise + t actions (t = 1 is data).
 */
public final class Gr00tActionHead {
    static final String HEAD = "action_head.";
    static final String VLSA = HEAD + "vl_self_attention.transformer_blocks.";
    static final String DIT = HEAD + "model.transformer_blocks.";

    /** One sample's inputs to the action head. */
    public record Sample(float[][] features, float[] state, float[][] actions, float[][] noise, float time,
                         int embodiment) {
    }

    private final Checkpoint checkpoint;
    private final int vlsaDepth;
    private final int vlsaHeads;
    private final int ditDepth;
    private final int ditHeads;
    private final boolean interleaved;
    private final int timestepBuckets;

    public Gr00tActionHead(Checkpoint checkpoint, int vlsaDepth, int ditDepth) {
        this.checkpoint = checkpoint;
        JsonNode head = checkpoint.config().path("action_head_cfg");
        this.vlsaDepth = vlsaDepth;
        this.vlsaHeads = head.path("vl_self_attention_cfg").path("num_attention_heads").asInt(32);
        this.ditDepth = ditDepth;
        this.ditHeads = head.path("diffusion_model_cfg").path("num_attention_heads").asInt(32);
        this.interleaved = head.path("diffusion_model_cfg").path("interleave_self_attention").asBoolean(true);
        this.timestepBuckets = head.path("num_timestep_buckets").asInt(1000);
    }

    /** Runs the samples; vl_self_attention and dit block outputs (layer -1: their inputs) go to the sink. */
    public void run(List<Sample> samples, Set<Integer> skipVlsa, Set<Integer> skipDit, LayerSink sink,
                    NDManager manager, BooleanSupplier cancelled, DecoderStack.Progress progress) {
        try (NDManager run = manager.newSubManager()) {
            List<NDArray> features = new ArrayList<>();
            for (Sample s : samples) {
                NDArray e = run.create(flatten(s.features()), new Shape(s.features().length, s.features()[0].length));
                features.add(Blocks.layerNorm(e, load(HEAD + "vlln.weight", run), load(HEAD + "vlln.bias", run),
                        1e-5));
            }
            TwoStreams.emit(sink, "vl_self_attention", -1, features);
            for (int block = 0; block < vlsaDepth; block++) {
                check(cancelled);
                if (skipVlsa.contains(block)) {
                    progress.layerDone("vl_self_attention", block, vlsaDepth);
                    continue;
                }
                String p = VLSA + block + ".";
                forEach(features, run, (x, step) -> {
                    NDArray h = x.add(attention(Blocks.layerNorm(x, load(p + "norm1.weight", step),
                            load(p + "norm1.bias", step), 1e-5), null, p + "attn1.", vlsaHeads, step));
                    return h.add(feedForward(Blocks.layerNorm(h, load(p + "norm3.weight", step),
                            load(p + "norm3.bias", step), 1e-5), p + "ff.", step));
                });
                TwoStreams.emit(sink, "vl_self_attention", block, features);
                progress.layerDone("vl_self_attention", block, vlsaDepth);
            }
            List<NDArray> tokens = new ArrayList<>();
            List<NDArray> temb = new ArrayList<>();
            for (Sample s : samples) {
                int k = (int) (timestepBuckets * s.time());
                temb.add(timestepEmbedding(k, run));
                tokens.add(ditInput(s, k, run));
            }
            TwoStreams.emit(sink, "dit", -1, tokens);
            int position = 0;
            for (int block = 0; block < ditDepth; block++) {
                check(cancelled);
                if (skipDit.contains(block)) {
                    progress.layerDone("dit", block, ditDepth);
                    continue;
                }
                // interleaved: even blocks cross-attend, odd ones self-attend; otherwise every block cross-attends
                boolean cross = !interleaved || position++ % 2 == 0;
                String p = DIT + block + ".";
                try (NDManager step = run.newSubManager()) {
                    for (int b = 0; b < tokens.size(); b++) {
                        NDArray x = tokens.get(b);
                        x.tempAttach(step);
                        NDArray modulation = Blocks.linear(Blocks.silu(temb.get(b)), load(p + "norm1.linear.weight",
                                step), load(p + "norm1.linear.bias", step));
                        long width = x.getShape().get(1);
                        NDArray scale = modulation.get(new NDIndex(":, :" + width));
                        NDArray shift = modulation.get(new NDIndex(":, " + width + ":"));
                        NDArray normed = plainLayerNorm(x, 1e-5).mul(scale.add(1)).add(shift);
                        NDArray h = x.add(attention(normed, cross ? features.get(b) : null, p + "attn1.", ditHeads,
                                step));
                        NDArray y = h.add(feedForward(plainLayerNorm(h, 1e-5), p + "ff.", step));
                        y.attach(run);
                        tokens.set(b, y);
                    }
                }
                TwoStreams.emit(sink, "dit", block, tokens);
                progress.layerDone("dit", block, ditDepth);
            }
        }
    }

    /** Multi-head attention with biases; keys and values from {@code context} when given (cross-attention). */
    private NDArray attention(NDArray x, NDArray context, String p, int heads, NDManager m) {
        NDArray source = context == null ? x : context;
        NDArray q = Blocks.linear(x, load(p + "to_q.weight", m), load(p + "to_q.bias", m));
        NDArray k = Blocks.linear(source, load(p + "to_k.weight", m), load(p + "to_k.bias", m));
        NDArray v = Blocks.linear(source, load(p + "to_v.weight", m), load(p + "to_v.bias", m));
        long width = q.getShape().get(1);
        long headDim = width / heads;
        NDArray qh = q.reshape(-1, heads, headDim).transpose(1, 0, 2);
        NDArray kh = k.reshape(-1, heads, headDim).transpose(1, 0, 2);
        NDArray vh = v.reshape(-1, heads, headDim).transpose(1, 0, 2);
        NDArray out = qh.matMul(kh.transpose(0, 2, 1)).mul(1 / Math.sqrt(headDim)).softmax(-1).matMul(vh)
                .transpose(1, 0, 2).reshape(-1, width);
        return Blocks.linear(out, load(p + "to_out.0.weight", m), load(p + "to_out.0.bias", m));
    }

    private NDArray feedForward(NDArray x, String p, NDManager m) {
        return Blocks.linear(Blocks.geluTanh(Blocks.linear(x, load(p + "net.0.proj.weight", m),
                load(p + "net.0.proj.bias", m))), load(p + "net.2.weight", m), load(p + "net.2.bias", m));
    }

    /**
     * [state; future tokens; action tokens + positions]: state = L2(ReLU(L1(state))) per embodiment; action tokens =
     * W3(swish(W2([W1(x_t); tau(k)]))), tau(k) = [sin(k w), cos(k w)], w_i = exp(-i ln(10000) / (d / 2)).
     */
    private NDArray ditInput(Sample s, int k, NDManager run) {
        try (NDManager step = run.newSubManager()) {
            NDArray input = ditInputOf(s, k, step);
            input.attach(run);
            return input;
        }
    }

    private NDArray ditInputOf(Sample s, int k, NDManager run) {
        int c = s.embodiment();
        NDArray state = category(category(run.create(s.state(), new Shape(1, s.state().length)),
                HEAD + "state_encoder.layer1", c, run).maximum(0f), HEAD + "state_encoder.layer2", c, run);
        int horizon = s.noise().length;
        int dims = s.noise()[0].length;
        float[] xt = new float[horizon * dims];
        for (int i = 0; i < horizon; i++) {
            for (int j = 0; j < dims; j++) {
                xt[i * dims + j] = (1 - s.time()) * s.noise()[i][j] + s.time() * s.actions()[i][j];
            }
        }
        NDArray a = category(run.create(xt, new Shape(horizon, dims)), HEAD + "action_encoder.W1", c, run);
        int width = Math.toIntExact(a.getShape().get(1));
        int half = width / 2;
        float[] tau = new float[width];
        for (int i = 0; i < half; i++) {
            double w = Math.exp(-i * Math.log(10000) / half);
            tau[i] = (float) Math.sin(k * w);
            tau[i + half] = (float) Math.cos(k * w);
        }
        NDArray withTime = NDArrays.concat(new NDList(a, run.create(tau, new Shape(1, width))
                .broadcast(new Shape(horizon, width))), 1);
        NDArray actions = category(Blocks.silu(category(withTime, HEAD + "action_encoder.W2", c, run)),
                HEAD + "action_encoder.W3", c, run)
                .add(load(HEAD + "position_embedding.weight", run).get(new NDIndex(":" + horizon)));
        return NDArrays.concat(new NDList(state, load(HEAD + "future_tokens.weight", run), actions));
    }

    /** diffusers' Timesteps(256, flip_sin_to_cos, shift 1) of k, then linear_2(SiLU(linear_1(.))). */
    private NDArray timestepEmbedding(int k, NDManager run) {
        String p = HEAD + "model.timestep_encoder.timestep_embedder.";
        int channels = Math.toIntExact(checkpoint.tensor(p + "linear_1.weight").orElseThrow().info().shape().get(1));
        int half = channels / 2;
        float[] e = new float[channels];
        for (int i = 0; i < half; i++) {
            float f = (float) Math.exp(-Math.log(10000) * i / (half - 1.0));
            float arg = k * f;
            e[i] = (float) Math.cos(arg);
            e[i + half] = (float) Math.sin(arg);
        }
        NDArray h = Blocks.silu(Blocks.linear(run.create(e, new Shape(1, channels)), load(p + "linear_1.weight", run),
                load(p + "linear_1.bias", run)));
        return Blocks.linear(h, load(p + "linear_2.weight", run), load(p + "linear_2.bias", run));
    }

    /**
     * x W[c] + b[c] with W stored [categories, in, out] (no transpose); only category c's weights are read (the whole
     * table of a real-size head, all 32 categories, is about 1 GB in float32).
     */
    private NDArray category(NDArray x, String p, int c, NDManager m) {
        return x.matMul(Tensors.slice(checkpoint, p + ".W", c, m)).add(Tensors.slice(checkpoint, p + ".b", c, m));
    }

    private static NDArray plainLayerNorm(NDArray x, double eps) {
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        return centred.mul(centred.pow(2).mean(new int[] {-1}, true).add(eps).pow(-0.5));
    }

    private NDArray load(String name, NDManager manager) {
        return Tensors.load(checkpoint, name, manager);
    }

    private interface Step {
        NDArray apply(NDArray x, NDManager step);
    }

    private static void forEach(List<NDArray> states, NDManager run, Step f) {
        for (int b = 0; b < states.size(); b++) {
            try (NDManager step = run.newSubManager()) {
                NDArray x = states.get(b);
                x.tempAttach(step);
                NDArray y = f.apply(x, step);
                y.attach(run);
                states.set(b, y);
            }
        }
    }

    private static void check(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("calibration cancelled");
        }
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
        }
        return out;
    }
}
