package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.SmolVlaForward;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * SmolVLA's preprocessing (LeRobot): {@link LeRobotVla}'s, with images resized with padding to
 * resize_imgs_with_padding (padding left and top), 64 tokens per image after the pixel shuffle, and the state as the
 * last token of the VLM's prefix.
 */
final class SmolVlaInputs implements FamilyInputs {

    @Override
    public BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                            long seed, OptionalDouble time, LayerSkips skips) {
        refuseUnsupported(checkpoint);
        JsonNode size = checkpoint.config().path("resize_imgs_with_padding");
        int width = size.path(0).asInt(512);
        int height = size.path(1).asInt(512);
        SmolVlaForward forward = new SmolVlaForward(checkpoint,
                spec.module("vision").map(ModuleSpec::layerCount).orElse(0),
                spec.module("vlm").orElseThrow().layerCount());
        String tower = FlowInputs.tower(spec.module("vision").orElseThrow(() -> new CalibrationException(
                checkpoint.folder() + ": SmolVLA's vision tower is not stored")));
        int patch = Math.toIntExact(checkpoint.tensor(tower + "embeddings.patch_embedding.weight").orElseThrow()
                .info().shape().get(2));
        LeRobotVla.Preprocessing preprocessing = new LeRobotVla.Preprocessing(width, height,
                (rgb, w, h) -> Images.resizeWithPad(rgb, w, h, 0f), forward.imageTokens(width, patch),
                LeRobotVla.State.PREFIX_TOKEN, LeRobotVla::instruction);
        return LeRobotVla.batches(checkpoint, spec, data, tokenizer, seed, time, skips, preprocessing, forward::run);
    }

    /**
     * Settings whose forward Plateau does not implement, refused rather than computed differently: image special
     * tokens around each image (LeRobot's add_image_special_tokens), joint attention in every layer (an
     * attention_mode without "cross"), and every layer cross-attending (self_attn_every_n_layers at 0 or below).
     */
    private static void refuseUnsupported(Checkpoint checkpoint) {
        JsonNode c = checkpoint.config();
        String where = checkpoint.folder().resolve(Checkpoint.CONFIG) + ": ";
        if (c.path("add_image_special_tokens").asBoolean(false)) {
            throw new CalibrationException(where + "add_image_special_tokens = true wraps each image in special "
                    + "tokens; Plateau's SmolVLA forward runs the default (false) only");
        }
        if (!c.path("attention_mode").asText("cross_attn").contains("cross")) {
            throw new CalibrationException(where + "attention_mode '" + c.path("attention_mode").asText()
                    + "' is not supported; Plateau's SmolVLA forward runs cross_attn");
        }
        if (c.path("self_attn_every_n_layers").asInt(2) <= 0) {
            throw new CalibrationException(where + "self_attn_every_n_layers must be at least 1 for Plateau's SmolVLA "
                    + "forward, not " + c.path("self_attn_every_n_layers").asInt());
        }
    }

    @Override
    public List<TokenType> tokenTypes(String module) {
        return switch (module) {
            case "vision" -> List.of(TokenType.IMAGE);
            case "vlm" -> List.of(TokenType.IMAGE, TokenType.LANGUAGE, TokenType.STATE);
            case "expert" -> List.of(TokenType.ACTION);
            default -> throw new IllegalArgumentException("SmolVLA has no module " + module);
        };
    }

    /** Image tokens per camera after the 4x4 pixel shuffle, the instruction, the state; the action chunk. */
    @Override
    public Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras) {
        JsonNode c = checkpoint.config();
        long patches = FlowInputs.patchesPerImage(checkpoint, spec);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("vision", cameras * patches);
        out.put("vlm", cameras * (patches / 16) + c.path("tokenizer_max_length").asLong(48) + 1);
        out.put("expert", c.path("chunk_size").asLong(50));
        return out;
    }

    @Override
    public Optional<String> timestepSampling() {
        return Optional.of(LeRobotVla.TIME_DRAW);
    }
}
