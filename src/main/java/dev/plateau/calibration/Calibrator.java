package dev.plateau.calibration;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderConfig;
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.Devices;
import dev.plateau.engine.Gr00tActionHead;
import dev.plateau.engine.Gr00tBackbone;
import dev.plateau.engine.Pi0Forward;
import dev.plateau.engine.SmolVlaForward;
import dev.plateau.engine.VlaSample;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;

/**
 * One calibration run: draws the samples, prepares them as the family's preprocessor does, runs the forward pass
 * layer by layer and writes every layer's hidden states (non-padding tokens) with their token types to an
 * activation file, atomically.
 */
public final class Calibrator {
    /** Token type codes in activation files. */
    public static final byte IMAGE = 0;
    public static final byte LANGUAGE = 1;
    public static final byte STATE = 2;
    public static final byte ACTION = 3;
    /** GR00T's learned future tokens. */
    public static final byte FUTURE = 4;
    /** GR00T's embodiment index for new embodiments, which fine-tuning on one's own robot uses. */
    static final int NEW_EMBODIMENT = 31;

    private Calibrator() {
    }

    /**
     * What the run recorded.
     *
     * @param forwardNanos wall time of the forward pass alone (no preprocessing, no file writing)
     */
    public record Result(Path activations, int samples, long tokens, int layers, String device, long forwardNanos) {
    }

    /**
     * @param time the flow-matching time of every sample (VLAs), or empty to draw it per sample as in training
     * @param skip per module, the layers to skip (a pruned model run without exporting it); the file then holds the
     *             kept layers only, numbered as in the pruned model
     */
    public static Result calibrate(Checkpoint checkpoint, ModelSpec spec, Path data, int samples, long seed,
                                   OptionalDouble time, String device, Map<String, Set<Integer>> skip, Path out,
                                   BooleanSupplier cancelled, DecoderStack.Progress progress) throws IOException {
        return calibrate(checkpoint, spec, data, DatasetInputs.DEFAULT, samples, seed, time, device, skip, out,
                cancelled, progress);
    }

    /**
     * @param inputs which dataset features feed the model (LeRobot datasets; a manifest names its own)
     */
    public static Result calibrate(Checkpoint checkpoint, ModelSpec spec, Path data, DatasetInputs inputs,
                                   int samples, long seed, OptionalDouble time, String device,
                                   Map<String, Set<Integer>> skip, Path out, BooleanSupplier cancelled,
                                   DecoderStack.Progress progress) throws IOException {
        if (time.isPresent() && !(time.getAsDouble() >= 0 && time.getAsDouble() <= 1)) {
            throw new CalibrationException("--time must be between 0 and 1, not " + time.getAsDouble());
        }
        if (samples < 1) {
            throw new CalibrationException("--samples must be at least 1");
        }
        CalibrationData source = CalibrationData.open(data, inputs, modelCameras(checkpoint.config()));
        List<CalibrationSample> drawn = normalised(source, spec.family(), checkpoint.config(),
                source.draw(samples, seed));
        Device chosen = Devices.of(device);
        Map<String, Integer> widths = new LinkedHashMap<>();
        spec.modules().forEach(m -> widths.put(m.name(), m.hiddenSize()));
        StateCollector collector = new StateCollector(widths);
        Map<String, byte[]> types;
        Skips skips = new Skips(spec, skip);
        long forwardNanos;
        try (HuggingFaceTokenizer tokenizer = Tokenizers.open(checkpoint.folder(), checkpoint.config());
             NDManager manager = NDManager.newBaseManager(chosen)) {
            if (spec.family() == Family.GR00T_N1_5) {
                types = gr00t(checkpoint, spec, drawn, data, tokenizer, seed, time, skips, collector, manager,
                        cancelled, progress);
            } else if (spec.family() == Family.SMOLVLA || spec.family() == Family.PI0) {
                types = vla(checkpoint, spec, drawn, data, tokenizer, seed, time, skips, collector, manager,
                        cancelled, progress);
            } else {
                types = decoder(checkpoint, spec, drawn, data, tokenizer, skips, collector, manager, cancelled,
                        progress);
            }
            forwardNanos = skips.forwardNanos();
        } catch (EngineException e) {
            String message = String.valueOf(e.getMessage());
            throw new CalibrationException(message.toLowerCase(Locale.ROOT).contains("out of memory")
                    ? chosen + " ran out of memory; calibrate with fewer --samples or on --device cpu"
                    : "the tensor engine failed on " + chosen + ": " + message.lines().findFirst().orElse(""));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("family", spec.family().code());
        metadata.put("architecture", spec.architecture());
        metadata.put("source", checkpoint.folder().toAbsolutePath().toString());
        metadata.put("data", data.toAbsolutePath().toString());
        metadata.put("samples", Integer.toString(drawn.size()));
        metadata.put("seed", Long.toString(seed));
        metadata.put("data_format", source.summary());
        metadata.put("drawn", String.join("; ", drawn.stream().map(CalibrationSample::where).toList()));
        if (!source.cameras().isEmpty()) {
            metadata.put("cameras", String.join(",", source.cameras()));
        }
        if (source.stateStats().isPresent()) {
            metadata.put("normalisation", spec.family() == Family.GR00T_N1_5
                    ? "state and actions min_max to [-1, 1] with the dataset's statistics"
                    : "state and actions MEAN_STD with the dataset's statistics");
        }
        metadata.put("device", chosen.toString());
        if (spec.family() != Family.DECODER_LLM) {
            metadata.put("timestep_sampling", time.isPresent() ? "t = " + time.getAsDouble() + " for every sample, "
                    + "noise N(0, 1), seeded" : spec.family() == Family.GR00T_N1_5
                    ? "t = (0.999 - s) / 0.999, s ~ Beta(1.5, 1), noise N(0, 1), seeded; embodiment new_embodiment (31)"
                    : "t = 0.999 Beta(1.5, 1) + 0.001 per sample, noise N(0, 1), seeded");
        }
        metadata.put("token_types", "0 image, 1 language, 2 state, 3 action, 4 future");
        skip.forEach((module, layers) -> {
            if (!layers.isEmpty()) {
                metadata.put("skipped." + module, String.join(",", layers.stream().sorted().map(String::valueOf)
                        .toList()));
            }
        });

        ActivationFile.write(out, metadata, collector.modules(types));
        String main = spec.family() == Family.DECODER_LLM ? "decoder" : "vlm";
        return new Result(out, drawn.size(), collector.tokens(main), collector.layers(main), chosen.toString(),
                forwardNanos);
    }

    private static Map<String, byte[]> decoder(Checkpoint checkpoint, ModelSpec spec,
                                               List<CalibrationSample> drawn, Path data,
                                               HuggingFaceTokenizer tokenizer, Skips skips,
                                               StateCollector collector,
                                               NDManager manager, BooleanSupplier cancelled,
                                               DecoderStack.Progress progress) {
        List<int[]> sequences = new ArrayList<>();
        for (CalibrationSample s : drawn) {
            sequences.add(tokens(tokenizer, s.instruction(), Integer.MAX_VALUE, data, s));
        }
        ModuleSpec decoder = spec.module("decoder").orElseThrow();
        skips.start();
        new DecoderStack(checkpoint, DecoderConfig.ofHuggingFace(checkpoint.config()), decoder.name(),
                decoder.layerPrefix(), decoder.layerCount(), "model.embed_tokens.weight")
                .run(sequences, skips.of("decoder"), collector, manager, cancelled, progress);
        skips.stop();
        byte[] types = new byte[collector.tokens("decoder")];
        Arrays.fill(types, LANGUAGE);
        return Map.of("decoder", types);
    }

    /**
     * The VLA preprocessing of LeRobot: images resized with padding to the model's size (SmolVLA:
     * resize_imgs_with_padding, padding left and top; pi0: image_resolution, padding centred, values clamped) and
     * mapped to [-1, 1]; the instruction with a newline appended, tokenized, at most tokenizer_max_length tokens; the
     * state zero-padded to max_state_dim; noise N(0, 1) and t = 0.999 Beta(1.5, 1) + 0.001 drawn per sample from the
     * seed; actions from the data (zero-padded) or zero. State and actions are normalised as the trainer does when
     * the data has statistics (a LeRobot dataset); a manifest's go in as written.
     */
    private static Map<String, byte[]> vla(Checkpoint checkpoint, ModelSpec spec, List<CalibrationSample> drawn,
                                           Path data, HuggingFaceTokenizer tokenizer, long seed,
                                           OptionalDouble fixedTime, Skips skips, StateCollector collector,
                                           NDManager manager,
                                           BooleanSupplier cancelled,
                                           DecoderStack.Progress progress) {
        JsonNode c = checkpoint.config();
        boolean pi0 = spec.family() == Family.PI0;
        JsonNode size = c.path(pi0 ? "image_resolution" : "resize_imgs_with_padding");
        int width = size.path(pi0 ? 1 : 0).asInt(pi0 ? 224 : 512);
        int height = size.path(pi0 ? 0 : 1).asInt(pi0 ? 224 : 512);
        int maxTokens = c.path("tokenizer_max_length").asInt(48);
        int chunk = c.path("chunk_size").asInt(50);
        int maxState = c.path("max_state_dim").asInt(32);
        int maxAction = c.path("max_action_dim").asInt(32);
        SplittableRandom random = new SplittableRandom(seed);
        List<VlaSample> samples = new ArrayList<>();
        for (CalibrationSample s : drawn) {
            checkSample(s, data, spec, maxState);
            List<float[][][]> images = new ArrayList<>();
            for (CameraImage picture : s.images().values()) {
                float[][][] raw = picture.rgb();
                float[][][] image = pi0 ? Images.resizeWithCentredPad(raw, width, height, 0f)
                        : Images.resizeWithPad(raw, width, height, 0f);
                for (float[][] channel : image) {
                    for (float[] row : channel) {
                        for (int x = 0; x < row.length; x++) {
                            row[x] = row[x] * 2 - 1;
                        }
                    }
                }
                images.add(image);
            }
            String instruction = s.instruction().endsWith("\n") ? s.instruction() : s.instruction() + "\n";
            samples.add(flowSample(s, images, tokens(tokenizer, instruction, maxTokens, data, s), maxState,
                    chunk, maxAction, random,
                    () -> fixedTime.orElse(0.999 * Math.pow(random.nextDouble(), 1 / 1.5) + 0.001)));
        }
        int perImage;
        Set<Integer> joint = skips.joint();
        skips.requireNone("vision");
        skips.start();
        if (pi0) {
            Pi0Forward forward = new Pi0Forward(checkpoint, spec);
            forward.run(samples, joint, collector, manager, cancelled, progress);
            perImage = forward.imageTokens();
        } else {
            int vision = spec.module("vision").map(ModuleSpec::layerCount).orElse(0);
            SmolVlaForward forward = new SmolVlaForward(checkpoint, vision, spec.module("vlm").orElseThrow()
                    .layerCount());
            forward.run(samples, joint, collector, manager, cancelled, progress);
            int patch = Math.toIntExact(checkpoint.tensor("model.vlm_with_expert.vlm.model.vision_model.embeddings"
                    + ".patch_embedding.weight").orElseThrow().info().shape().get(2));
            perImage = forward.imageTokens(width, patch);
        }
        skips.stop();
        ByteList prefix = new ByteList();
        ByteList suffix = new ByteList();
        for (VlaSample s : samples) {
            prefix.add(IMAGE, s.images().size() * perImage);
            prefix.add(LANGUAGE, s.tokens().length);
            if (pi0) {
                suffix.add(STATE, 1);
            } else {
                prefix.add(STATE, 1);
            }
            suffix.add(ACTION, s.noise().length);
        }
        return Map.of("vision", new byte[collector.tokens("vision")], "vlm", prefix.toArray(), "expert",
                suffix.toArray());
    }

    /**
     * GR00T-N1.5's evaluation preprocessing: each camera frame centre-cropped to 95 %, resized with antialiasing to the
     * tower's size, quantised to 8 bits and normalised; the Eagle chat prompt with each image as image k, img and
     * one image-context token per patch; the state zero-padded to max_state_dim; noise N(0, 1) and
     * t = (0.999 - s) / 0.999 with s ~ Beta(1.5, 1) from the seed; embodiment new_embodiment.
     */
    private static Map<String, byte[]> gr00t(Checkpoint checkpoint, ModelSpec spec, List<CalibrationSample> drawn,
                                             Path data, HuggingFaceTokenizer tokenizer, long seed,
                                             OptionalDouble fixedTime, Skips skips, StateCollector collector,
                                             NDManager manager,
                                           BooleanSupplier cancelled,
                                             DecoderStack.Progress progress) {
        JsonNode head = checkpoint.config().path("action_head_cfg");
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
        SplittableRandom random = new SplittableRandom(seed);
        List<VlaSample> samples = new ArrayList<>();
        for (CalibrationSample s : drawn) {
            checkSample(s, data, spec, maxState);
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
            samples.add(flowSample(s, frames, tokens(tokenizer, prompt.toString(), Integer.MAX_VALUE, data, s), maxState, horizon, actionDim, random,
                    () -> fixedTime.orElse((0.999 - Math.pow(random.nextDouble(), 1 / 1.5)) / 0.999)));
        }
        int contextId = Math.toIntExact(context[0]);
        skips.requireNone("vision");
        skips.start();
        List<float[][]> features = backbone.run(samples, contextId, skips.of("vlm"), collector, manager, cancelled,
                progress);
        List<Gr00tActionHead.Sample> heads = new ArrayList<>();
        for (int b = 0; b < features.size(); b++) {
            VlaSample s = samples.get(b);
            heads.add(new Gr00tActionHead.Sample(features.get(b), s.state(), s.actions(), s.noise(), s.time(),
                    NEW_EMBODIMENT));
        }
        new Gr00tActionHead(checkpoint, spec.module("vl_self_attention").orElseThrow().layerCount(),
                spec.module("dit").orElseThrow().layerCount()).run(heads, skips.of("vl_self_attention"), skips.of("dit"),
                collector, manager, cancelled, progress);
        skips.stop();
        ByteList prompt = new ByteList();
        for (VlaSample sample : samples) {
            for (int id : sample.tokens()) {
                prompt.add(id == contextId ? IMAGE : LANGUAGE, 1);
            }
        }
        int future = Math.toIntExact(checkpoint.tensor("action_head.future_tokens.weight").orElseThrow().info().shape()
                .get(0));
        ByteList dit = new ByteList();
        for (int b = 0; b < features.size(); b++) {
            dit.add(STATE, 1);
            dit.add(FUTURE, future);
            dit.add(ACTION, horizon);
        }
        return Map.of("vision", new byte[collector.tokens("vision")], "vlm", prompt.toArray(), "vl_self_attention",
                prompt.toArray(), "dit", dit.toArray());
    }

    /** A VLA sample needs a camera image and a state that fits max_state_dim. */
    private static void checkSample(CalibrationSample s, Path data, ModelSpec spec, int maxState) {
        String where = data + ": " + s.where() + ": ";
        if (s.images().isEmpty()) {
            throw new CalibrationException(where + spec.family().displayName() + " needs at least one camera image");
        }
        if (s.state().length > maxState) {
            throw new CalibrationException(where + "state has " + s.state().length + " values, more than "
                    + "max_state_dim = " + maxState);
        }
    }

    /**
     * The flow-matching inputs of a sample: state zero-padded to {@code stateDim}, actions zero-padded to [rows][cols],
     * noise N(0, 1) of that shape drawn from {@code random}, then the time from {@code time}.
     */
    private static VlaSample flowSample(CalibrationSample s, List<float[][][]> images, int[] tokens, int stateDim,
                                        int rows, int cols, SplittableRandom random, DoubleSupplier time) {
        float[] state = new float[stateDim];
        for (int i = 0; i < s.state().length; i++) {
            state[i] = (float) s.state()[i];
        }
        float[][] actions = new float[rows][cols];
        for (int i = 0; i < Math.min(rows, s.actions().length); i++) {
            for (int j = 0; j < Math.min(cols, s.actions()[i].length); j++) {
                actions[i][j] = (float) s.actions()[i][j];
            }
        }
        float[][] noise = new float[rows][cols];
        for (float[] row : noise) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) gaussian(random);
            }
        }
        return new VlaSample(images, tokens, state, actions, noise, (float) time.getAsDouble());
    }

    private static int[] tokens(HuggingFaceTokenizer tokenizer, String text, int max, Path data,
                                CalibrationSample s) {
        long[] ids = tokenizer.encode(text).getIds();
        if (ids.length == 0) {
            throw new CalibrationException(data + ": " + s.where() + ": the instruction has no tokens");
        }
        int[] out = new int[Math.min(max, ids.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * The camera names a LeRobot policy's config.json declares (input_features of type VISUAL), in its order; empty
     * for other checkpoints.
     */
    public static List<String> modelCameras(JsonNode config) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : config.path("input_features").properties()) {
            if ("VISUAL".equals(e.getValue().path("type").asText())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * State and actions as the trainer normalises them with the dataset's statistics: LeRobot's normalization_mapping
     * (MEAN_STD by default for SmolVLA and pi0; IDENTITY leaves them), GR00T's min_max. Data without statistics (a
     * manifest) goes in as written.
     */
    private static List<CalibrationSample> normalised(CalibrationData source, Family family, JsonNode config,
                                                      List<CalibrationSample> drawn) {
        if (family == Family.DECODER_LLM) {
            return drawn;
        }
        UnaryOperator<double[]> state = normaliser(source.stateStats(), family, config.path("normalization_mapping")
                .path("STATE").asText("MEAN_STD"));
        UnaryOperator<double[]> action = normaliser(source.actionStats(), family, config
                .path("normalization_mapping").path("ACTION").asText("MEAN_STD"));
        List<CalibrationSample> out = new ArrayList<>();
        for (CalibrationSample s : drawn) {
            double[][] actions = new double[s.actions().length][];
            for (int i = 0; i < actions.length; i++) {
                actions[i] = action.apply(s.actions()[i]);
            }
            out.add(new CalibrationSample(s.where(), s.instruction(), s.images(), state.apply(s.state()), actions));
        }
        return out;
    }

    private static UnaryOperator<double[]> normaliser(Optional<FeatureStats> stats, Family family, String mode) {
        if (stats.isEmpty()) {
            return UnaryOperator.identity();
        }
        FeatureStats st = stats.get();
        if (family == Family.GR00T_N1_5) {
            return st::minMax;
        }
        return switch (mode) {
            case "MEAN_STD" -> st::meanStd;
            case "MIN_MAX" -> st::minMax;
            default -> UnaryOperator.identity();
        };
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** The layers a run skips per module, and the wall time of its forward pass. */
    private static final class Skips {
        private final ModelSpec spec;
        private final Map<String, Set<Integer>> skip;
        private long started;
        private long elapsed;

        Skips(ModelSpec spec, Map<String, Set<Integer>> skip) {
            this.spec = spec;
            this.skip = skip;
            for (String module : skip.keySet()) {
                if (spec.module(module).isEmpty()) {
                    throw new CalibrationException("cannot skip layers of '" + module + "': the model has "
                            + String.join(", ", spec.depths().keySet()));
                }
            }
        }

        Set<Integer> of(String module) {
            return skip.getOrDefault(module, Set.of());
        }

        /** SmolVLA and pi0 run VLM layer i and expert layer i together: one skip set for both. */
        Set<Integer> joint() {
            if (!of("vlm").equals(of("expert"))) {
                throw new CalibrationException(spec.family().displayName() + " runs VLM and expert layers together, "
                        + "so a pruned run must skip the same layers of both (vlm " + of("vlm") + ", expert "
                        + of("expert") + ")");
            }
            return of("vlm");
        }

        void requireNone(String module) {
            if (!of(module).isEmpty()) {
                throw new CalibrationException("a pruned run of " + spec.family().displayName() + " keeps every "
                        + module + " layer; Plateau does not skip " + module + " layers");
            }
        }

        void start() {
            started = System.nanoTime();
        }

        void stop() {
            elapsed = System.nanoTime() - started;
        }

        long forwardNanos() {
            return elapsed;
        }
    }

    /** A growable byte array. */
    private static final class ByteList {
        private byte[] values = new byte[64];
        private int size;

        void add(byte value, int times) {
            while (size + times > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            Arrays.fill(values, size, size + times, value);
            size += times;
        }

        byte[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
