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
import dev.plateau.engine.DecoderStack;
import dev.plateau.engine.DeviceMemory;
import dev.plateau.engine.Devices;
import dev.plateau.engine.LayerSink;
import dev.plateau.engine.NativeHeap;
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
import java.util.function.BooleanSupplier;
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
    /** Free C-heap bytes a forward pass may keep between layers for the next ones (see {@link NativeHeap#trimAbove}). */
    private static final long HEAP_SLACK = Long.getLong("plateau.heapSlack", 128L << 20);
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
        NativeHeap.configure();
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
        FamilyInputs family = FamilyInputs.of(spec.family());
        List<CalibrationSample> drawn = normalised(source, family, checkpoint.config(),
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
        LayerSkips skips = new LayerSkips(spec, skip);
        Map<String, StreamedStatistics.ModuleShape> shapes = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (ModuleSpec m : spec.modules()) {
            shapes.put(m.name(), new StreamedStatistics.ModuleShape(m.layerCount() - skips.of(m.name()).size(),
                    m.hiddenSize(), true, exact.getOrDefault(m.name(), false), family.tokenTypes(m.name())));
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
                NativeHeap.trimAbove(HEAP_SLACK);
            };
            FamilyInputs.BatchRun run = family.batches(checkpoint, spec, data, tokenizer, seed, time, skips);
            int batches = (drawn.size() + settings.batch() - 1) / settings.batch();
            for (int b = 0; b < batches; b++) {
                List<CalibrationSample> batch = drawn.subList(b * settings.batch(),
                        Math.min(drawn.size(), (b + 1) * settings.batch()));
                progress.batchStarted(b, batches, batch.size());
                Map<String, IntFunction<TokenBatch>> tokens = run.run(batch, previous + (long) b * settings.batch(),
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
        FamilyInputs family = FamilyInputs.of(spec.family());
        if (source.stateStats().isPresent()) {
            family.normalisation().ifPresent(n -> metadata.put("normalisation", n));
        }
        metadata.put("device", Devices.describe(chosen));
        metadata.put("time", time.isPresent() ? Double.toString(time.getAsDouble()) : "drawn");
        family.timestepSampling().ifPresent(drawn -> metadata.put("timestep_sampling", time.isPresent()
                ? "t = " + time.getAsDouble() + " for every sample, noise N(0, 1), seeded" : drawn));
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
     * State and actions as the trainer normalises them with the dataset's statistics (the family's rule); data without
     * statistics (a manifest) goes in as written.
     */
    private static List<CalibrationSample> normalised(CalibrationData source, FamilyInputs family, JsonNode config,
                                                      List<CalibrationSample> drawn) {
        JsonNode mapping = config.path("normalization_mapping");
        UnaryOperator<double[]> state = source.stateStats().map(st -> family.normaliser(st, mapping.path("STATE")
                .asText("MEAN_STD"))).orElse(UnaryOperator.identity());
        UnaryOperator<double[]> action = source.actionStats().map(st -> family.normaliser(st, mapping.path("ACTION")
                .asText("MEAN_STD"))).orElse(UnaryOperator.identity());
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
}
