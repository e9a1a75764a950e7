package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.TokenBatch;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.LayerSink;
import dev.plateau.engine.VlaSample;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The preprocessing LeRobot's SmolVLA, pi0 and pi0.5 share: images fitted to the model's size and mapped to [-1, 1];
 * the family's prompt, tokenized, at most tokenizer_max_length tokens; the state zero-padded to max_state_dim; noise
 * N(0, 1) and t = 0.999 Beta(1.5, 1) + 0.001 drawn per sample from the seed and the sample's index in the draw;
 * actions from the data (zero-padded) or zero. VLM and expert layers run jointly, so a pruned run skips the same
 * layers of both.
 */
final class LeRobotVla {
    /** How the time and noise are drawn, for a run's metadata. */
    static final String TIME_DRAW = "t = 0.999 Beta(1.5, 1) + 0.001 per sample, noise N(0, 1), seeded";

    private LeRobotVla() {
    }

    /** How the family fits a camera image (RGB in [0, 1]) to the model's width and height. */
    @FunctionalInterface
    interface Fit {
        float[][][] apply(float[][][] rgb, int width, int height);
    }

    /** The family's joint forward pass. */
    @FunctionalInterface
    interface Forward {
        void run(List<VlaSample> samples, Set<Integer> skip, LayerSink sink, NDManager manager,
                 BooleanSupplier cancelled, DecoderStack.Progress progress);
    }

    /** Where the state goes: a token at the end of the VLM's prefix, at the start of the expert's suffix, or text. */
    enum State { PREFIX_TOKEN, SUFFIX_TOKEN, PROMPT }

    /**
     * @param width    the model's image width
     * @param height   the model's image height
     * @param fit      how an image is brought to that size
     * @param perImage tokens each image gives the VLM
     * @param state    where the state goes
     * @param prompt   the text the sample's instruction (and, for pi0.5, its normalised state) becomes
     */
    record Preprocessing(int width, int height, Fit fit, int perImage, State state,
                         Function<CalibrationSample, String> prompt) {
    }

    /** pi0's and pi0.5's images: resized with centred padding to image_resolution ([height, width], 224 each). */
    static Preprocessing paliGemma(Checkpoint checkpoint, int perImage, State state,
                                   Function<CalibrationSample, String> prompt) {
        JsonNode size = checkpoint.config().path("image_resolution");
        return new Preprocessing(size.path(1).asInt(224), size.path(0).asInt(224),
                (rgb, w, h) -> Images.resizeWithCentredPad(rgb, w, h, 0f), perImage, state, prompt);
    }

    /** SmolVLA's and pi0's prompt: the instruction with a newline appended. */
    static String instruction(CalibrationSample s) {
        return s.instruction().endsWith("\n") ? s.instruction() : s.instruction() + "\n";
    }

    static FamilyInputs.BatchRun batches(Checkpoint checkpoint, ModelSpec spec, Path data,
                                         HuggingFaceTokenizer tokenizer, long seed, OptionalDouble fixedTime,
                                         LayerSkips skips, Preprocessing preprocessing, Forward forward) {
        JsonNode c = checkpoint.config();
        int maxTokens = c.path("tokenizer_max_length").asInt(48);
        int chunk = c.path("chunk_size").asInt(50);
        int maxState = c.path("max_state_dim").asInt(32);
        int maxAction = c.path("max_action_dim").asInt(32);
        Set<Integer> joint = skips.joint();
        skips.requireNone("vision");
        return (batch, first, sink, manager, cancelled, progress) -> {
            List<VlaSample> samples = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                CalibrationSample s = batch.get(i);
                FlowInputs.checkSample(s, data, spec, maxState);
                List<float[][][]> images = new ArrayList<>();
                for (CameraImage picture : s.images().values()) {
                    images.add(symmetric(preprocessing.fit().apply(picture.rgb(), preprocessing.width(),
                            preprocessing.height())));
                }
                SplittableRandom random = FlowInputs.sampleRandom(seed, first + i);
                samples.add(FlowInputs.flowSample(s, images, Tokenizers.ids(tokenizer,
                        preprocessing.prompt().apply(s), maxTokens, data, s), maxState, chunk, maxAction, random,
                        () -> fixedTime.orElse(FlowInputs.lerobotTime(random))));
            }
            skips.start();
            forward.run(samples, joint, sink, manager, cancelled, progress);
            skips.stop();
            TokenLayout prefix = new TokenLayout(first);
            TokenLayout suffix = new TokenLayout(first);
            for (VlaSample s : samples) {
                TokenLayout.Sample p = prefix.sample();
                p.add(TokenType.IMAGE, s.images().size() * preprocessing.perImage());
                p.add(TokenType.LANGUAGE, s.tokens().length);
                TokenLayout.Sample a = suffix.sample();
                switch (preprocessing.state()) {
                    case PREFIX_TOKEN -> p.add(TokenType.STATE, 1);
                    case SUFFIX_TOKEN -> a.add(TokenType.STATE, 1);
                    case PROMPT -> { }
                }
                a.add(TokenType.ACTION, s.noise().length);
            }
            int count = samples.size();
            return Map.of("vision", rows -> TokenBatch.uniform(TokenType.IMAGE, first, count, rows),
                    "vlm", prefix.described(), "expert", suffix.described());
        };
    }

    /** [0, 1] to [-1, 1], in place. */
    private static float[][][] symmetric(float[][][] image) {
        for (float[][] channel : image) {
            for (float[] row : channel) {
                for (int x = 0; x < row.length; x++) {
                    row[x] = row[x] * 2 - 1;
                }
            }
        }
        return image;
    }
}
