package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.util.List;
import java.util.Set;

/** Hugging Face decoder-only language models with {@code model.layers.<i>} stacks: Llama, Qwen2, Qwen3, Gemma, Mistral. */
final class DecoderLlmProfile implements FamilyProfile {
    static final Set<String> MODEL_TYPES = Set.of("llama", "qwen2", "qwen3", "gemma", "mistral");
    static final String LAYERS = "model.layers.";
    static final DecoderLlmProfile INSTANCE = new DecoderLlmProfile();

    private DecoderLlmProfile() {
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "model_type").map(MODEL_TYPES::contains).orElse(false);
    }

    @Override
    public ModelSpec describe(Checkpoint checkpoint) {
        String type = ConfigValues.text(checkpoint, "model_type").orElseThrow();
        try {
            RopeScaling.of(checkpoint.config());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ConfigValues.configPath(checkpoint), e.getMessage());
        }
        ModuleSpec decoder = LayerScan.module(checkpoint, "decoder", LAYERS, "input_layernorm.weight",
                List.of("num_hidden_layers"));
        ConfigValues.checkDepth(checkpoint, "num_hidden_layers",
                ConfigValues.requiredInteger(checkpoint, "num_hidden_layers"), decoder);
        return ModelDetector.spec(checkpoint, Family.DECODER_LLM, type, "transformers", List.of(decoder), List.of());
    }

    @Override
    public boolean cutsPerLayerLists() {
        return true;
    }
}
