package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** NVIDIA Isaac-GR00T N1.5: Eagle backbone (SigLIP + Qwen3) and flow-matching action head (VL self-attention, DiT). */
final class Gr00tDetector implements FamilyDetector {
    static final String MODEL_TYPE = "gr00t_n1_5";
    static final String VISION = "backbone.eagle_model.vision_model.vision_model.encoder.layers.";
    static final String VLM = "backbone.eagle_model.language_model.model.layers.";
    static final String VL_SELF_ATTENTION = "action_head.vl_self_attention.transformer_blocks.";
    static final String DIT = "action_head.model.transformer_blocks.";

    static final String SELECT_LAYER = "backbone_cfg.select_layer";
    static final String VLSA_LAYERS = "action_head_cfg.vl_self_attention_cfg.num_layers";
    static final String DIT_LAYERS = "action_head_cfg.diffusion_model_cfg.num_layers";

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
}
