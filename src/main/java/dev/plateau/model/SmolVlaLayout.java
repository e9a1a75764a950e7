package dev.plateau.model;

import static dev.plateau.checkpoint.DType.BF16;
import static dev.plateau.checkpoint.DType.F32;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.Map;

/**
 * The tensors and config of a LeRobot SmolVLA checkpoint ({@code lerobot/smolvla_base}: SmolVLM2-500M cut to its
 * first 16 text layers, and a 0.75-wide action expert whose odd layers cross-attend to the VLM). Stored dtypes as in
 * the real file: BF16, except F32 for the expert's cross-attention k/v and the policy's projections.
 */
public final class SmolVlaLayout {

    /** The dimensions of a SmolVLA checkpoint; {@link #real()} is smolvla_base. */
    public record Dims(int visionWidth, int visionLayers, int visionMlp, int patch, int imageSize, int scaleFactor,
                       int textWidth, int textLayers, int heads, int kvHeads, int headDim, int textMlp, int vocab,
                       int expertWidth, int expertMlp, int expertLayers, int selfAttnEveryN, int maxStateDim,
                       int maxActionDim) {

        public static Dims real() {
            return new Dims(768, 12, 3072, 16, 512, 4, 960, 16, 15, 5, 64, 2560, 49280, 720, 2048, 16, 2, 32, 32);
        }

        /**
         * Same structure, depths and head width (64, as SmolVLM2's) with fewer heads and narrower MLPs: a few MB. The
         * expert MLP width follows SmolVLA's rule: 256 * ceil(4 * int(2 * 96 / 3) / 256) = 256.
         */
        public static Dims tiny() {
            return new Dims(128, 12, 256, 16, 128, 4, 128, 16, 2, 1, 64, 256, 512, 96, 256, 16, 2, 32, 32);
        }
    }

    private SmolVlaLayout() {
    }

    public static SyntheticCheckpoint of(String name, Dims d) {
        String vlm = "model.vlm_with_expert.vlm.model.";
        String expert = "model.vlm_with_expert.lm_expert.";
        TensorListing t = new TensorListing(false);
        String vision = vlm + "vision_model.";
        SigLipLayers.addTower(t, vision, d.visionWidth(), d.visionLayers(), d.visionMlp(), d.patch(), d.imageSize(),
                BF16);
        long shuffled = (long) d.visionWidth() * d.scaleFactor() * d.scaleFactor();
        t.add(vlm + "connector.modality_projection.proj.weight", BF16, d.textWidth(), shuffled);
        t.add(vlm + "text_model.embed_tokens.weight", BF16, d.vocab(), d.textWidth());
        int q = d.heads() * d.headDim();
        int kv = d.kvHeads() * d.headDim();
        for (int i = 0; i < d.textLayers(); i++) {
            DecoderLayers.add(t, vlm + "text_model.layers." + i + ".", d.textWidth(), q, kv, d.textWidth(),
                    d.textMlp(), BF16, BF16);
        }
        t.add(vlm + "text_model.norm.weight", BF16, d.textWidth());
        t.add("model.vlm_with_expert.vlm.lm_head.weight", BF16, d.vocab(), d.textWidth());
        for (int e = 0; e < d.expertLayers(); e++) {
            boolean joint = e % d.selfAttnEveryN() == 0;
            DecoderLayers.add(t, expert + "layers." + e + ".", d.expertWidth(), q, kv,
                    joint ? d.expertWidth() : kv, d.expertMlp(), BF16, joint ? BF16 : F32);
        }
        t.add(expert + "norm.weight", BF16, d.expertWidth());
        t.add("model.state_proj.weight", F32, d.textWidth(), d.maxStateDim());
        t.add("model.state_proj.bias", F32, d.textWidth());
        t.add("model.action_in_proj.weight", F32, d.expertWidth(), d.maxActionDim());
        t.add("model.action_in_proj.bias", F32, d.expertWidth());
        t.add("model.action_out_proj.weight", F32, d.maxActionDim(), d.expertWidth());
        t.add("model.action_out_proj.bias", F32, d.maxActionDim());
        t.add("model.action_time_mlp_in.weight", F32, d.expertWidth(), 2L * d.expertWidth());
        t.add("model.action_time_mlp_in.bias", F32, d.expertWidth());
        t.add("model.action_time_mlp_out.weight", F32, d.expertWidth(), d.expertWidth());
        t.add("model.action_time_mlp_out.bias", F32, d.expertWidth());
        return new SyntheticCheckpoint(name, config(d), t.tensors(), auxFiles(), 0);
    }

    private static ObjectNode config(Dims d) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("type", "smolvla");
        c.put("n_obs_steps", 1);
        ObjectNode inputs = c.putObject("input_features");
        for (String camera : new String[] {"observation.images.camera1", "observation.images.camera2",
                "observation.images.camera3"}) {
            ObjectNode f = inputs.putObject(camera);
            f.put("type", "VISUAL");
            f.putArray("shape").add(3).add(256).add(256);
        }
        ObjectNode state = inputs.putObject("observation.state");
        state.put("type", "STATE");
        state.putArray("shape").add(6);
        ObjectNode action = c.putObject("output_features").putObject("action");
        action.put("type", "ACTION");
        action.putArray("shape").add(6);
        c.put("chunk_size", 50);
        c.put("n_action_steps", 50);
        c.put("max_state_dim", d.maxStateDim());
        c.put("max_action_dim", d.maxActionDim());
        c.putArray("resize_imgs_with_padding").add(d.imageSize()).add(d.imageSize());
        c.put("empty_cameras", 0);
        c.put("tokenizer_max_length", 48);
        c.put("num_steps", 10);
        c.put("vlm_model_name", "HuggingFaceTB/SmolVLM2-500M-Video-Instruct");
        c.put("load_vlm_weights", true);
        c.put("add_image_special_tokens", false);
        c.put("attention_mode", "cross_attn");
        c.put("prefix_length", 0);
        c.put("pad_language_to", "max_length");
        c.put("num_expert_layers", 0);
        c.put("num_vlm_layers", d.textLayers());
        c.put("self_attn_every_n_layers", d.selfAttnEveryN());
        c.put("expert_width_multiplier", (double) d.expertWidth() / d.textWidth());
        c.put("min_period", 0.004);
        c.put("max_period", 4.0);
        return c;
    }

    /** The policy's processor files, and (unlike the hub checkpoint, which relies on SmolVLM2's) a tokenizer. */
    private static Map<String, String> auxFiles() {
        return Map.of(
                "policy_preprocessor.json", "{\"name\": \"policy_preprocessor\", \"steps\": []}\n",
                "policy_postprocessor.json", "{\"name\": \"policy_postprocessor\", \"steps\": []}\n",
                "tokenizer.json", SyntheticTokenizer.json(),
                "README.md", "Synthetic SmolVLA-layout checkpoint written by Plateau.\n");
    }
}
