package dev.plateau.model;

import static dev.plateau.checkpoint.DType.BF16;
import static dev.plateau.checkpoint.DType.F32;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.Map;

/**
 * The tensors and config of a pi0 checkpoint: PaliGemma (SigLIP so400m/14 + Gemma 2B) and the Gemma-300M action
 * expert, 18 joint layers each. LeRobot names carry a {@code model.} prefix, openpi's do not. The PaliGemma LM head
 * is stored in place of the tied token embedding; the expert's unused LM head is stored too (3.5 B parameters in
 * all). Weights BF16, the policy's projections F32.
 */
public final class Pi0Layout {

    /** Tensor naming of the two code bases. */
    public enum Naming { LEROBOT, OPENPI }

    /** The dimensions of a pi0 checkpoint; {@link #real()} is pi0_base. */
    public record Dims(int visionWidth, int visionLayers, int visionMlp, int patch, int imageSize, int vlmWidth,
                       int layers, int heads, int kvHeads, int headDim, int vlmMlp, int vocab, int expertWidth,
                       int expertMlp, int maxStateDim, int maxActionDim) {

        public static Dims real() {
            return new Dims(1152, 27, 4304, 14, 224, 2048, 18, 8, 1, 256, 16384, 257152, 1024, 4096, 32, 32);
        }

        /** Same structure, depths and head widths (72 in SigLIP, 256 in Gemma) with fewer heads: a few MB. */
        public static Dims tiny() {
            return new Dims(144, 27, 288, 14, 56, 64, 18, 2, 1, 256, 128, 512, 32, 64, 32, 32);
        }
    }

    private Pi0Layout() {
    }

    public static SyntheticCheckpoint of(String name, Dims d, Naming naming) {
        String root = (naming == Naming.LEROBOT ? "model." : "") + "paligemma_with_expert.";
        String pg = root + "paligemma.model.";
        String vision = pg + "vision_tower.vision_model.";
        TensorListing t = new TensorListing(true);
        SigLipLayers.addTower(t, vision, d.visionWidth(), d.visionLayers(), d.visionMlp(), d.patch(), d.imageSize(),
                BF16);
        t.add(pg + "multi_modal_projector.linear.weight", BF16, d.vlmWidth(), d.visionWidth());
        t.add(pg + "multi_modal_projector.linear.bias", BF16, d.vlmWidth());
        t.add(root + "paligemma.lm_head.weight", BF16, d.vocab(), d.vlmWidth());
        int q = d.heads() * d.headDim();
        int kv = d.kvHeads() * d.headDim();
        for (int i = 0; i < d.layers(); i++) {
            DecoderLayers.add(t, pg + "language_model.layers." + i + ".", d.vlmWidth(), q, kv, d.vlmWidth(),
                    d.vlmMlp(), BF16, BF16);
        }
        t.add(pg + "language_model.norm.weight", BF16, d.vlmWidth());
        String expert = root + "gemma_expert.";
        for (int i = 0; i < d.layers(); i++) {
            DecoderLayers.add(t, expert + "model.layers." + i + ".", d.expertWidth(), q, kv, d.expertWidth(),
                    d.expertMlp(), BF16, BF16);
        }
        t.add(expert + "model.norm.weight", BF16, d.expertWidth());
        t.add(expert + "lm_head.weight", BF16, d.vocab(), d.expertWidth());
        String policy = naming == Naming.LEROBOT ? "model." : "";
        t.add(policy + "state_proj.weight", F32, d.expertWidth(), d.maxStateDim());
        t.add(policy + "state_proj.bias", F32, d.expertWidth());
        t.add(policy + "action_in_proj.weight", F32, d.expertWidth(), d.maxActionDim());
        t.add(policy + "action_in_proj.bias", F32, d.expertWidth());
        t.add(policy + "action_out_proj.weight", F32, d.maxActionDim(), d.expertWidth());
        t.add(policy + "action_out_proj.bias", F32, d.maxActionDim());
        t.add(policy + "action_time_mlp_in.weight", F32, d.expertWidth(), 2L * d.expertWidth());
        t.add(policy + "action_time_mlp_in.bias", F32, d.expertWidth());
        t.add(policy + "action_time_mlp_out.weight", F32, d.expertWidth(), d.expertWidth());
        t.add(policy + "action_time_mlp_out.bias", F32, d.expertWidth());
        Map<String, String> aux = naming == Naming.LEROBOT
                ? Map.of("policy_preprocessor.json", "{\"name\": \"policy_preprocessor\", \"steps\": []}\n",
                         "policy_postprocessor.json", "{\"name\": \"policy_postprocessor\", \"steps\": []}\n",
                         "tokenizer.json", SyntheticTokenizer.json())
                : Map.of("assets/trossen/norm_stats.json", "{\"norm_stats\": {}}\n",
                         "tokenizer.json", SyntheticTokenizer.json());
        return new SyntheticCheckpoint(name, config(d), t.tensors(), aux, 0);
    }

    private static ObjectNode config(Dims d) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("type", "pi0");
        c.put("n_obs_steps", 1);
        c.put("chunk_size", 50);
        c.put("n_action_steps", 50);
        c.put("max_state_dim", d.maxStateDim());
        c.put("max_action_dim", d.maxActionDim());
        c.put("num_inference_steps", 10);
        c.put("paligemma_variant", "gemma_2b");
        c.put("action_expert_variant", "gemma_300m");
        c.put("dtype", "bfloat16");
        c.putArray("image_resolution").add(d.imageSize()).add(d.imageSize());
        c.put("tokenizer_max_length", 48);
        return c;
    }
}
