package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.TokenBatch;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.Gr00tActionHead;
import dev.plateau.engine.Gr00tBackbone;
import dev.plateau.engine.VlaSample;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * GR00T-N1.5's evaluation preprocessing: each camera frame centre-cropped to 95 %, resized with antialiasing to the
 * tower's size, quantised to 8 bits and normalised; the Eagle chat prompt with each image as image k, img and one
 * image-context token per patch; the state zero-padded to max_state_dim; noise N(0, 1) and t = (0.999 - s) / 0.999
 * with s ~ Beta(1.5, 1) from the seed and the sample's index; embodiment new_embodiment. State and actions min_max
 * to [-1, 1] whatever the config says.
 */
final class Gr00tInputs implements FamilyInputs {
    /** GR00T's embodiment index for new embodiments, which fine-tuning on one's own robot uses. */
    static final int NEW_EMBODIMENT = 31;

    @Override
    public BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                            long seed, OptionalDouble fixedTime, LayerSkips skips) {
        JsonNode head = checkpoint.config().path("action_head_cfg");
        refuseUnsupported(checkpoint, head);
        int maxState = head.path("max_state_dim").asInt(64);
        int horizon = head.path("action_horizon").asInt(16);
        int actionDim = head.path("action_dim").asInt(32);
        Gr00tBackbone backbone = new Gr00tBackbone(checkpoint, spec);
        int size = backbone.imageSize();
        int perImage = backbone.tokensPerImage();
        long[] context = tokenizer.encode("<IMG_CONTEXT>", false, false).getIds();
        if (context.length != 1) {
            throw new CalibrationException(checkpoint.folder() + ": the tokenizer has no <IMG_CONTEXT> token; GR00T "
                    + "needs Eagle's tokenizer.json (Isaac-GR00T's eagle2_hg_model) in the checkpoint folder");
        }
        int contextId = Math.toIntExact(context[0]);
        skips.requireNone("vision");
        Gr00tActionHead actionHead = new Gr00tActionHead(checkpoint, spec.module("vl_self_attention").orElseThrow()
                .layerCount(), spec.module("dit").orElseThrow().layerCount());
        int future = Math.toIntExact(checkpoint.tensor("action_head.future_tokens.weight").orElseThrow().info().shape()
                .get(0));
        return (batch, first, sink, manager, cancelled, progress) -> {
            List<VlaSample> samples = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                CalibrationSample s = batch.get(i);
                FlowInputs.checkSample(s, data, spec, maxState);
                StringBuilder prompt = new StringBuilder("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\n");
                List<float[][][]> frames = new ArrayList<>();
                int k = 1;
                for (CameraImage picture : s.images().values()) {
                    frames.add(Images.gr00tFrame(picture.rgb(), size));
                    prompt.append("<image ").append(k++).append("><img>").append("<IMG_CONTEXT>".repeat(perImage))
                            .append("</img>");
                }
                prompt.append(s.instruction()).append("<|im_end|>\n<|im_start|>assistant\n");
                SplittableRandom random = FlowInputs.sampleRandom(seed, first + i);
                samples.add(FlowInputs.flowSample(s, frames, Tokenizers.ids(tokenizer, prompt.toString(),
                        Integer.MAX_VALUE, data, s), maxState, horizon, actionDim, random,
                        () -> fixedTime.orElse((0.999 - Math.pow(random.nextDouble(), 1 / 1.5)) / 0.999)));
            }
            skips.start();
            List<float[][]> features = backbone.run(samples, contextId, skips.of("vlm"), sink, manager, cancelled,
                    progress);
            List<Gr00tActionHead.Sample> heads = new ArrayList<>();
            for (int b = 0; b < features.size(); b++) {
                VlaSample s = samples.get(b);
                heads.add(new Gr00tActionHead.Sample(features.get(b), s.state(), s.actions(), s.noise(), s.time(),
                        NEW_EMBODIMENT));
            }
            actionHead.run(heads, skips.of("vl_self_attention"), skips.of("dit"), sink, manager, cancelled, progress);
            skips.stop();
            TokenLayout prompts = new TokenLayout(first);
            TokenLayout dit = new TokenLayout(first);
            for (VlaSample sample : samples) {
                TokenLayout.Sample p = prompts.sample();
                for (int id : sample.tokens()) {
                    p.add(id == contextId ? TokenType.IMAGE : TokenType.LANGUAGE, 1);
                }
                TokenLayout.Sample d = dit.sample();
                d.add(TokenType.STATE, 1);
                d.add(TokenType.FUTURE, future);
                d.add(TokenType.ACTION, horizon);
            }
            int count = samples.size();
            return Map.of("vision", rows -> TokenBatch.uniform(TokenType.IMAGE, first, count, rows),
                    "vlm", prompts.described(), "vl_self_attention", prompts.described(), "dit", dit.described());
        };
    }

    /**
     * Action-head settings whose forward Plateau does not implement, refused rather than computed differently:
     * positional embeddings added inside the attention blocks (Isaac-GR00T's default when the key is absent; the
     * release sets null), the action head without vlln and VL self-attention, and action tokens without positions.
     */
    private static void refuseUnsupported(Checkpoint checkpoint, JsonNode head) {
        String where = checkpoint.folder().resolve(Checkpoint.CONFIG) + ": action_head_cfg.";
        for (String block : List.of("diffusion_model_cfg", "vl_self_attention_cfg")) {
            JsonNode positional = head.path(block).path("positional_embeddings");
            if (!positional.isNull()) {
                throw new CalibrationException(where + block + ".positional_embeddings is "
                        + (positional.isMissingNode() ? "absent (Isaac-GR00T then adds sinusoidal ones)"
                        : positional.toString()) + "; Plateau's GR00T forward runs the release's null");
            }
        }
        for (String flag : List.of("use_vlln", "add_pos_embed")) {
            if (!head.path(flag).asBoolean(true)) {
                throw new CalibrationException(where + flag + " = false is not supported; Plateau's GR00T forward "
                        + "runs the release's true");
            }
        }
    }

    @Override
    public List<TokenType> tokenTypes(String module) {
        return switch (module) {
            case "vision" -> List.of(TokenType.IMAGE);
            case "vlm", "vl_self_attention" -> List.of(TokenType.IMAGE, TokenType.LANGUAGE);
            case "dit" -> List.of(TokenType.STATE, TokenType.FUTURE, TokenType.ACTION);
            default -> throw new IllegalArgumentException("GR00T-N1.5 has no module " + module);
        };
    }

    /**
     * Image-context tokens per camera (one per patch: N1.5's Eagle has no pixel shuffle) with eight tokens of image
     * markup, a generous 64-token instruction; the state, the future tokens and the action horizon.
     */
    @Override
    public Map<String, Long> tokensPerSample(Checkpoint checkpoint, ModelSpec spec, int cameras) {
        long context = checkpoint.tensor("action_head.future_tokens.weight").map(t -> t.info().shape().get(0))
                .orElse(32L);
        long perImage = FlowInputs.patchesPerImage(checkpoint, spec);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("vision", cameras * perImage);
        out.put("vlm", cameras * (perImage + 8) + 64);
        out.put("vl_self_attention", cameras * (perImage + 8) + 64);
        out.put("dit", 1 + context + checkpoint.config().path("action_head_cfg").path("action_horizon").asLong(16));
        return out;
    }

    @Override
    public UnaryOperator<double[]> normaliser(FeatureStats stats, String mode) {
        return stats::minMax;
    }

    @Override
    public Optional<String> normalisation() {
        return Optional.of("state and actions min_max to [-1, 1] with the dataset's statistics");
    }

    @Override
    public Optional<String> timestepSampling() {
        return Optional.of("t = (0.999 - s) / 0.999, s ~ Beta(1.5, 1), noise N(0, 1), seeded; embodiment "
                + "new_embodiment (31)");
    }
}
