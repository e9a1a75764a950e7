package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.Pi05Forward;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * pi0.5's preprocessing (LeRobot's processor_pi05, openpi's tokenizer): {@link LeRobotVla}'s images as pi0's
 * (centred padding to image_resolution), the state normalised by quantiles (the config's normalization_mapping) and
 * written into the prompt, discretised into 256 bins of [-1, 1): {@code "Task: <instruction>, State: <bins>;\nAction: "}
 * with the instruction stripped and its underscores and newlines made spaces, at most tokenizer_max_length (200)
 * tokens. The suffix is the 50 noisy action tokens only; the time conditions the expert's norms.
 */
final class Pi05Inputs implements FamilyInputs {

    @Override
    public BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                            long seed, OptionalDouble time, LayerSkips skips) {
        Pi05Forward forward = new Pi05Forward(checkpoint, spec);
        LeRobotVla.Preprocessing preprocessing = LeRobotVla.paliGemma(checkpoint, forward.imageTokens(),
                LeRobotVla.State.PROMPT, Pi05Inputs::prompt);
        return LeRobotVla.batches(checkpoint, spec, data, tokenizer, seed, time, skips, preprocessing, forward::run);
    }

    /** The prompt with the sample's (normalised) state in it. */
    static String prompt(CalibrationSample s) {
        String cleaned = s.instruction().strip().replace("_", " ").replace("\n", " ");
        String state = Arrays.stream(s.state()).mapToObj(x -> Integer.toString(bin(x)))
                .collect(Collectors.joining(" "));
        return "Task: " + cleaned + ", State: " + state + ";\nAction: ";
    }

    /**
     * numpy's {@code digitize(x, linspace(-1, 1, 257)[:-1]) - 1} of the float32 value: the bin of width 1/128 that
     * holds x, -1 below -1, 255 from 1 - 1/128 up.
     */
    static int bin(double x) {
        float v = (float) x;
        if (v < -1) {
            return -1;
        }
        return (int) Math.min(255, Math.floor(((double) v + 1) * 128));
    }

    @Override
    public List<TokenType> tokenTypes(String module) {
        return switch (module) {
            case "vision" -> List.of(TokenType.IMAGE);
            case "vlm" -> List.of(TokenType.IMAGE, TokenType.LANGUAGE);
            case "expert" -> List.of(TokenType.ACTION);
            default -> throw new IllegalArgumentException("pi0.5 has no module " + module);
        };
    }

    /** One token per patch and camera, the prompt at tokenizer_max_length; the action chunk. */
    @Override
    public Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras) {
        JsonNode c = checkpoint.config();
        long patches = FlowInputs.patchesPerImage(checkpoint, spec);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("vision", cameras * patches);
        out.put("vlm", cameras * patches + c.path("tokenizer_max_length").asLong(200));
        out.put("expert", c.path("chunk_size").asLong(50));
        return out;
    }

    @Override
    public Optional<String> normalisation() {
        return Optional.of("state and actions QUANTILES (q01, q99 of the dataset's frames) to [-1, 1]; the state "
                + "discretised into the prompt");
    }

    @Override
    public Optional<String> timestepSampling() {
        return Optional.of(LeRobotVla.TIME_DRAW);
    }
}
