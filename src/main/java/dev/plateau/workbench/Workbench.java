package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.calibration.CalibrationData;
import dev.plateau.calibration.CalibrationException;
import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.DatasetInputs;
import dev.plateau.calibration.MemoryEstimate;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointDigest;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.finetune.FinetuneSettings;
import dev.plateau.finetune.Recipe;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.SyntheticCheckpoint;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.prune.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/** Plateau's operations, as the command line and the window call them. */
public final class Workbench {
    /** The demo: a small SmolVLA-layout checkpoint. */
    static final String DEMO_MODEL = "smolvla";
    private static final long DEMO_SEED = 20261128L;

    private final Path home;

    public Workbench(Path home) {
        this.home = home;
    }

    /** A workbench keeping its files in {@link PlateauHome#directory()}. */
    public static Workbench standard() {
        return new Workbench(PlateauHome.directory());
    }

    /** Opens the checkpoint folder and tells what it is; reads headers only. */
    public ModelSpec inspect(Path folder) {
        try (Checkpoint checkpoint = Checkpoint.open(folder.toAbsolutePath().normalize())) {
            return ModelDetector.detect(checkpoint);
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /**
     * Computes the similarity {@code metricCodes} (or {@code all}) of every module in an activation file and writes
     * ANALYSIS.json to {@code out}.
     */
    public Analysis analyze(Path activations, List<String> metricCodes, int batchSize, long seed, Path out) {
        return Analyses.analyze(activations, Analyses.metrics(metricCodes), batchSize, seed, out);
    }

    /**
     * Plans the removal of {@code budget} layers per module from an analysis, by {@code criterion} at threshold
     * {@code tau} (auto-tau when empty), under the rules of {@code checkpoint} (else of the analysed family's standard
     * configuration), and writes PLAN.json. {@code tied}: modules tied by depth remove the same layers, chosen on the
     * first one's profile (the paper's plans); untied, each is planned on its own.
     */
    public Plan plan(Path analysis, Optional<Path> checkpoint, String criterion, long seed, OptionalDouble tau,
                     Map<String, Integer> budget, boolean tied, Path out) {
        return Plans.plan(this, analysis, checkpoint, criterion, seed, tau, budget, tied, out);
    }

    /**
     * The k sweep of a calibration against its checkpoint (every module, or {@code module}), written as CSV to
     * {@code out}; see {@link SweepPoint} for the columns.
     */
    public List<SweepPoint> sweep(Path run, Path checkpoint, Optional<String> module, String criterion, Path out) {
        return Sweeps.sweep(this, run, checkpoint, module, criterion, out);
    }

    /** The k sweep of one module of an open model, by {@code criterion} (a code such as "cka"). */
    public List<SweepPoint> sweep(OpenedModel model, Analysis analysis, String module, String criterion) {
        return Sweeps.sweep(model, analysis, module, Plans.criterion(criterion, 0));
    }

    /**
     * Writes the study report of a calibration, its checkpoint and (optionally) a plan: one self-contained HTML page
     * whose figures use {@code metric} (a metric code such as "cka").
     */
    public Path report(Path run, Path checkpoint, Optional<Path> plan, String metric, Path out) {
        return Reports.report(this, run, checkpoint, plan, metric, out);
    }

    /** The same for an open model, its calibration and plan, with the latent preview when one was computed. */
    public void report(OpenedModel model, Analysis analysis, Optional<Plan> plan, String metric,
                       Optional<LatentPreview> latent, Path out) {
        Reports.write(model, analysis, plan, metric, latent, Optional.empty(), out);
    }

    /** What is wrong with a plan for a checkpoint, one sentence each; empty when it is valid. */
    public List<String> checkPlan(Path plan, Path checkpoint) {
        return Plans.check(this, plan, checkpoint);
    }

    /**
     * Exports the checkpoint with the plan applied to {@code out} (refusing an invalid plan with the reason and the
     * nearest valid plan; an existing {@code out} only with {@code force}); the export is verified before it appears.
     */
    public Exporter.Result prune(Path checkpoint, Path plan, Path out, boolean force) {
        return Exports.prune(checkpoint, plan, out, force);
    }

    /** The same, reporting the weight bytes written and polling {@code cancelled}: cancelled, it leaves nothing. */
    public Exporter.Result prune(Path checkpoint, Path plan, Path out, boolean force, ByteProgress progress,
                                 BooleanSupplier cancelled) {
        return Exports.prune(checkpoint, plan, out, force, progress, cancelled);
    }

    /** Checks an exported (or any) checkpoint against what its family's loading code will ask for. */
    public Verifier.Report verify(Path folder) {
        return Exports.verify(folder);
    }

    /** Told after each layer of a long run, and as each batch of samples starts. */
    @FunctionalInterface
    public interface Progress {
        void layerDone(String module, int layer, int depth);

        /** Batch {@code batch} (from 0) of {@code batches}, of {@code samples} samples, starts. */
        /** The run's memory estimate, once checked and before anything runs. */
        default void memoryEstimated(MemoryEstimate estimate) {
        }

        default void batchStarted(int batch, int batches, int samples) {
        }
    }

    /** Bytes written so far of a total, for long writes such as an export. */
    @FunctionalInterface
    public interface ByteProgress {
        void bytes(long done, long total);
    }

    /**
     * Runs the request's samples of its calibration data (drawn with its seed) through the checkpoint on its
     * device (auto, cpu, gpu), in batches, streaming every layer's hidden states into the similarity statistics, and
     * writes the run to {@code out} (RUN.json, with its token sample and statistics beside it) and, when asked, every
     * hidden state to {@code states}. VLAs run at the request's flow-matching time when given, else at times drawn
     * per sample as in training. {@code cancelled} is polled between layers; a cancelled or failed run writes
     * nothing.
     */
    public Calibrator.Result calibrate(CalibrationRequest request, Path out, Optional<Path> states,
                                       BooleanSupplier cancelled, Progress progress) {
        return Calibrations.calibrate(request, request.samples(), Map.of(), new Calibrator.Outputs(
                Optional.of(RunFiles.of(out)), states, Optional.empty()), cancelled, progress);
    }

    /**
     * Adds {@code more} samples to the run at {@code run} (RUN.json): they continue its seeded draw without repeats,
     * only they are run, and their statistics merge into the run's; the extended run is written to {@code out}
     * ({@code run} itself to update it in place). {@code device} overrides the run's; {@code memory} (bytes, 0 for the
     * device's) bounds what it may use.
     */
    public Calibrator.Result extend(Path run, int more, Optional<String> device, long memory, Path out,
                                    BooleanSupplier cancelled, Progress progress) {
        return Calibrations.extend(run, more, device, memory, out, cancelled, progress);
    }

    /**
     * What the request will hold in memory at its peak (weights in flight, one batch's activations, statistics, token
     * sample, and every state when {@code states}), against what its device has; reads the data's layout only.
     */
    public MemoryEstimate estimate(CalibrationRequest request, boolean states) {
        return Calibrations.estimate(request, states);
    }

    /**
     * What a calibration folder holds for a checkpoint, in one line (format, size, the cameras the model will get),
     * or why it cannot be used. Reads a dataset's data files: call it off the UI thread.
     */
    public String describeData(Path checkpoint, Path folder, DatasetInputs inputs) {
        try (Checkpoint source = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            return CalibrationData.open(folder.toAbsolutePath().normalize(), inputs,
                    Calibrator.modelCameras(source.config())).summary();
        } catch (CalibrationException | CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /**
     * The fine-tuning settings an exported checkpoint starts from: its family's recipe (or {@code recipe}), the
     * trainer's documented values, and a new run folder beside the export for the trainer's output.
     */
    public FinetuneSettings finetuneSettings(Path exported, Path dataset, Optional<Recipe> recipe) {
        return Finetunes.settings(exported, dataset, recipe);
    }

    /** The trainer's exact command for {@code settings}, with warnings on what looks wrong (trainer, dataset). */
    public TrainingCommand finetuneCommand(FinetuneSettings settings) {
        return Finetunes.command(settings);
    }

    /** Starts {@code command} (as built, or edited by the user) in the settings' run folder. */
    public FinetuneJob startFinetune(TrainingCommand command, FinetuneSettings settings, FinetuneJob.Events events) {
        return FinetuneJob.start(command, settings.recipe(), settings.logEvery(), settings.output().getParent(),
                events);
    }

    /** The sbatch script that runs {@code command} on one node with the settings' GPUs. */
    public String slurmScript(TrainingCommand command, FinetuneSettings settings, String time,
                              Optional<String> partition) {
        return Finetunes.slurm(command, settings, time, partition);
    }

    /** Writes the run folder (command.sh, train.sbatch) for a cluster; returns the script's path. */
    public Path writeSlurm(TrainingCommand command, FinetuneSettings settings, String time,
                           Optional<String> partition) {
        return Finetunes.writeSlurm(command, settings, time, partition);
    }

    /** Writes the run folder and submits the script with {@code sbatch}; returns sbatch's answer. */
    public String submitSlurm(TrainingCommand command, FinetuneSettings settings, String time,
                              Optional<String> partition, String sbatch) {
        return Finetunes.submit(command, settings, time, partition, sbatch);
    }

    /** The folders Plateau and its libraries fill, with their sizes now (walks them: call it off the UI thread). */
    public List<CacheFolder> caches() {
        return Caches.list(home);
    }

    /** Deletes one of {@link #caches()}'s folders; anything else is refused. */
    public void clearCache(Path folder) {
        Caches.clear(home, folder);
    }

    /**
     * The GPU as Plateau sees it: the downloaded CUDA natives (installed or not, where), the NVIDIA driver, and what
     * {@code --device auto} picks in this process, with why when it is the CPU. Loads the tensor engine.
     */
    public GpuStatus gpuStatus() {
        return Gpus.status();
    }

    /**
     * Downloads libtorch's CUDA 12.4 natives (2.5 GB) from the Maven repository {@code repository} (Maven Central,
     * or a mirror), checks them against the SHA-1 pinned in Plateau, and unpacks them into DJL's cache; returns the
     * folder, and does nothing when they are there. {@code cancelled} is polled as the bytes go; a cancelled or failed
     * install leaves nothing behind. They are used from the next start, when an NVIDIA driver is present.
     */
    public Path installGpu(String repository, ByteProgress download, ByteProgress unpack, BooleanSupplier cancelled) {
        return Gpus.install(repository, download, unpack, cancelled);
    }

    /**
     * Points the tensor engine at the downloaded CUDA natives when they are installed and an NVIDIA driver is
     * present; call it at startup, before anything touches the engine. Returns whether it did.
     */
    public static boolean useInstalledGpu() {
        return Gpus.useInstalled();
    }

    /** Whether Plateau starts here for the first time; true once, then remembered in its home. */
    public boolean firstRun() {
        return Caches.firstRun(home);
    }

    /** Plateau's own folder ($PLATEAU_HOME, else ~/.cache/plateau). */
    public Path home() {
        return home;
    }

    /** Opens a checkpoint for the window: what it is, and what its fine-tuning trains by default. */
    public OpenedModel open(Path folder) {
        try (Checkpoint checkpoint = Checkpoint.open(folder.toAbsolutePath().normalize())) {
            return TrainingDefaults.of(checkpoint, ModelDetector.detect(checkpoint));
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /**
     * Calibrates and analyses under every metric, or reads the result back from the session cache when the same
     * request was run before on the same files.
     */
    public AnalysedRun analysed(CalibrationRequest request, BooleanSupplier cancelled, Progress progress) {
        return Sessions.analysed(home, request, cancelled, progress);
    }

    /**
     * The run with {@code more} samples added, continuing its seeded draw: only the new samples run, and their
     * statistics merge into the run's (kept in the session cache as the request for the larger count).
     */
    public AnalysedRun addSamples(AnalysedRun run, int more, BooleanSupplier cancelled, Progress progress) {
        return Sessions.extended(home, run, more, cancelled, progress);
    }

    /** Whether {@link #analysed} would answer {@code request} from the cache. */
    public boolean isCached(CalibrationRequest request) {
        return Sessions.files(home, request).exist();
    }

    /**
     * The plan at per-module thresholds and budgets, as the window shows it while the user moves them: modules in
     * {@code fixed} keep the given removal sets (a loaded plan); rule violations are in {@link Plan#problems()}, each
     * with the nearest valid choice, instead of being refused.
     */
    public Plan livePlan(OpenedModel model, Analysis analysis, String criterion, long seed, Map<String, Double> tau,
                         Map<String, Integer> budget, Map<String, List<Integer>> fixed, boolean tied) {
        return Plans.live(model.spec(), analysis, criterion, seed, tau, budget, fixed, tied);
    }

    /**
     * What each criterion (every metric of the analysis, then the random and keep-first baselines) removes from
     * {@code module} at budget {@code k}, with auto-tau, by criterion code; a criterion whose plan the model's rules
     * refuse goes to {@code refused} (code, reason) instead.
     */
    public Map<String, ModulePlan> compareCriteria(OpenedModel model, Analysis analysis, String module, int k,
                                                   long seed, BiConsumer<String, String> refused) {
        return Plans.compare(model.spec(), analysis, module, k, seed, refused);
    }

    /** Parameters, trainable parameters and GFLOPs before and after {@code plan}. */
    public Estimate estimate(OpenedModel model, Optional<Analysis> analysis, Plan plan) {
        return Estimates.of(model, analysis, plan);
    }

    /** Measures the forward time of the base and the pruned model (the plan's layers skipped) on the run's data. */
    public Latency latency(AnalysedRun run, Plan plan, BooleanSupplier cancelled, Progress progress) {
        return Previews.latency(run, plan, cancelled, progress);
    }

    /** A layer's hidden states of the base and the pruned model on the base model's principal components. */
    public LatentPreview latent(AnalysedRun run, Plan plan, String module, int layer, int components,
                                BooleanSupplier cancelled, Progress progress) {
        return Previews.latent(run, plan, module, layer, components, cancelled, progress);
    }

    /** What exporting {@code plan} would change, or why it cannot be exported. */
    public ExportPreview exportPreview(Path checkpoint, Plan plan) {
        return Exports.preview(checkpoint, plan);
    }

    /** Exports the checkpoint with an in-memory plan applied, as {@link #prune(Path, Path, Path, boolean)} does. */
    public Exporter.Result prune(Path checkpoint, Plan plan, Path out, boolean force) {
        return Exports.prune(checkpoint, plan, "", out, force);
    }

    /**
     * The same, reporting the weight bytes written and polling {@code cancelled}: a cancelled export leaves nothing
     * behind.
     */
    public Exporter.Result prune(Path checkpoint, Plan plan, Path out, boolean force, ByteProgress progress,
                                 BooleanSupplier cancelled) {
        return Exports.prune(checkpoint, plan, "", out, force, progress, cancelled);
    }

    /** The paper's Table 5 plan for a family, where the paper gives one. */
    public Optional<Plan> paperPlan(Family family) {
        return Plans.paper(family);
    }

    /** The demo's calibration set (two cameras, twelve instructions), written beside the demo checkpoint. */
    public Path demoCalibrationSet() {
        return DemoFiles.calibrationSet(home.resolve("demo").resolve("calibration"));
    }

    /** The checkpoints opened lately, most recent first. */
    public RecentFiles recentFiles() {
        return new RecentFiles(home.resolve("recent.json"), Files::isDirectory);
    }

    /** The session files opened or saved lately, most recent first. */
    public RecentFiles recentSessions() {
        return new RecentFiles(home.resolve("recent-sessions.json"), Files::isRegularFile);
    }

    /** The checkpoint's identity: {@link CheckpointDigest} (config and headers; no weight data is read). */
    public String digest(Path checkpoint) {
        try (Checkpoint c = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            return CheckpointDigest.of(c);
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /**
     * The demo checkpoint, written on first use, again when {@code rebuild}, and again when the one on disk no longer
     * has the demo's current layout (an older Plateau wrote it, or it was damaged).
     */
    public Path demoCheckpoint(boolean rebuild) {
        Path demo = home.resolve("demo").resolve(DEMO_MODEL + "-tiny");
        SyntheticCheckpoint synthetic = SyntheticModels.named(DEMO_MODEL, false).orElseThrow();
        if (rebuild || !hasLayout(demo, synthetic)) {
            write(synthetic, demo, CheckpointBuilder.Fill.RANDOM, DEMO_SEED, 0, true, DemoPlateaus::gain,
                    Map.of(DemoPlateaus.KEY, DemoPlateaus.REVISION));
        }
        return demo;
    }

    /** Whether {@code folder} holds exactly the tensors (names and shapes) of {@code synthetic}, as this demo wrote. */
    private static boolean hasLayout(Path folder, SyntheticCheckpoint synthetic) {
        if (!Files.isRegularFile(folder.resolve(Checkpoint.CONFIG))) {
            return false;
        }
        try (Checkpoint existing = Checkpoint.open(folder)) {
            Map<String, List<Long>> want = new HashMap<>();
            synthetic.tensors().forEach(t -> want.put(t.name(), t.shape()));
            Map<String, List<Long>> have = new HashMap<>();
            existing.tensors().forEach((name, e) -> have.put(name, e.info().shape()));
            return want.equals(have) && existing.files().stream().allMatch(f ->
                    DemoPlateaus.REVISION.equals(f.metadata().get(DemoPlateaus.KEY)));
        } catch (CheckpointException e) {
            return false;
        }
    }

    /**
     * Writes the synthetic checkpoint {@code name} (see {@link SyntheticModels#NAMES}) to {@code out}: real-size with
     * unwritten (sparse) data, or small with seeded random weights.
     */
    public Path synthesize(String name, boolean realSize, Path out, long shardBytes, long seed, boolean replace) {
        SyntheticCheckpoint synthetic = SyntheticModels.named(name, realSize).orElseThrow(() -> new PlateauException(
                "unknown synthetic model '" + name + "'; choose one of " + String.join(", ", SyntheticModels.NAMES)));
        return write(synthetic, out, realSize ? CheckpointBuilder.Fill.UNWRITTEN : CheckpointBuilder.Fill.RANDOM, seed,
                shardBytes, replace, tensor -> 1, Map.of());
    }

    private static Path write(SyntheticCheckpoint synthetic, Path out, CheckpointBuilder.Fill fill, long seed,
                              long shardBytes, boolean replace, ToDoubleFunction<String> gain,
                              Map<String, String> metadata) {
        try {
            return CheckpointBuilder.write(synthetic, out, fill, seed, shardBytes, replace, gain, metadata);
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
