package dev.plateau.model;

import static dev.plateau.checkpoint.DType.BF16;
import static dev.plateau.checkpoint.DType.F32;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.Map;

/**
 * The tensors and config of an Isaac-GR00T N1.5 checkpoint ({@code nvidia/GR00T-N1.5-3B}): Eagle 2.5 backbone
 * (SigLIP, linear projector, the first 12 Qwen3-1.7B layers) and the flow-matching action head (LayerNorm, 4 VL
 * self-attention blocks, a 16-block DiT whose even blocks cross-attend to the VL features, per-embodiment MLPs).
 * Sharded, unprefixed names. The backbone is stored BF16 and the action head F32 (assumed: the hub file's per-tensor
 * dtypes are not confirmed); the token embedding is stored once (tied).
 */
public final class Gr00tLayout {

    /** The dimensions of a GR00T-N1.5 checkpoint; {@link #real()} is GR00T-N1.5-3B. */
    public record Dims(int visionWidth, int visionLayers, int visionMlp, int patch, int imageSize, int llmWidth,
                       int llmLayers, int heads, int kvHeads, int headDim, int llmMlp, int vocab, int vlsaLayers,
                       int vlsaHeads, int vlsaHeadDim, int ditLayers, int ditHeads, int ditHeadDim, int hiddenSize,
                       int maxStateDim, int actionDim, int embodiments, int futureTokens, int maxSeqLen,
                       int actionHorizon, int timestepChannels) {

        public static Dims real() {
            return new Dims(1152, 27, 4304, 14, 224, 2048, 12, 16, 8, 128, 6144, 151680, 4, 32, 64, 16, 32, 48,
                    1024, 64, 32, 32, 32, 1024, 16, 256);
        }

        /** Same structure, depths and SigLIP head width (72), fewer heads and narrower layers: a few MB. */
        public static Dims tiny() {
            return new Dims(144, 27, 288, 14, 56, 64, 12, 4, 2, 16, 128, 512, 4, 4, 16, 16, 4, 12,
                    32, 64, 32, 32, 32, 1024, 16, 256);
        }

        int ditWidth() {
            return ditHeads * ditHeadDim;
        }
    }

    /** The real checkpoint is sharded; ours shards at this size when real-size. */
    static final long REAL_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    private Gr00tLayout() {
    }

    public static SyntheticCheckpoint of(String name, Dims d) {
        TensorListing t = new TensorListing(false);
        String eagle = "backbone.eagle_model.";
        String vision = eagle + "vision_model.vision_model.";
        SigLipLayers.addTower(t, vision, d.visionWidth(), d.visionLayers(), d.visionMlp(), d.patch(), d.imageSize(),
                BF16);
        t.add(eagle + "mlp1.0.weight", BF16, d.llmWidth(), d.visionWidth());
        t.add(eagle + "mlp1.0.bias", BF16, d.llmWidth());
        String lm = eagle + "language_model.model.";
        t.add(lm + "embed_tokens.weight", BF16, d.vocab(), d.llmWidth());
        int q = d.heads() * d.headDim();
        int kv = d.kvHeads() * d.headDim();
        for (int i = 0; i < d.llmLayers(); i++) {
            String p = lm + "layers." + i + ".";
            DecoderLayers.add(t, p, d.llmWidth(), q, kv, d.llmWidth(), d.llmMlp(), BF16, BF16);
            t.add(p + "self_attn.q_norm.weight", BF16, d.headDim());
            t.add(p + "self_attn.k_norm.weight", BF16, d.headDim());
        }
        t.add(lm + "norm.weight", BF16, d.llmWidth());

        String head = "action_head.";
        t.add(head + "vlln.weight", F32, d.llmWidth());
        t.add(head + "vlln.bias", F32, d.llmWidth());
        int w = d.vlsaHeads() * d.vlsaHeadDim();
        for (int j = 0; j < d.vlsaLayers(); j++) {
            String p = head + "vl_self_attention.transformer_blocks." + j + ".";
            layerNorm(t, p + "norm1", w);
            attention(t, p + "attn1", w, w);
            layerNorm(t, p + "norm3", w);
            feedForward(t, p + "ff", w);
        }
        int dit = d.ditWidth();
        String model = head + "model.";
        linear(t, model + "timestep_encoder.timestep_embedder.linear_1", dit, d.timestepChannels());
        linear(t, model + "timestep_encoder.timestep_embedder.linear_2", dit, dit);
        for (int l = 0; l < d.ditLayers(); l++) {
            String p = model + "transformer_blocks." + l + ".";
            linear(t, p + "norm1.linear", 2 * dit, dit);
            attention(t, p + "attn1", dit, l % 2 == 0 ? d.llmWidth() : dit);
            feedForward(t, p + "ff", dit);
        }
        linear(t, model + "proj_out_1", 2 * dit, dit);
        linear(t, model + "proj_out_2", d.hiddenSize(), dit);
        int e = d.embodiments();
        categoryLinear(t, head + "state_encoder.layer1", e, d.maxStateDim(), d.hiddenSize());
        categoryLinear(t, head + "state_encoder.layer2", e, d.hiddenSize(), dit);
        categoryLinear(t, head + "action_encoder.W1", e, d.actionDim(), dit);
        categoryLinear(t, head + "action_encoder.W2", e, 2 * dit, dit);
        categoryLinear(t, head + "action_encoder.W3", e, dit, dit);
        categoryLinear(t, head + "action_decoder.layer1", e, d.hiddenSize(), d.hiddenSize());
        categoryLinear(t, head + "action_decoder.layer2", e, d.hiddenSize(), d.actionDim());
        t.add(head + "future_tokens.weight", F32, d.futureTokens(), dit);
        t.add(head + "position_embedding.weight", F32, d.maxSeqLen(), dit);
        return new SyntheticCheckpoint(name, config(d), t.tensors(), Map.of(
                "experiment_cfg/metadata.json", "{\"new_embodiment\": {\"statistics\": {}, \"modalities\": {}, "
                        + "\"embodiment_tag\": \"new_embodiment\"}}\n",
                "tokenizer.json", SyntheticTokenizer.json(SyntheticTokenizer.EAGLE_SPECIAL_TOKENS)),
                REAL_SHARD_BYTES);
    }

    private static void layerNorm(TensorListing t, String p, int width) {
        t.add(p + ".weight", F32, width);
        t.add(p + ".bias", F32, width);
    }

    private static void linear(TensorListing t, String p, long out, long in) {
        t.add(p + ".weight", F32, out, in);
        t.add(p + ".bias", F32, out);
    }

    private static void attention(TensorListing t, String p, int width, int kvIn) {
        linear(t, p + ".to_q", width, width);
        linear(t, p + ".to_k", width, kvIn);
        linear(t, p + ".to_v", width, kvIn);
        linear(t, p + ".to_out.0", width, width);
    }

    private static void feedForward(TensorListing t, String p, int width) {
        linear(t, p + ".net.0.proj", 4L * width, width);
        linear(t, p + ".net.2", width, 4L * width);
    }

    private static void categoryLinear(TensorListing t, String p, int categories, int in, int out) {
        t.add(p + ".W", F32, categories, in, out);
        t.add(p + ".b", F32, categories, out);
    }

    private static ObjectNode config(Dims d) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("action_dim", d.actionDim());
        c.put("action_horizon", d.actionHorizon());
        c.putArray("architectures").add("GR00T_N1_5");
        ObjectNode head = c.putObject("action_head_cfg");
        head.put("action_dim", d.actionDim());
        head.put("action_horizon", d.actionHorizon());
        head.put("add_pos_embed", true);
        head.put("backbone_embedding_dim", d.llmWidth());
        ObjectNode dit = head.putObject("diffusion_model_cfg");
        dit.put("attention_head_dim", d.ditHeadDim());
        dit.put("cross_attention_dim", d.llmWidth());
        dit.put("dropout", 0.2);
        dit.put("final_dropout", true);
        dit.put("interleave_self_attention", true);
        dit.put("norm_type", "ada_norm");
        dit.put("num_attention_heads", d.ditHeads());
        dit.put("num_layers", d.ditLayers());
        dit.put("output_dim", d.hiddenSize());
        dit.putNull("positional_embeddings");
        head.put("hidden_size", d.hiddenSize());
        head.put("input_embedding_dim", d.ditWidth());
        head.put("max_action_dim", d.actionDim());
        head.put("max_state_dim", d.maxStateDim());
        head.put("noise_beta_alpha", 1.5);
        head.put("noise_beta_beta", 1.0);
        head.put("noise_s", 0.999);
        head.put("num_inference_timesteps", 4);
        head.put("num_target_vision_tokens", d.futureTokens());
        head.put("num_timestep_buckets", 1000);
        head.put("tune_diffusion_model", true);
        head.put("tune_projector", true);
        head.put("use_vlln", true);
        ObjectNode vlsa = head.putObject("vl_self_attention_cfg");
        vlsa.put("attention_head_dim", d.vlsaHeadDim());
        vlsa.put("dropout", 0.2);
        vlsa.put("final_dropout", true);
        vlsa.put("num_attention_heads", d.vlsaHeads());
        vlsa.put("num_layers", d.vlsaLayers());
        vlsa.putNull("positional_embeddings");
        ObjectNode backbone = c.putObject("backbone_cfg");
        backbone.put("eagle_path", "NVEagle/eagle_er-qwen3_1_7B-Siglip2_400M_stage1_5_128gpu_er_v7_1mlp_nops");
        backbone.putNull("project_to_dim");
        backbone.put("select_layer", d.llmLayers());
        backbone.put("tune_llm", false);
        backbone.put("tune_visual", true);
        backbone.put("use_flash_attention", true);
        c.put("compute_dtype", "bfloat16");
        c.put("model_type", Gr00tN15Profile.MODEL_TYPE);
        c.put("torch_dtype", "bfloat16");
        c.put("transformers_version", "4.51.3");
        return c;
    }
}
