package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.Pi0Forward;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * pi0's preprocessing (LeRobot): {@link LeRobotVla}'s, with images resized with centred padding to image_resolution
 * (values clamped), one token per SigLIP patch, and the state as the first token of the expert's suffix.
 */
final class Pi0Inputs implements FamilyInputs {

    @Override
    public BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                            long seed, OptionalDouble time, LayerSkips skips) {
        Pi0Forward forward = new Pi0Forward(checkpoint, spec);
        LeRobotVla.Preprocessing preprocessing = LeRobotVla.paliGemma(checkpoint, forward.imageTokens(),
                LeRobotVla.State.SUFFIX_TOKEN, LeRobotVla::instruction);
        return LeRobotVla.batches(checkpoint, spec, data, tokenizer, seed, time, skips, preprocessing, forward::run);
    }

    @Override
    public List<TokenType> tokenTypes(String module) {
        return switch (module) {
            case "vision" -> List.of(TokenType.IMAGE);
            case "vlm" -> List.of(TokenType.IMAGE, TokenType.LANGUAGE);
            case "expert" -> List.of(TokenType.STATE, TokenType.ACTION);
            default -> throw new IllegalArgumentException("pi0 has no module " + module);
        };
    }

    /** One token per patch and camera, the instruction; the state and the action chunk. */
    @Override
    public Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras) {
        JsonNode c = checkpoint.config();
        long patches = FlowInputs.patchesPerImage(checkpoint, spec);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("vision", cameras * patches);
        out.put("vlm", cameras * patches + c.path("tokenizer_max_length").asLong(48));
        out.put("expert", 1 + c.path("chunk_size").asLong(50));
        return out;
    }

    @Override
    public Optional<String> timestepSampling() {
        return Optional.of(LeRobotVla.TIME_DRAW);
    }
}
