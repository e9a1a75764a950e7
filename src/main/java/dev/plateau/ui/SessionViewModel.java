package dev.plateau.ui;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import dev.plateau.model.TiedDepth;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.AnalysedRun;
import dev.plateau.calibration.DatasetInputs;
import dev.plateau.calibration.MemoryEstimate;
import dev.plateau.workbench.CacheFolder;
import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.Estimate;
import dev.plateau.workbench.ExportPreview;
import dev.plateau.workbench.Latency;
import dev.plateau.workbench.LatentPreview;
import dev.plateau.workbench.OpenedModel;
import dev.plateau.workbench.FinetuneJob;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.SessionFile;
import dev.plateau.workbench.SweepPoint;
import dev.plateau.workbench.Workbench;
import dev.plateau.prune.Exporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The state of one workbench window, without any of its controls: the open checkpoint, the calibration form and
 * its run, each module's tau and k, the plan they give under the model's rules (recomputed on every change), the
 * estimates, the previews, undo and redo, and the messages for the user. Long work goes through {@link Jobs}.
 */
public final class SessionViewModel {
    /** Samples of a calibration unless the user says otherwise. */
    static final int DEFAULT_SAMPLES = 8;
    /** The token selection that means every token, not one type's. */
    public static final String ALL_TOKENS = "all";
    private static final long COALESCE_NANOS = 800_000_000L;

    private final Workbench workbench;
    private final Jobs jobs;

    private final ReadOnlyObjectWrapper<OpenedModel> model = new ReadOnlyObjectWrapper<>(this, "model");
    private final ReadOnlyObjectWrapper<AnalysedRun> run = new ReadOnlyObjectWrapper<>(this, "run");
    private final ReadOnlyObjectWrapper<Plan> plan = new ReadOnlyObjectWrapper<>(this, "plan");
    private final ReadOnlyObjectWrapper<Estimate> estimate = new ReadOnlyObjectWrapper<>(this, "estimate");
    private final ReadOnlyObjectWrapper<Latency> latency = new ReadOnlyObjectWrapper<>(this, "latency");
    private final ReadOnlyObjectWrapper<LatentPreview> latent = new ReadOnlyObjectWrapper<>(this, "latent");
    private final ReadOnlyObjectWrapper<Exporter.Result> exported = new ReadOnlyObjectWrapper<>(this, "exported");
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo");
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo");
    private final ReadOnlyBooleanWrapper hasPaperPlan = new ReadOnlyBooleanWrapper(this, "hasPaperPlan");
    private final StringProperty criterion = new SimpleStringProperty(this, "criterion", Metric.CKA.code());
    private final StringProperty tokenType = new SimpleStringProperty(this, "tokenType", ALL_TOKENS);
    private final StringProperty notes = new SimpleStringProperty(this, "notes", "");
    /** Exports and fine-tuning runs of this study (kept in its session file). */
    private final List<Path> exports = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private final ReadOnlyObjectWrapper<MemoryEstimate> memoryEstimate = new ReadOnlyObjectWrapper<>(this,
            "memoryEstimate");
    private long estimateTicket;
    private final StringProperty selectedModule = new SimpleStringProperty(this, "selectedModule");
    private final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", -1);
    private final ObjectProperty<Path> dataFolder = new SimpleObjectProperty<>(this, "dataFolder");
    private final StringProperty cameras = new SimpleStringProperty(this, "cameras", "");
    private final StringProperty dataSummary = new SimpleStringProperty(this, "dataSummary", "");
    private final IntegerProperty samples = new SimpleIntegerProperty(this, "samples", DEFAULT_SAMPLES);
    private final LongProperty seed = new SimpleLongProperty(this, "seed", 0);
    private final StringProperty device = new SimpleStringProperty(this, "device", "auto");
    private final BooleanProperty fixedTime = new SimpleBooleanProperty(this, "fixedTime", false);
    private final DoubleProperty time = new SimpleDoubleProperty(this, "time", 0.5);
    private final Map<String, ModuleSettings> settings = new LinkedHashMap<>();
    private final ObservableList<String> notices = FXCollections.observableArrayList();
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final ObservableList<Path> recentSessions = FXCollections.observableArrayList();
    private final FinetuneViewModel finetune;
    private final Deque<Undoable> undo = new ArrayDeque<>();
    private final Deque<Undoable> redo = new ArrayDeque<>();
    private String lastEdit = "";
    private long lastEditNanos;
    private boolean restoring;

    public SessionViewModel(Workbench workbench, Jobs jobs) {
        this.workbench = workbench;
        this.jobs = jobs;
        recent.setAll(workbench.recentFiles().list());
        recentSessions.setAll(workbench.recentSessions().list());
        criterion.addListener((o, a, b) -> replan());
        tokenType.addListener((o, a, b) -> replan());
        for (javafx.beans.Observable input : List.of(model, dataFolder, samples, device, cameras)) {
            input.addListener(o -> estimateMemory());
        }
        finetune = new FinetuneViewModel(workbench, jobs.ui(), notices::add);
        exported.addListener((o, a, b) -> {
            if (b != null) {
                finetune.checkpointProperty().set(b.folder());
            }
        });
    }

    // ---- opening and calibrating

    /** Opens a checkpoint folder; a calibration of it already in the cache is read back at once. */
    public void open(Path folder) {
        jobs.start("Opening " + folder.getFileName(), job -> workbench.open(folder), opened -> {
            recent.setAll(workbench.recentFiles().add(folder));
            useModel(opened);
            if (dataFolder.get() != null && workbench.isCached(request())) {
                calibrate();
            }
        }, notices::add);
    }

    /**
     * What the window opens when started without a folder: the demo the first time (with a welcome that says where
     * Plateau keeps its files, shown once the demo is open), afterwards the most recent checkpoint that still exists,
     * else the demo; {@code demo} ({@code plateau demo}): always the demo.
     */
    public void openOnStart(boolean demo) {
        if (workbench.firstRun()) {
            openDemo(Optional.of("Welcome to Plateau: the demo is open. Help \u2192 Storage and caches (Ctrl+Shift+S) "
                    + "shows where Plateau keeps its files and how much room they take."));
        } else if (demo) {
            openDemo();
        } else {
            recent.stream().filter(p -> Files.isRegularFile(p.resolve("config.json"))).findFirst()
                    .ifPresentOrElse(this::open, this::openDemo);
        }
    }

    /** Measures Plateau's caches off the UI thread and hands the list to {@code done} on it. */
    public void measureCaches(Consumer<List<CacheFolder>> done) {
        Thread.ofVirtual().start(() -> {
            try {
                List<CacheFolder> caches = workbench.caches();
                jobs.ui().execute(() -> done.accept(caches));
            } catch (RuntimeException e) {
                jobs.ui().execute(() -> notices.add("the caches could not be measured: " + e.getMessage()));
            }
        });
    }

    /** Clears one cache folder off the UI thread, then measures again. */
    public void clearCache(CacheFolder cache, Consumer<List<CacheFolder>> done) {
        Thread.ofVirtual().start(() -> {
            try {
                workbench.clearCache(cache.folder());
                List<CacheFolder> caches = workbench.caches();
                jobs.ui().execute(() -> done.accept(caches));
            } catch (PlateauException e) {
                jobs.ui().execute(() -> notices.add(e.getMessage()));
            }
        });
    }

    /** Opens the demo: the small SmolVLA-layout checkpoint and its calibration set, calibrated (from the cache). */
    public void openDemo() {
        openDemo(Optional.empty());
    }

    /** The same; {@code welcome} is said once the demo is open, so that nothing said on the way covers it. */
    private void openDemo(Optional<String> welcome) {
        jobs.start("Opening the demo", job -> {
            Path checkpoint = workbench.demoCheckpoint(false);
            Path data = workbench.demoCalibrationSet();
            return Map.entry(workbench.open(checkpoint), data);
        }, opened -> {
            dataFolder.set(opened.getValue());
            useModel(opened.getKey());
            calibrate(() -> welcome.ifPresent(notices::add));
        }, notices::add);
    }

    private void useModel(OpenedModel opened) {
        run.set(null);
        latency.set(null);
        latent.set(null);
        exported.set(null);
        undo.clear();
        redo.clear();
        updateUndo();
        settings.clear();
        ModelSpec spec = opened.spec();
        Optional<Plan> paper = safePaperPlan(spec);
        hasPaperPlan.set(paper.isPresent());
        for (ModuleSpec m : spec.modules()) {
            ModuleSettings s = new ModuleSettings(m.name(), m.layerCount());
            paper.map(p -> p.modules().get(m.name())).ifPresent(p -> s.kProperty().set(p.remove().size()));
            settings.put(m.name(), s);
        }
        for (var rule : spec.rules()) {
            if (rule instanceof TiedDepth tied) {
                settings.get(tied.second()).followsProperty().set(tied.first());
            }
        }
        model.set(opened);
        selectedModule.set(spec.module("vlm").or(() -> spec.module("decoder")).orElse(spec.modules().getFirst())
                .name());
        selectedLayer.set(-1);
        replan();
    }

    private Optional<Plan> safePaperPlan(ModelSpec spec) {
        try {
            return workbench.paperPlan(spec.family());
        } catch (PlateauException e) {
            notices.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** The calibration the form describes, for the open checkpoint. */
    public CalibrationRequest request() {
        if (model.get() == null || dataFolder.get() == null) {
            throw new PlateauException("open a checkpoint and choose a calibration data folder first");
        }
        return new CalibrationRequest(model.get().spec().folder(), dataFolder.get(), samples.get(), seed.get(),
                fixedTime.get() ? OptionalDouble.of(time.get()) : OptionalDouble.empty(), device.get(), inputs());
    }

    /** The dataset inputs the form names: its cameras (comma-separated, empty for the default) and the defaults. */
    private DatasetInputs inputs() {
        List<String> names = Arrays.stream(cameras.get().split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toList();
        return new DatasetInputs(names, DatasetInputs.DEFAULT.state(), DatasetInputs.DEFAULT.action());
    }

    /**
     * Takes a calibration data folder and, with a checkpoint open, says what it holds (a LeRobot dataset's version,
     * episodes, frames and the cameras the model will get) or what is wrong with it.
     */
    public void chooseDataFolder(Path folder) {
        dataFolder.set(folder);
        dataSummary.set("");
        if (model.get() == null) {
            return;
        }
        Path checkpoint = model.get().spec().folder();
        DatasetInputs inputs = inputs();
        jobs.start("Reading " + folder.getFileName(), job -> workbench.describeData(checkpoint, folder, inputs),
                dataSummary::set, notices::add);
    }

    /** Calibrates (or reads the cached calibration) in the background, with progress and cancel. */
    public void calibrate() {
        calibrate(() -> { });
    }

    /** The same, running {@code then} once the calibration is shown. */
    private void calibrate(Runnable then) {
        CalibrationRequest request;
        try {
            request = request();
        } catch (PlateauException e) {
            notices.add(e.getMessage());
            return;
        }
        jobs.start("Calibration", job -> workbench.analysed(request, job::isCancelled, progress(job)), analysed -> {
            useRun(analysed);
            then.run();
        }, notices::add);
    }

    /**
     * Adds {@code more} samples to the current calibration in the background: they continue its seeded draw, only
     * they are run, and every figure updates from the merged statistics.
     */
    public void addSamples(int more) {
        AnalysedRun current = run.get();
        if (current == null) {
            notices.add("Calibrate first: samples are added to a calibration.");
            return;
        }
        jobs.start("Adding " + more + " samples", job -> workbench.addSamples(current, more, job::isCancelled,
                progress(job)), result -> {
                    samples.set(result.request().samples());
                    useRun(result);
                }, notices::add);
    }

    private void useRun(AnalysedRun result) {
        run.set(result);
        latency.set(null);
        latent.set(null);
        replan();
    }

    /** Progress over every layer of every batch, told as "batch 2 of 8: vlm layer 3 of 16". */
    private Workbench.Progress progress(Job job) {
        long perBatch = totalLayers();
        return new Workbench.Progress() {
            private long done;
            private long total = perBatch;
            private String batch = "";

            @Override
            public void batchStarted(int index, int batches, int count) {
                total = perBatch * batches;
                batch = batches > 1 ? "batch " + (index + 1) + " of " + batches + ": " : "";
            }

            @Override
            public void layerDone(String module, int layer, int depth) {
                job.progress(++done, total, batch + module + " layer " + (layer + 1) + " of " + depth);
            }
        };
    }

    /**
     * Estimates, off the UI thread, what a calibration with the form's settings will hold in memory, into
     * {@link #memoryEstimateProperty()}; the latest request wins.
     */
    void estimateMemory() {
        long ticket = ++estimateTicket;
        if (model.get() == null || dataFolder.get() == null) {
            memoryEstimate.set(null);
            return;
        }
        CalibrationRequest request;
        try {
            request = request();
        } catch (PlateauException e) {
            return;
        }
        Thread.ofVirtual().start(() -> {
            MemoryEstimate estimate;
            try {
                estimate = workbench.estimate(request, false);
            } catch (PlateauException e) {
                estimate = null;
            }
            MemoryEstimate result = estimate;
            jobs.ui().execute(() -> {
                if (ticket == estimateTicket) {
                    memoryEstimate.set(result);
                }
            });
        });
    }

    /** What a calibration with the form's settings will hold in memory at its peak; null until known. */
    public ReadOnlyObjectProperty<MemoryEstimate> memoryEstimateProperty() {
        return memoryEstimate.getReadOnlyProperty();
    }

    private long totalLayers() {
        return model.get().spec().modules().stream().mapToLong(ModuleSpec::layerCount).sum();
    }

    // ---- planning

    /** The settings of each module, in forward order. */
    public Map<String, ModuleSettings> settings() {
        return Collections.unmodifiableMap(settings);
    }

    public void setTau(String module, double value) {
        edit("tau:" + module, () -> {
            ModuleSettings s = settings.get(module);
            s.fixedProperty().set(null);
            s.autoTauProperty().set(false);
            s.tauProperty().set(value);
        });
    }

    public void setK(String module, int value) {
        edit("k:" + module, () -> {
            ModuleSettings s = settings.get(module);
            s.fixedProperty().set(null);
            s.kProperty().set(value);
        });
    }

    public void setAutoTau(String module) {
        edit("auto:" + module, () -> {
            ModuleSettings s = settings.get(module);
            s.fixedProperty().set(null);
            s.autoTauProperty().set(true);
        });
    }

    /** Makes {@code module} remove the same layers as {@code leader}, or (null) choose its own. */
    public void setFollows(String module, String leader) {
        edit("follows:" + module, () -> {
            ModuleSettings s = settings.get(module);
            s.fixedProperty().set(null);
            s.followsProperty().set(leader);
        });
    }

    /** Loads the paper's Table 5 plan of the open model's family: fixed removal sets. */
    /** Whether the paper gives a Table 5 plan for the open checkpoint's family (not for pi0.5 or decoder LLMs). */
    public ReadOnlyBooleanProperty hasPaperPlanProperty() {
        return hasPaperPlan.getReadOnlyProperty();
    }

    public void loadPaperPlan() {
        OpenedModel m = model.get();
        if (m == null) {
            notices.add("open a checkpoint first");
            return;
        }
        Optional<Plan> paper = safePaperPlan(m.spec());
        if (paper.isEmpty()) {
            notices.add("the paper gives no Table 5 plan for " + m.spec().family().displayName());
            return;
        }
        edit("paper", () -> settings.forEach((name, s) -> {
            ModulePlan p = paper.get().modules().get(name);
            s.followsProperty().set(null);
            s.fixedProperty().set(p == null ? List.of() : p.remove());
            s.kProperty().set(p == null ? 0 : p.remove().size());
        }));
    }

    private void edit(String what, Runnable change) {
        long now = System.nanoTime();
        if (!restoring && !(what.equals(lastEdit) && now - lastEditNanos < COALESCE_NANOS)) {
            undo.push(capture());
            redo.clear();
        }
        lastEdit = what;
        lastEditNanos = now;
        change.run();
        updateUndo();
        replan();
    }

    public void undo() {
        step(undo, redo);
    }

    public void redo() {
        step(redo, undo);
    }

    private void step(Deque<Undoable> from, Deque<Undoable> to) {
        if (from.isEmpty()) {
            return;
        }
        to.push(capture());
        restoring = true;
        Undoable state = from.pop();
        state.settings().forEach((name, snapshot) -> settings.get(name).restore(snapshot));
        criterion.set(state.criterion());
        restoring = false;
        lastEdit = "";
        updateUndo();
        replan();
    }

    private Undoable capture() {
        Map<String, ModuleSettings.Snapshot> snapshots = new LinkedHashMap<>();
        settings.forEach((name, s) -> snapshots.put(name, s.snapshot()));
        return new Undoable(snapshots, criterion.get());
    }

    private void updateUndo() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }

    private record Undoable(Map<String, ModuleSettings.Snapshot> settings, String criterion) {
    }

    /** Recomputes the plan and the estimates from the settings; called on every change. */
    void replan() {
        OpenedModel m = model.get();
        if (m == null || restoring) {
            return;
        }
        Analysis analysis = analysis();
        try {
            Plan result = livePlan(m, analysis);
            plan.set(result);
            estimate.set(workbench.estimate(m, Optional.ofNullable(analysis), result));
        } catch (PlateauException e) {
            notices.add(e.getMessage());
        }
    }

    /**
     * The plan of the settings, from the same planner call as {@code plateau plan}: a module that follows its tied
     * partner has no budget of its own (the planner gives it the partner's removal set).
     */
    private Plan livePlan(OpenedModel m, Analysis analysis) {
        Map<String, Double> taus = new LinkedHashMap<>();
        Map<String, Integer> ks = new LinkedHashMap<>();
        Map<String, List<Integer>> fixed = new LinkedHashMap<>();
        boolean tied = settings.values().stream().anyMatch(s -> s.followsProperty().get() != null);
        settings.forEach((name, s) -> {
            if (s.fixedProperty().get() != null) {
                fixed.put(name, s.fixedProperty().get());
            } else if (analysis != null && analysis.modules().containsKey(name)) {
                boolean follows = s.followsProperty().get() != null;
                ks.put(name, follows ? settings.get(s.followsProperty().get()).kProperty().get() : s.kProperty().get());
                if (!follows && !s.autoTauProperty().get() && !Double.isNaN(s.tauProperty().get())) {
                    taus.put(name, s.tauProperty().get());
                }
            }
        });
        return workbench.livePlan(m, analysis, criterion.get(), seed.get(), taus, ks, fixed, tied);
    }

    /** What one criterion removes from a module at the same budget, for the side-by-side comparison. */
    public record CriterionChoice(String criterion, double tau, List<Integer> removed) {
    }

    // ---- the study as a session file

    /** Saves the study: the checkpoint and its digest, the calibration form, every module's plan, notes, exports. */
    public void saveSession(Path file) {
        OpenedModel opened = model.get();
        if (opened == null) {
            notices.add("open a checkpoint first: a session keeps a study of one checkpoint");
            return;
        }
        Map<String, SessionFile.ModuleState> modules = new LinkedHashMap<>();
        settings.forEach((name, m) -> {
            ModuleSettings.Snapshot s = m.snapshot();
            modules.put(name, new SessionFile.ModuleState(s.tau(), s.autoTau(), s.k(), Optional.ofNullable(s.fixed()),
                    Optional.ofNullable(s.follows())));
        });
        List<Path> allRuns = new ArrayList<>(runs);
        finetune.job().map(FinetuneJob::folder).filter(f -> !allRuns.contains(f)).ifPresent(allRuns::add);
        SessionFile.Calibration calibration = new SessionFile.Calibration(dataFolder.get(), samples.get(), seed.get(),
                device.get(), fixedTime.get() ? OptionalDouble.of(time.get()) : OptionalDouble.empty(), cameras.get(),
                Optional.ofNullable(run.get()).map(r -> r.files().analysis()));
        Path checkpoint = opened.spec().folder();
        String study = notes.get();
        String shownCriterion = criterion.get();
        String shownType = tokenType.get();
        List<Path> made = List.copyOf(exports);
        jobs.start("Saving session", job -> {
            new SessionFile(checkpoint, workbench.digest(checkpoint), calibration, shownCriterion, shownType, modules,
                    study, made, allRuns).write(file);
            return file;
        }, saved -> {
            recentSessions.setAll(workbench.recentSessions().add(saved));
            notices.add("saved the session " + saved);
        }, notices::add);
    }

    /**
     * Opens a session: its checkpoint (refused in one line if its digest changed), its calibration (from the session
     * cache when it was run before) and then every module's plan, the criterion, token type and notes, as saved. A
     * checkpoint or data folder that moved is asked for through {@code locate} (given what to ask; empty: cancelled).
     */
    public void openSession(Path file, Function<String, Optional<Path>> locate) {
        SessionFile session;
        try {
            session = SessionFile.read(file);
        } catch (PlateauException e) {
            notices.add(e.getMessage());
            return;
        }
        Optional<Path> checkpoint = existing(session.checkpoint(), "the checkpoint of " + file.getFileName()
                + " is no longer at " + session.checkpoint() + "; choose its folder", locate);
        if (checkpoint.isEmpty()) {
            notices.add(file + ": not opened: its checkpoint " + session.checkpoint() + " was not found");
            return;
        }
        Optional<Path> data = session.calibration().data() == null ? Optional.empty()
                : existing(session.calibration().data(), "the calibration data of " + file.getFileName()
                + " is no longer at " + session.calibration().data() + "; choose its folder", locate);
        jobs.start("Opening session " + file.getFileName(), job -> {
            String digest = workbench.digest(checkpoint.get());
            if (!digest.equals(session.digest())) {
                throw new PlateauException(file + ": the checkpoint " + checkpoint.get() + " changed since the session "
                        + "was saved (its config or weights' layout differ); nothing was opened");
            }
            return workbench.open(checkpoint.get());
        }, opened -> {
            recentSessions.setAll(workbench.recentSessions().add(file));
            useModel(opened);
            SessionFile.Calibration c = session.calibration();
            samples.set(c.samples());
            seed.set(c.seed());
            device.set(c.device());
            fixedTime.set(c.time().isPresent());
            c.time().ifPresent(time::set);
            cameras.set(c.cameras());
            notes.set(session.notes());
            exports.clear();
            exports.addAll(session.exports());
            runs.clear();
            runs.addAll(session.runs());
            criterion.set(session.criterion());
            Runnable restore = () -> restore(session);
            if (data.isPresent()) {
                dataFolder.set(data.get());
                calibrate(restore);
            } else {
                restore.run();
                if (session.calibration().data() != null) {
                    notices.add(file.getFileName() + ": its calibration data " + session.calibration().data()
                            + " was not found; choose the data folder and calibrate to see the figures");
                }
            }
        }, notices::add);
    }

    private static Optional<Path> existing(Path saved, String question, Function<String, Optional<Path>> locate) {
        return Files.isDirectory(saved) ? Optional.of(saved) : locate.apply(question).filter(Files::isDirectory);
    }

    /** Puts every module's saved plan back, once the calibration is shown. */
    private void restore(SessionFile session) {
        restoring = true;
        session.modules().forEach((name, m) -> {
            ModuleSettings s = settings.get(name);
            if (s != null) {
                s.restore(new ModuleSettings.Snapshot(m.tau(), m.autoTau(), m.k(), m.fixed().orElse(null),
                        m.follows().orElse(null)));
            }
        });
        restoring = false;
        tokenType.set(session.tokenType());
        undo.clear();
        redo.clear();
        updateUndo();
        replan();
    }

    /** Free-text notes of the study, kept in its session file. */
    public StringProperty notesProperty() {
        return notes;
    }

    /** Session files opened or saved, the newest first. */
    public ObservableList<Path> recentSessions() {
        return recentSessions;
    }

    /**
     * Writes the study report in the background: the calibration's figures in the current criterion's metric, the
     * plan, the estimates, the criteria compared, the latent preview when computed, and the provenance.
     */
    public void exportReport(Path out) {
        Analysis analysis = analysis();
        OpenedModel opened = model.get();
        if (analysis == null || opened == null) {
            notices.add("Calibrate first: the report shows the calibration and the plan made from it.");
            return;
        }
        Optional<Plan> current = Optional.ofNullable(plan.get());
        Optional<LatentPreview> preview = Optional.ofNullable(latent.get());
        String metric = criterion.get();
        jobs.start("Report", job -> {
            workbench.report(opened, analysis, current, metric, preview, out);
            return out;
        }, written -> notices.add("wrote the report " + written), notices::add);
    }

    /**
     * Every k of {@code module} that the model's rules allow, with what it removes, costs and gives up, by the current
     * criterion (auto-tau); empty, with a notice, before a calibration.
     */
    public List<SweepPoint> sweep(String module) {
        Analysis analysis = analysis();
        if (analysis == null || model.get() == null) {
            notices.add("Calibrate first: the sweep plans every k from the calibration.");
            return List.of();
        }
        try {
            return workbench.sweep(model.get(), analysis, module, criterion.get());
        } catch (PlateauException e) {
            notices.add(e.getMessage());
            return List.of();
        }
    }

    /**
     * What each criterion (every metric of the analysis, then the random and keep-first baselines) removes from
     * {@code module} at the module's current budget, with auto-tau, under the model's rules.
     */
    public List<CriterionChoice> compareCriteria(String module) {
        Analysis analysis = analysis();
        Plan current = plan.get();
        if (analysis == null || current == null || !analysis.modules().containsKey(module)) {
            return List.of();
        }
        int k = Optional.ofNullable(current.modules().get(module)).map(m -> m.remove().size()).orElse(0);
        List<CriterionChoice> out = new ArrayList<>();
        workbench.compareCriteria(model.get(), analysis, module, k, seed.get(), (code, reason) -> notices.add(reason))
                .forEach((code, m) -> out.add(new CriterionChoice(code, m.tau(), m.remove())));
        return out;
    }

    // ---- previews and export

    /** Measures the forward time of the base and the pruned model on the calibration data. */
    public void measureLatency() {
        if (!requireRun()) {
            return;
        }
        AnalysedRun r = run.get();
        Plan p = plan.get();
        jobs.start("Latency measurement", job -> workbench.latency(r, p, job::isCancelled,
                (module, layer, depth) -> job.progress(-1, 0, "running " + module)), latency::set, notices::add);
    }

    /** Projects the selected layer of the base and the pruned model on the base model's principal components. */
    public void computeLatent(String module, int layer, int components) {
        if (!requireRun()) {
            return;
        }
        AnalysedRun r = run.get();
        Plan p = plan.get();
        jobs.start("PCA preview", job -> workbench.latent(r, p, module, layer, components, job::isCancelled,
                (m, l, depth) -> job.progress(-1, 0, "running the pruned model: " + m)), latent::set, notices::add);
    }

    private boolean requireRun() {
        if (run.get() == null || plan.get() == null) {
            notices.add("calibrate first: the preview runs the model on the calibration data");
            return false;
        }
        return true;
    }

    /** What an export of the current plan would change. */
    public ExportPreview exportPreview() {
        return workbench.exportPreview(model.get().spec().folder(), plan.get());
    }

    /**
     * Exports the current plan to {@code out} in the background; {@code done} gets the result with its verification,
     * or {@code failed} the reason nothing was written.
     */
    public void export(Path out, boolean replace, Consumer<Exporter.Result> done, Consumer<String> failed) {
        Path source = model.get().spec().folder();
        Plan p = plan.get();
        jobs.start("Export", job -> workbench.prune(source, p, out, replace,
                (written, total) -> job.progress(written, total, String.format(Locale.ROOT,
                        "%.0f of %.0f MB written", written / 1e6, total / 1e6)), job::isCancelled), result -> {
            exported.set(result);
            done.accept(result);
        }, failed);
    }

    /** Cancels the running job, if any. */
    public void cancel() {
        Job job = jobs.currentProperty().get();
        if (job != null) {
            job.cancel();
        }
    }

    // ---- properties

    public Jobs jobs() {
        return jobs;
    }

    public ReadOnlyObjectProperty<OpenedModel> modelProperty() {
        return model.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<AnalysedRun> runProperty() {
        return run.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Plan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Estimate> estimateProperty() {
        return estimate.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Latency> latencyProperty() {
        return latency.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<LatentPreview> latentProperty() {
        return latent.getReadOnlyProperty();
    }

    /** The fine-tuning tab's state; its checkpoint follows the last export. */
    public FinetuneViewModel finetune() {
        return finetune;
    }

    public StringProperty camerasProperty() {
        return cameras;
    }

    /** One line on the chosen calibration data, empty until read. */
    public StringProperty dataSummaryProperty() {
        return dataSummary;
    }

    public ReadOnlyObjectProperty<Exporter.Result> exportedProperty() {
        return exported.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    public StringProperty criterionProperty() {
        return criterion;
    }

    /**
     * Which tokens the heatmap, the profile and the plan are computed over: {@link #ALL_TOKENS}, or one token type
     * ({@code image}, {@code language}, ...); a module without tokens of that type stays over all of its tokens.
     */
    public StringProperty tokenTypeProperty() {
        return tokenType;
    }

    /** The token types the current run was analysed over, after {@link #ALL_TOKENS}. */
    public List<String> tokenTypes() {
        List<String> out = new ArrayList<>(List.of(ALL_TOKENS));
        if (run.get() != null) {
            out.addAll(run.get().analysis().tokenTypes());
        }
        return out;
    }

    /** The current run's analysis over the selected tokens; null before a calibration. */
    public Analysis analysis() {
        AnalysedRun r = run.get();
        if (r == null) {
            return null;
        }
        String type = tokenType.get();
        return type == null || type.equals(ALL_TOKENS) ? r.analysis() : r.analysis().ofTokenType(type);
    }

    public StringProperty selectedModuleProperty() {
        return selectedModule;
    }

    public IntegerProperty selectedLayerProperty() {
        return selectedLayer;
    }

    public ObjectProperty<Path> dataFolderProperty() {
        return dataFolder;
    }

    public IntegerProperty samplesProperty() {
        return samples;
    }

    public LongProperty seedProperty() {
        return seed;
    }

    public StringProperty deviceProperty() {
        return device;
    }

    public BooleanProperty fixedTimeProperty() {
        return fixedTime;
    }

    public DoubleProperty timeProperty() {
        return time;
    }

    /** Messages for the user, oldest first; the window shows each as it arrives. */
    public ObservableList<String> notices() {
        return notices;
    }

    public ObservableList<Path> recent() {
        return recent;
    }
}
