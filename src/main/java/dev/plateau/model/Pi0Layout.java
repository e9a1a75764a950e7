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
        return build(name, d, naming, false);
    }

    /**
     * pi0.5 ({@code lerobot/pi05_base}): pi0's PaliGemma, and an expert whose norms are adaptive (adaRMS: a dense map
     * of the time conditioning to scale, shift and gate, no weight), no state projection (the state is text in the
     * prompt), time MLPs from the expert's width to itself. The hub file holds openpi's names ({@link Naming#OPENPI})
     * with LeRobot's config and processor files; LeRobot-saved fine-tunes add the {@code model.} prefix.
     */
    public static SyntheticCheckpoint pi05(String name, Dims d, Naming naming) {
        return build(name, d, naming, true);
    }

    private static SyntheticCheckpoint build(String name, Dims d, Naming naming, boolean pi05) {
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
            String layer = expert + "model.layers." + i + ".";
            if (pi05) {
                DecoderLayers.addAdaptive(t, layer, d.expertWidth(), q, kv, d.expertMlp(), d.expertWidth(), BF16);
            } else {
                DecoderLayers.add(t, layer, d.expertWidth(), q, kv, d.expertWidth(), d.expertMlp(), BF16, BF16);
            }
        }
        if (pi05) {
            t.add(expert + "model.norm.dense.weight", BF16, 3L * d.expertWidth(), d.expertWidth());
            t.add(expert + "model.norm.dense.bias", BF16, 3L * d.expertWidth());
        } else {
            t.add(expert + "model.norm.weight", BF16, d.expertWidth());
        }
        t.add(expert + "lm_head.weight", BF16, d.vocab(), d.expertWidth());
        String policy = naming == Naming.LEROBOT ? "model." : "";
        if (!pi05) {
            t.add(policy + "state_proj.weight", F32, d.expertWidth(), d.maxStateDim());
            t.add(policy + "state_proj.bias", F32, d.expertWidth());
        }
        t.add(policy + "action_in_proj.weight", F32, d.expertWidth(), d.maxActionDim());
        t.add(policy + "action_in_proj.bias", F32, d.expertWidth());
        t.add(policy + "action_out_proj.weight", F32, d.maxActionDim(), d.expertWidth());
        t.add(policy + "action_out_proj.bias", F32, d.maxActionDim());
        String time = pi05 ? "time_mlp_" : "action_time_mlp_";
        t.add(policy + time + "in.weight", F32, d.expertWidth(), (pi05 ? 1L : 2L) * d.expertWidth());
        t.add(policy + time + "in.bias", F32, d.expertWidth());
        t.add(policy + time + "out.weight", F32, d.expertWidth(), d.expertWidth());
        t.add(policy + time + "out.bias", F32, d.expertWidth());
        Map<String, String> lerobot = Map.of(
                "policy_preprocessor.json", "{\"name\": \"policy_preprocessor\", \"steps\": []}\n",
                "policy_postprocessor.json", "{\"name\": \"policy_postprocessor\", \"steps\": []}\n",
                "tokenizer.json", SyntheticTokenizer.json());
        Map<String, String> aux = naming == Naming.LEROBOT || pi05 ? lerobot
                : Map.of("assets/trossen/norm_stats.json", "{\"norm_stats\": {}}\n",
                         "tokenizer.json", SyntheticTokenizer.json());
        return new SyntheticCheckpoint(name, pi05 ? pi05Config(d) : config(d), t.tensors(), aux, 0);
    }

    private static ObjectNode config(Dims d) {
        ObjectNode c = common("pi0", d);
        c.put("tokenizer_max_length", 48);
        return c;
    }

    /** LeRobot's PI05Config: 200 prompt tokens, state and actions normalised by quantiles. */
    private static ObjectNode pi05Config(Dims d) {
        ObjectNode c = common("pi05", d);
        c.put("tokenizer_max_length", 200);
        c.put("min_period", 4e-3);
        c.put("max_period", 4.0);
        ObjectNode mapping = c.putObject("normalization_mapping");
        mapping.put("VISUAL", "IDENTITY");
        mapping.put("STATE", "QUANTILES");
        mapping.put("ACTION", "QUANTILES");
        return c;
    }

    private static ObjectNode common(String type, Dims d) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("type", type);
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
        return c;
    }
}
