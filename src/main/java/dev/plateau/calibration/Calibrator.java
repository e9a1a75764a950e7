package dev.plateau.calibration;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.analysis.StreamedStatistics;
import dev.plateau.analysis.TokenBatch;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.engine.DecoderConfig;
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.DeviceMemory;
import dev.plateau.engine.Devices;
import dev.plateau.engine.Gr00tActionHead;
import dev.plateau.engine.Gr00tBackbone;
import dev.plateau.engine.LayerSink;
import dev.plateau.engine.NativeHeap;
import dev.plateau.engine.Pi0Forward;
import dev.plateau.engine.SmolVlaForward;
import dev.plateau.engine.VlaSample;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * One calibration run: draws the samples, prepares them as the family's preprocessor does, and runs them through the
 * model in batches, layer by layer. Each layer's hidden states (non-padding tokens) stream into the similarity
 * statistics on the calibration device and are dropped; what is written is the analysis, the token sample and the
 * statistics, and the full states only on request. Memory therefore depends on the batch, not on the sample count.
 * A run can extend an earlier one: its samples continue the seeded draw, and the statistics merge.
 */
public final class Calibrator {
    /** GR00T's embodiment index for new embodiments, which fine-tuning on one's own robot uses. */
    static final int NEW_EMBODIMENT = 31;
    /** Samples per forward batch unless asked otherwise. */
    public static final int BATCH = 4;

    private Calibrator() {
    }

    /**
     * What the run recorded.
     *
     * @param analysis     the analysis of every sample so far (an extended run's included), every metric
     * @param samples      samples in the analysis
     * @param added        samples this run drew and ran
     * @param tokens       tokens per module in the analysis
     * @param deviceNote   why {@code auto} took the CPU, when it did
     * @param forwardNanos wall time of the forward pass alone (no preprocessing, no statistics, no writing)
     * @param statisticsNanos wall time of folding the states into the statistics, the analysis and writing the run
     * @param memory       the memory estimate the run was checked against
     */
    public record Result(Analysis analysis, int samples, int added, Map<String, Long> tokens, String device,
                         Optional<String> deviceNote, long forwardNanos, long statisticsNanos, MemoryEstimate memory) {
    }

    /**
     * Where a run's results go.
     *
     * @param run    the analysis with its token sample and statistics beside it; empty to keep nothing (a timing run)
     * @param states the full activation file, every token of every layer; empty for none
     * @param extend an earlier run whose samples this one continues and whose statistics it merges
     */
    public record Outputs(Optional<RunFiles> run, Optional<Path> states, Optional<RunFiles> extend) {
        public static final Outputs NONE = new Outputs(Optional.empty(), Optional.empty(), Optional.empty());

        public static Outputs run(Path analysis) {
            return new Outputs(Optional.of(RunFiles.of(analysis)), Optional.empty(), Optional.empty());
        }
    }

    /**
     * How the run is carried out.
     *
     * @param batch      samples per forward batch
     * @param statistics how the statistics are kept (sample quota, budget for exact distant pairs)
     * @param memory     bytes the run may use; 0 for the device's memory (the machine's RAM, or the GPU's)
     */
    public record Settings(int batch, StatisticsSettings statistics, long memory) {
        public Settings {
            if (batch < 1) {
                throw new CalibrationException("--batch must be at least 1, not " + batch);
            }
            if (memory < 0) {
                throw new CalibrationException("--memory must be positive");
            }
        }

        public Settings(int batch, StatisticsSettings statistics) {
            this(batch, statistics, 0);
        }
    }

    /**
     * What a run of {@code samples} samples will hold in memory at its peak on {@code device}, and whether it fits.
     * Reads the data's layout (its cameras), not its frames.
     */
    public static MemoryEstimate estimate(Checkpoint checkpoint, ModelSpec spec, Path data, DatasetInputs inputs,
                                          int samples, String device, Settings settings, boolean states) {
        CalibrationData source = CalibrationData.open(data, inputs, modelCameras(checkpoint.config()));
        return estimate(checkpoint, spec, source, samples, Devices.of(device), settings, states);
    }

    private static MemoryEstimate estimate(Checkpoint checkpoint, ModelSpec spec, CalibrationData source, int samples,
                                           Device device, Settings settings, boolean states) {
        int cameras = Math.max(1, source.cameras().size());
        long available = settings.memory() > 0 ? settings.memory() : DeviceMemory.of(device);
        return MemoryEstimate.of(checkpoint, spec, cameras, samples, Math.min(samples, settings.batch()),
                settings.statistics(), states, available, Devices.describe(device));
    }

    /**
     * Runs {@code samples} samples of the data (or, when extending, that many more) and writes {@code outputs}.
     *
     * @param time   the flow-matching time of every sample (VLAs), or empty to draw it per sample as in training
     * @param inputs which dataset features feed the model (LeRobot datasets; a manifest names its own)
     * @param skip   per module, the layers to skip (a pruned model run without exporting it); the results then hold
     *               the kept layers only, numbered as in the pruned model
     */
    public static Result calibrate(Checkpoint checkpoint, ModelSpec spec, Path data, DatasetInputs inputs,
                                   int samples, long seed, OptionalDouble time, String device,
                                   Map<String, Set<Integer>> skip, Settings settings, Outputs outputs,
                                   BooleanSupplier cancelled, Progress progress) throws IOException {
        if (time.isPresent() && !(time.getAsDouble() >= 0 && time.getAsDouble() <= 1)) {
            throw new CalibrationException("--time must be between 0 and 1, not " + time.getAsDouble());
        }
        if (samples < 1) {
            throw new CalibrationException("--samples must be at least 1");
        }
        CalibrationData source = CalibrationData.open(data, inputs, modelCameras(checkpoint.config()));
        Optional<Analysis> earlier = outputs.extend().map(RunFiles::read);
        int previous = earlier.map(a -> Integer.parseInt(a.metadata().getOrDefault("samples", "0"))).orElse(0);
        List<CalibrationSample> all = source.draw(previous + samples, seed);
        if (all.size() <= previous) {
            throw new CalibrationException(data + " has " + all.size() + " samples and the run already holds "
                    + previous + "; there are none left to add");
        }
        List<CalibrationSample> drawn = normalised(source, spec.family(), checkpoint.config(),
                all.subList(previous, all.size()));
        Devices.Selection selection = Devices.choose(device);
        Device chosen = selection.device();
        MemoryEstimate memory = estimate(checkpoint, spec, source, drawn.size(), chosen, settings,
                outputs.states().isPresent());
        if (!memory.fits()) {
            throw new CalibrationException("this run would need " + memory.summary() + "; " + memory.advice(
                    settings.batch()));
        }
        progress.memoryEstimated(memory);
        Map<String, Boolean> exact = outputs.extend().isPresent()
                ? StreamedStatistics.exactDistant(outputs.extend().get().statistics()) : memory.exactDistant();
        Skips skips = new Skips(spec, skip);
        Map<String, StreamedStatistics.ModuleShape> shapes = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (ModuleSpec m : spec.modules()) {
            shapes.put(m.name(), new StreamedStatistics.ModuleShape(m.layerCount() - skips.of(m.name()).size(),
                    m.hiddenSize(), true, exact.getOrDefault(m.name(), false), TokenTypes.of(spec.family(), m.name())));
            widths.put(m.name(), m.hiddenSize());
        }
        Optional<StateCollector> collector = outputs.states().map(p -> new StateCollector(widths));
        long forwardNanos;
        long statisticsNanos = 0;
        Analysis analysis;
        try (HuggingFaceTokenizer tokenizer = Tokenizers.open(checkpoint.folder(), checkpoint.config());
             NDManager manager = NDManager.newBaseManager(chosen);
             StreamedStatistics statistics = new StreamedStatistics(shapes, settings.statistics(), manager)) {
            LayerSink sink = (module, layer, states) -> {
                statistics.accept(module, layer, states);
                collector.ifPresent(c -> c.accept(module, layer, states));
                NativeHeap.trim();
            };
            BatchRun family = switch (spec.family()) {
                case GR00T_N1_5 -> gr00t(checkpoint, spec, data, tokenizer, seed, time, skips);
                case SMOLVLA, PI0 -> vla(checkpoint, spec, data, tokenizer, seed, time, skips);
                case DECODER_LLM -> decoder(checkpoint, spec, data, tokenizer, skips);
            };
            int batches = (drawn.size() + settings.batch() - 1) / settings.batch();
            for (int b = 0; b < batches; b++) {
                List<CalibrationSample> batch = drawn.subList(b * settings.batch(),
                        Math.min(drawn.size(), (b + 1) * settings.batch()));
                progress.batchStarted(b, batches, batch.size());
                Map<String, IntFunction<TokenBatch>> tokens = family.run(batch, previous + (long) b * settings.batch(),
                        sink, manager, cancelled, progress);
                long folding = System.nanoTime();
                statistics.finishBatch(tokens, NativeHeap::trim);
                statisticsNanos += System.nanoTime() - folding;
                collector.ifPresent(c -> c.finishBatch(tokens));
                NativeHeap.release();
            }
            forwardNanos = skips.forwardNanos();
            long finishing = System.nanoTime();
            if (earlier.isPresent()) {
                try (StreamedStatistics before = StreamedStatistics.load(outputs.extend().get().statistics(),
                        outputs.extend().get().sample(), manager)) {
                    statistics.merge(before);
                }
            }
            Map<String, String> metadata = metadata(spec, checkpoint, data, inputs, source, seed, time, chosen, skip,
                    earlier, all, settings);
            analysis = statistics.analysis(outputs.run().map(r -> r.sample().toAbsolutePath().toString()).orElse(""),
                    metadata);
            statisticsNanos += System.nanoTime() - finishing;
            if (collector.isPresent()) {
                ActivationFile.write(outputs.states().orElseThrow(), metadata, collector.get().modules());
            }
            long writing = System.nanoTime();
            if (outputs.run().isPresent()) {
                outputs.run().get().write(analysis, statistics);
            }
            statisticsNanos += System.nanoTime() - writing;
        } catch (EngineException e) {
            String message = String.valueOf(e.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            throw new CalibrationException(lower.contains("out of memory") || lower.contains("can't allocate memory")
                    ? outOfMemory(chosen, memory, settings) : "the tensor engine failed on " + Devices.describe(chosen)
                    + ": " + message.lines().findFirst().orElse(""));
        } catch (OutOfMemoryError e) {
            throw new CalibrationException(outOfMemory(chosen, memory, settings) + " (the Java heap: raise -Xmx)");
        }
        Map<String, Long> tokens = new LinkedHashMap<>();
        analysis.modules().forEach((name, m) -> tokens.put(name, m.tokens()));
        return new Result(analysis, previous + drawn.size(), drawn.size(), tokens, Devices.describe(chosen),
                selection.fallback(), forwardNanos, statisticsNanos, memory);
    }

    private static String outOfMemory(Device device, MemoryEstimate memory, Settings settings) {
        return "calibration ran out of memory on " + Devices.describe(device) + " (estimated " + memory.summary()
                + "); nothing was written; " + memory.advice(settings.batch());
    }

    /** Told as the run goes: its memory estimate, each batch as it starts, each layer as it is done. */
    public interface Progress extends DecoderStack.Progress {
        /** The run's memory estimate, once checked and before anything runs. */
        default void memoryEstimated(MemoryEstimate estimate) {
        }

        default void batchStarted(int batch, int batches, int samples) {
        }

        Progress NONE = (module, layer, depth) -> { };
    }

    /** One batch through a family's forward pass: the rows each module gave, described. */
    @FunctionalInterface
    private interface BatchRun {
        /** @param first the batch's first sample's index in the whole draw */
        Map<String, IntFunction<TokenBatch>> run(List<CalibrationSample> batch, long first, LayerSink sink,
                                                 NDManager manager, BooleanSupplier cancelled,
                                                 DecoderStack.Progress progress);
    }

    private static Map<String, String> metadata(ModelSpec spec, Checkpoint checkpoint, Path data, DatasetInputs inputs,
                                                CalibrationData source, long seed, OptionalDouble time, Device chosen,
                                                Map<String, Set<Integer>> skip, Optional<Analysis> earlier,
                                                List<CalibrationSample> all, Settings settings) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("family", spec.family().code());
        metadata.put("architecture", spec.architecture());
        metadata.put("source", checkpoint.folder().toAbsolutePath().toString());
        metadata.put("data", data.toAbsolutePath().toString());
        metadata.put("samples", Integer.toString(all.size()));
        metadata.put("seed", Long.toString(seed));
        metadata.put("data_format", source.summary());
        metadata.put("drawn", String.join("; ", all.stream().map(CalibrationSample::where).toList()));
        if (!source.cameras().isEmpty()) {
            metadata.put("cameras", String.join(",", source.cameras()));
        }
        metadata.put("inputs.cameras", String.join(",", inputs.cameras()));
        metadata.put("inputs.state", inputs.state());
        metadata.put("inputs.action", inputs.action());
        if (source.stateStats().isPresent()) {
            metadata.put("normalisation", spec.family() == Family.GR00T_N1_5
                    ? "state and actions min_max to [-1, 1] with the dataset's statistics"
                    : "state and actions MEAN_STD with the dataset's statistics");
        }
        metadata.put("device", Devices.describe(chosen));
        metadata.put("time", time.isPresent() ? Double.toString(time.getAsDouble()) : "drawn");
        if (spec.family() != Family.DECODER_LLM) {
            metadata.put("timestep_sampling", time.isPresent() ? "t = " + time.getAsDouble() + " for every sample, "
                    + "noise N(0, 1), seeded" : spec.family() == Family.GR00T_N1_5
                    ? "t = (0.999 - s) / 0.999, s ~ Beta(1.5, 1), noise N(0, 1), seeded; embodiment new_embodiment (31)"
                    : "t = 0.999 Beta(1.5, 1) + 0.001 per sample, noise N(0, 1), seeded");
        }
        metadata.put("token_types", TokenType.legend());
        metadata.put("batch", Integer.toString(settings.batch()));
        earlier.ifPresent(e -> metadata.put("extended_from", e.metadata().getOrDefault("samples", "?") + " samples"));
        skip.forEach((module, layers) -> {
            if (!layers.isEmpty()) {
                metadata.put("skipped." + module, String.join(",", layers.stream().sorted().map(String::valueOf)
                        .toList()));
            }
        });
        return metadata;
    }

    private static BatchRun decoder(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                                    Skips skips) {
        ModuleSpec decoder = spec.module("decoder").orElseThrow();
        DecoderStack stack = new DecoderStack(checkpoint, DecoderConfig.ofHuggingFace(checkpoint.config()),
                decoder.name(), decoder.layerPrefix(), decoder.layerCount(), "model.embed_tokens.weight");
        return (batch, first, sink, manager, cancelled, progress) -> {
            List<int[]> sequences = new ArrayList<>();
            for (CalibrationSample s : batch) {
                sequences.add(tokens(tokenizer, s.instruction(), Integer.MAX_VALUE, data, s));
            }
            skips.start();
            stack.run(sequences, skips.of("decoder"), sink, manager, cancelled, progress);
            skips.stop();
            TokenLayout layout = new TokenLayout(first);
            for (int[] sequence : sequences) {
                layout.sample().add(TokenType.LANGUAGE, sequence.length);
            }
            return Map.of("decoder", layout.described());
        };
    }

    /**
     * The VLA preprocessing of LeRobot: images resized with padding to the model's size (SmolVLA:
     * resize_imgs_with_padding, padding left and top; pi0: image_resolution, padding centred, values clamped) and
     * mapped to [-1, 1]; the instruction with a newline appended, tokenized, at most tokenizer_max_length tokens; the
     * state zero-padded to max_state_dim; noise N(0, 1) and t = 0.999 Beta(1.5, 1) + 0.001 drawn per sample from the
     * seed and the sample's index in the draw; actions from the data (zero-padded) or zero. State and actions are
     * normalised as the trainer does when the data has statistics (a LeRobot dataset); a manifest's go in as written.
     */
    private static BatchRun vla(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                                long seed, OptionalDouble fixedTime, Skips skips) {
        JsonNode c = checkpoint.config();
        boolean pi0 = spec.family() == Family.PI0;
        JsonNode size = c.path(pi0 ? "image_resolution" : "resize_imgs_with_padding");
        int width = size.path(pi0 ? 1 : 0).asInt(pi0 ? 224 : 512);
        int height = size.path(pi0 ? 0 : 1).asInt(pi0 ? 224 : 512);
        int maxTokens = c.path("tokenizer_max_length").asInt(48);
        int chunk = c.path("chunk_size").asInt(50);
        int maxState = c.path("max_state_dim").asInt(32);
        int maxAction = c.path("max_action_dim").asInt(32);
        Set<Integer> joint = skips.joint();
        skips.requireNone("vision");
        Pi0Forward pi0Forward = pi0 ? new Pi0Forward(checkpoint, spec) : null;
        SmolVlaForward smolVla = pi0 ? null : new SmolVlaForward(checkpoint,
                spec.module("vision").map(ModuleSpec::layerCount).orElse(0), spec.module("vlm").orElseThrow()
                .layerCount());
        int perImage = pi0 ? pi0Forward.imageTokens() : smolVla.imageTokens(width, Math.toIntExact(checkpoint.tensor(
                "model.vlm_with_expert.vlm.model.vision_model.embeddings.patch_embedding.weight").orElseThrow().info()
                .shape().get(2)));
        return (batch, first, sink, manager, cancelled, progress) -> {
            List<VlaSample> samples = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                CalibrationSample s = batch.get(i);
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
                SplittableRandom random = sampleRandom(seed, first + i);
                samples.add(flowSample(s, images, tokens(tokenizer, instruction, maxTokens, data, s), maxState,
                        chunk, maxAction, random,
                        () -> fixedTime.orElse(0.999 * Math.pow(random.nextDouble(), 1 / 1.5) + 0.001)));
            }
            skips.start();
            if (pi0) {
                pi0Forward.run(samples, joint, sink, manager, cancelled, progress);
            } else {
                smolVla.run(samples, joint, sink, manager, cancelled, progress);
            }
            skips.stop();
            TokenLayout prefix = new TokenLayout(first);
            TokenLayout suffix = new TokenLayout(first);
            for (VlaSample s : samples) {
                TokenLayout.Sample p = prefix.sample();
                p.add(TokenType.IMAGE, s.images().size() * perImage);
                p.add(TokenType.LANGUAGE, s.tokens().length);
                TokenLayout.Sample a = suffix.sample();
                if (pi0) {
                    a.add(TokenType.STATE, 1);
                } else {
                    p.add(TokenType.STATE, 1);
                }
                a.add(TokenType.ACTION, s.noise().length);
            }
            int count = samples.size();
            return Map.of("vision", rows -> TokenBatch.uniform(TokenType.IMAGE, first, count, rows),
                    "vlm", prefix.described(), "expert", suffix.described());
        };
    }

    /**
     * GR00T-N1.5's evaluation preprocessing: each camera frame centre-cropped to 95 %, resized with antialiasing to the
     * tower's size, quantised to 8 bits and normalised; the Eagle chat prompt with each image as image k, img and
     * one image-context token per patch; the state zero-padded to max_state_dim; noise N(0, 1) and
     * t = (0.999 - s) / 0.999 with s ~ Beta(1.5, 1) from the seed and the sample's index; embodiment new_embodiment.
     */
    private static BatchRun gr00t(Checkpoint checkpoint, ModelSpec spec, Path data, HuggingFaceTokenizer tokenizer,
                                  long seed, OptionalDouble fixedTime, Skips skips) {
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
                SplittableRandom random = sampleRandom(seed, first + i);
                samples.add(flowSample(s, frames, tokens(tokenizer, prompt.toString(), Integer.MAX_VALUE, data, s),
                        maxState, horizon, actionDim, random,
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

    /** The noise and time of the sample at {@code index} in the whole draw: the same however the draw is batched. */
    private static SplittableRandom sampleRandom(long seed, long index) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
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

    /** The layers a run skips per module, and the wall time of its forward passes. */
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
            elapsed += System.nanoTime() - started;
        }

        long forwardNanos() {
            return elapsed;
        }
    }
}
