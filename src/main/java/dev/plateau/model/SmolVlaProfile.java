package dev.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** LeRobot's SmolVLA policy ({@code lerobot/smolvla_base} and its fine-tunes). */
final class SmolVlaProfile implements FamilyProfile {
    static final String ROOT = "model.vlm_with_expert.";
    static final String VISION = ROOT + "vlm.model.vision_model.encoder.layers.";
    static final String VLM = ROOT + "vlm.model.text_model.layers.";
    static final String EXPERT = ROOT + "lm_expert.layers.";
    static final SmolVlaProfile INSTANCE = new SmolVlaProfile();

    private SmolVlaProfile() {
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "type").map("smolvla"::equals)
                .orElseGet(() -> checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith(ROOT)));
    }

    @Override
    public ModelSpec describe(Checkpoint checkpoint) {
        List<ModuleSpec> modules = new ArrayList<>();
        if (LayerScan.present(checkpoint, VISION)) {
            modules.add(LayerScan.module(checkpoint, "vision", VISION, "layer_norm1.weight", List.of()));
        }
        ModuleSpec vlm = LayerScan.module(checkpoint, "vlm", VLM, "input_layernorm.weight",
                List.of("num_vlm_layers"));
        ModuleSpec expert = LayerScan.module(checkpoint, "expert", EXPERT, "input_layernorm.weight",
                List.of("num_expert_layers"));
        modules.add(vlm);
        modules.add(expert);

        ConfigValues.checkDepth(checkpoint, "num_vlm_layers",
                ConfigValues.requiredInteger(checkpoint, "num_vlm_layers"), vlm);
        int expertLayers = ConfigValues.integer(checkpoint, "num_expert_layers").orElse(-1);
        int every = ConfigValues.integer(checkpoint, "self_attn_every_n_layers").orElse(2);
        if (expertLayers <= 0) {
            ConfigValues.checkDepth(checkpoint, "num_expert_layers (<= 0: the VLM's depth)", vlm.layerCount(),
                    expert);
        } else {
            ConfigValues.checkDepth(checkpoint, "num_expert_layers", expertLayers, expert);
        }
        List<LayerRule> rules = StandardRules.smolVla(every, expertLayers <= 0);
        return ModelDetector.spec(checkpoint, Family.SMOLVLA, "smolvla", "lerobot", modules, rules);
    }

    @Override
    public boolean jointLayers() {
        return true;
    }

    @Override
    public boolean followsAnotherDepth(String key, JsonNode value) {
        return key.equals("num_expert_layers") && (value == null || value.asInt() <= 0);
    }

    /** Expert layers cross-attend to the VLM's keys and values (the VLM's kv width) unless index % n == 0. */
    @Override
    public Optional<AttentionRoles> attentionRoles(Checkpoint checkpoint, ModelSpec spec, ModuleSpec module) {
        if (!module.name().equals("expert")) {
            return Optional.empty();
        }
        ModuleSpec vlm = spec.module("vlm").orElseThrow();
        OptionalInt cross = checkpoint.tensor(vlm.layerPrefix() + "0.self_attn.k_proj.weight")
                .map(k -> OptionalInt.of(Math.toIntExact(k.info().shape().getFirst()))).orElse(OptionalInt.empty());
        return Optional.of(new AttentionRoles(List.of("self_attn.k_proj.weight", "self_attn.v_proj.weight"), false,
                module.hiddenSize(), cross));
    }
}
