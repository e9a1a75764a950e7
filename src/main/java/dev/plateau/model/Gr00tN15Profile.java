package dev.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** NVIDIA Isaac-GR00T N1.5: Eagle backbone (SigLIP + Qwen3) and flow-matching action head (VL self-attention, DiT). */
final class Gr00tN15Profile implements FamilyProfile {
    static final String MODEL_TYPE = "gr00t_n1_5";
    static final String VISION = "backbone.eagle_model.vision_model.vision_model.encoder.layers.";
    static final String VLM = "backbone.eagle_model.language_model.model.layers.";
    static final String VL_SELF_ATTENTION = "action_head.vl_self_attention.transformer_blocks.";
    static final String DIT = "action_head.model.transformer_blocks.";

    static final String SELECT_LAYER = "backbone_cfg.select_layer";
    static final String VLSA_LAYERS = "action_head_cfg.vl_self_attention_cfg.num_layers";
    static final String DIT_LAYERS = "action_head_cfg.diffusion_model_cfg.num_layers";
    static final Gr00tN15Profile INSTANCE = new Gr00tN15Profile();

    private Gr00tN15Profile() {
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "model_type").map(t -> t.startsWith("gr00t")).orElse(false)
                || checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith(DIT));
    }

    @Override
    public ModelSpec describe(Checkpoint checkpoint) {
        Optional<String> type = ConfigValues.text(checkpoint, "model_type");
        if (type.isPresent() && !type.get().equals(MODEL_TYPE)) {
            throw new CheckpointException(ConfigValues.configPath(checkpoint), "model_type '" + type.get()
                    + "' is not GR00T-N1.5 ('" + MODEL_TYPE + "'); Plateau reads N1.5 checkpoints only");
        }
        List<ModuleSpec> modules = new ArrayList<>();
        if (LayerScan.present(checkpoint, VISION)) {
            modules.add(LayerScan.module(checkpoint, "vision", VISION, "layer_norm1.weight", List.of()));
        }
        ModuleSpec vlm = LayerScan.module(checkpoint, "vlm", VLM, "input_layernorm.weight", List.of(SELECT_LAYER));
        ModuleSpec vlsa = LayerScan.module(checkpoint, "vl_self_attention", VL_SELF_ATTENTION, "norm1.weight",
                List.of(VLSA_LAYERS));
        ModuleSpec dit = LayerScan.module(checkpoint, "dit", DIT, "attn1.to_q.weight", List.of(DIT_LAYERS));
        modules.add(vlm);
        modules.add(vlsa);
        modules.add(dit);
        ConfigValues.checkDepth(checkpoint, SELECT_LAYER, ConfigValues.requiredInteger(checkpoint, SELECT_LAYER), vlm);
        ConfigValues.checkDepth(checkpoint, VLSA_LAYERS, ConfigValues.requiredInteger(checkpoint, VLSA_LAYERS), vlsa);
        ConfigValues.checkDepth(checkpoint, DIT_LAYERS, ConfigValues.requiredInteger(checkpoint, DIT_LAYERS), dit);

        boolean interleaved = ConfigValues.at(checkpoint, "action_head_cfg.diffusion_model_cfg.interleave_self_attention")
                .map(n -> n.asBoolean(true)).orElse(true);
        return ModelDetector.spec(checkpoint, Family.GR00T_N1_5, "gr00t_n1_5", "isaac-gr00t", modules,
                StandardRules.gr00t(interleaved));
    }

    /**
     * DiT blocks cross-attend to the VL features (cross_attention_dim, else backbone_embedding_dim) when their index is
     * even; the others attend to the action tokens (heads x head width).
     */
    @Override
    public Optional<AttentionRoles> attentionRoles(Checkpoint checkpoint, ModelSpec spec, ModuleSpec module) {
        if (!module.name().equals("dit")) {
            return Optional.empty();
        }
        JsonNode head = checkpoint.config().path("action_head_cfg");
        JsonNode dit = head.path("diffusion_model_cfg");
        int inner = dit.path("num_attention_heads").asInt() * dit.path("attention_head_dim").asInt();
        int cross = dit.path("cross_attention_dim").asInt(head.path("backbone_embedding_dim").asInt(-1));
        return Optional.of(new AttentionRoles(List.of("attn1.to_k.weight", "attn1.to_v.weight"), true,
                inner > 0 ? inner : module.hiddenSize(), cross > 0 ? OptionalInt.of(cross) : OptionalInt.empty()));
    }
}
