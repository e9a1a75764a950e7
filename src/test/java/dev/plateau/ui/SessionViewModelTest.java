package dev.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.analysis.Metric;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.LatentPreview;
import dev.plateau.workbench.Workbench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The window's state and behaviour without the FX toolkit: jobs run on the calling thread. */
class SessionViewModelTest {
    @TempDir
    static Path home;
    @TempDir
    Path scratch;

    private SessionViewModel vm;

    @BeforeAll
    static void calibrateDemoOnce() {
        SessionViewModel first = new SessionViewModel(new Workbench(home), new Jobs(Runnable::run, Runnable::run));
        first.openDemo();
        assertNotNull(first.runProperty().get(), () -> "demo calibration failed: " + first.notices());
    }

    @BeforeEach
    void openDemo() {
        vm = new SessionViewModel(new Workbench(home), new Jobs(Runnable::run, Runnable::run));
        vm.openDemo();
        assertTrue(vm.runProperty().get().cached(), "the second opening reads the session cache");
        assertTrue(vm.notices().isEmpty(), vm.notices()::toString);
    }

    private double[] profile(String module) {
        return vm.runProperty().get().analysis().modules().get(module).metrics().get(Metric.CKA).adjacent();
    }

    private List<Integer> removed(String module) {
        return vm.planProperty().get().modules().get(module).remove();
    }

    /** The k layers (index >= 1) with the highest adjacent score, by a plain sort. */
    private static List<Integer> topK(double[] profile, int k) {
        return IntStream.range(1, profile.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -profile[i])).limit(k).sorted().toList();
    }

    @Test
    void aTokenTypeSelectsEachModulesStatisticsOverThoseTokens() {
        assertEquals(List.of("all", "image", "language", "state", "action"), vm.tokenTypes());
        var all = vm.runProperty().get().analysis();
        vm.tokenTypeProperty().set("language");
        var language = all.modules().get("vlm").ofType("language").orElseThrow();
        assertEquals(language.tokens(), vm.analysis().modules().get("vlm").tokens());
        assertEquals(java.util.Arrays.deepToString(language.metrics().get(Metric.CKA).values()),
                java.util.Arrays.deepToString(vm.analysis().modules().get("vlm").metrics().get(Metric.CKA).values()));
        assertEquals(all.modules().get("expert").tokens(), vm.analysis().modules().get("expert").tokens(),
                "the expert has no language tokens: it keeps all of its own");
        assertEquals(java.util.Arrays.stream(language.metrics().get(Metric.CKA).adjacent()).boxed().toList(),
                vm.planProperty().get().modules().get("vlm").scores(), "the plan follows the language tokens' profile");
        vm.tokenTypeProperty().set(SessionViewModel.ALL_TOKENS);
        assertEquals(all.modules().get("vlm").tokens(), vm.analysis().modules().get("vlm").tokens());
    }

    @Test
    void addingSamplesRunsOnlyTheNewOnesAndUpdatesEveryFigure(@TempDir Path otherHome) {
        SessionViewModel fresh = new SessionViewModel(new Workbench(otherHome), new Jobs(Runnable::run,
                Runnable::run));
        fresh.openDemo();
        long before = fresh.runProperty().get().analysis().modules().get("expert").tokens();
        int samples = fresh.samplesProperty().get();
        fresh.addSamples(4);
        assertTrue(fresh.notices().isEmpty(), fresh.notices()::toString);
        var grown = fresh.runProperty().get();
        assertEquals(samples + 4, grown.request().samples());
        assertEquals(samples + 4, fresh.samplesProperty().get());
        assertEquals(before / samples * (samples + 4), grown.analysis().modules().get("expert").tokens());
        assertEquals(Integer.toString(samples + 4), grown.analysis().metadata().get("samples"));
        assertNotNull(fresh.planProperty().get());
    }

    @Test
    void theDemoOpensWithThePapersBudgetAndTheExpertFollowingTheVlm() {
        assertEquals(6, removed("vlm").size());
        assertEquals(removed("vlm"), removed("expert"));
        assertTrue(vm.planProperty().get().problems().isEmpty(), vm.planProperty().get().problems()::toString);
        assertEquals("vlm", vm.selectedModuleProperty().get());
    }

    @Test
    void kAndTauDriveTheRemovalSet() {
        double[] p = profile("vision");
        vm.setK("vision", 3);
        assertEquals(topK(p, 3), removed("vision"), "auto-tau with k = 3 removes the three most similar layers");
        double[] sorted = IntStream.range(1, p.length).mapToDouble(i -> p[i]).sorted().toArray();
        double between = (sorted[sorted.length - 2] + sorted[sorted.length - 3]) / 2;
        vm.setTau("vision", between);
        assertEquals(topK(p, 2), removed("vision"), "only two layers reach the stricter tau");
        assertFalse(vm.planProperty().get().modules().get("vision").notes().isEmpty(), "the shortfall is explained");
        vm.setTau("vision", sorted[0] - 1e-9);
        assertEquals(topK(p, 3), removed("vision"), "every layer reaches the loosest tau; k caps the removal");
    }

    @Test
    void undoAndRedoWalkThroughTheEdits() {
        List<Integer> start = removed("vision");
        vm.setK("vision", 2);
        List<Integer> two = removed("vision");
        vm.setAutoTau("vision");
        vm.setK("expert", 3);
        vm.undo();
        vm.undo();
        assertEquals(two, removed("vision"));
        vm.undo();
        assertEquals(start, removed("vision"));
        assertFalse(vm.canUndoProperty().get());
        vm.redo();
        assertEquals(two, removed("vision"));
        assertTrue(vm.canRedoProperty().get());
    }

    @Test
    void thePapersPlanIsOfferedOnlyForTheFamiliesTheTableGivesOneFor() {
        assertTrue(vm.hasPaperPlanProperty().get(), "SmolVLA: Table 5 has a plan");
        Path pi05 = new Workbench(home).synthesize("pi05", false, scratch.resolve("pi05"), 0, 1, false);
        vm.open(pi05);
        assertEquals("pi05", vm.modelProperty().get().spec().family().code());
        assertFalse(vm.hasPaperPlanProperty().get(), "pi0.5: Table 5 has none");
    }

    @Test
    void theWindowAndPlateauPlanGiveTheSamePlanTiedAndUntied() {
        Path analysis = vm.runProperty().get().files().analysis();
        Path checkpoint = vm.modelProperty().get().spec().folder();
        vm.setK("vlm", 4);
        Plan cli = new Workbench(home).plan(analysis, Optional.of(checkpoint), "cka", 0, OptionalDouble.empty(),
                Map.of("vlm", 4), true, scratch.resolve("tied.json"));
        assertEquals(cli.modules().get("vlm").remove(), removed("vlm"));
        assertEquals(cli.modules().get("vlm").remove(), cli.modules().get("expert").remove(), "tied: the same layers");
        assertEquals(cli.modules().get("expert").remove(), removed("expert"));

        vm.setFollows("expert", null);
        vm.setK("expert", 4);
        Plan untied = new Workbench(home).plan(analysis, Optional.of(checkpoint), "cka", 0, OptionalDouble.empty(),
                Map.of("vlm", 4, "expert", 4), false, scratch.resolve("untied.json"));
        assertEquals(untied.modules().get("vlm").remove(), removed("vlm"));
        assertEquals(untied.modules().get("expert").remove(), removed("expert"));
    }

    @Test
    void unequalDepthsOfVlmAndExpertAreExplainedAndCannotBeExported() {
        vm.setFollows("expert", null);
        vm.setK("expert", 4);
        Plan plan = vm.planProperty().get();
        assertEquals(1, plan.problems().size(), plan.problems()::toString);
        assertTrue(plan.problems().getFirst().contains("vlm would keep 10 layers but expert 12"),
                plan.problems().getFirst());
        assertTrue(plan.problems().getFirst().contains("remove as many layers from vlm as from expert"));
        assertFalse(vm.exportPreview().exportable());
    }

    @Test
    void thePapersPlanIsLoadedAsFixedSets() {
        vm.loadPaperPlan();
        assertEquals(List.of(1, 2, 5, 6, 14, 15), removed("vlm"));
        assertEquals(List.of(1, 2, 5, 6, 14, 15), removed("expert"));
        assertTrue(vm.planProperty().get().problems().isEmpty());
        vm.undo();
        assertNull(vm.settings().get("vlm").fixedProperty().get(), "undo returns to Algorithm 1");
        assertEquals("vlm", vm.settings().get("expert").followsProperty().get());
    }

    @Test
    void parameterEstimatesSubtractTheRemovedLayersTensors() throws IOException {
        vm.loadPaperPlan();
        long removedParams = 0;
        try (Checkpoint c = Checkpoint.open(vm.modelProperty().get().spec().folder())) {
            for (var e : c.tensors().entrySet()) {
                for (int i : List.of(1, 2, 5, 6, 14, 15)) {
                    if (e.getKey().contains("text_model.layers." + i + ".")
                            || e.getKey().contains("lm_expert.layers." + i + ".")) {
                        removedParams += e.getValue().info().shape().stream().reduce(1L, (a, b) -> a * b);
                    }
                }
            }
        }
        var estimate = vm.estimateProperty().get();
        assertEquals(estimate.params() - removedParams, estimate.prunedParams());
        assertTrue(estimate.prunedGflops() < estimate.gflops());
    }

    @Test
    void aFolderThatIsNoCheckpointGivesOneMessageAndKeepsTheModel() throws IOException {
        Path notACheckpoint = Files.createDirectories(scratch.resolve("holiday-photos"));
        var before = vm.modelProperty().get();
        vm.open(notACheckpoint);
        assertEquals(1, vm.notices().size());
        assertTrue(vm.notices().getFirst().contains("holiday-photos"), vm.notices().getFirst());
        assertEquals(before, vm.modelProperty().get());
    }

    @Test
    void calibrationDataThatDoesNotFitTheModelIsReported() throws IOException {
        Path data = Files.createDirectories(scratch.resolve("text-only"));
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"pick up the cube\"}\n");
        vm.dataFolderProperty().set(data);
        vm.samplesProperty().set(1);
        vm.calibrate();
        assertEquals(1, vm.notices().size());
        assertTrue(vm.notices().getFirst().contains("needs at least one camera image"), vm.notices().getFirst());
        assertTrue(vm.runProperty().get().cached(), "the previous analysis stays");
    }

    @Test
    void aCancelledCalibrationWritesNothing() throws Exception {
        SessionViewModel background = new SessionViewModel(new Workbench(home), Jobs.background(Runnable::run));
        background.openDemo();
        await(() -> background.runProperty().get() != null && !background.jobs().busy());
        background.seedProperty().set(777);
        CalibrationRequest fresh = background.request();
        assertFalse(new Workbench(home).isCached(fresh));
        background.calibrate();
        background.cancel();
        await(() -> !background.jobs().busy());
        assertTrue(background.notices().getLast().contains("cancelled"), background.notices()::toString);
        try (Stream<Path> files = Files.walk(home.resolve("sessions"))) {
            List<Path> partial = files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().contains(".part")
                            || f.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), partial);
        }
        assertFalse(new Workbench(home).isCached(fresh));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void exportWritesAVerifiedCheckpointAndAnUnwritableFolderWritesNothing() throws IOException {
        vm.loadPaperPlan();
        List<String> failures = new ArrayList<>();
        AtomicReference<dev.plateau.prune.Exporter.Result> result = new AtomicReference<>();
        Path out = scratch.resolve("pruned");
        vm.export(out, false, result::set, failures::add);
        assertEquals(List.of(), failures);
        assertTrue(result.get().verification().ok(), result.get().verification().problems()::toString);
        assertEquals(10, result.get().verification().spec().module("vlm").orElseThrow().layerCount());

        Path blocker = Files.writeString(scratch.resolve("a-file"), "x");
        vm.export(blocker.resolve("pruned"), false, result::set, failures::add);
        assertEquals(1, failures.size());
        assertTrue(failures.getFirst().contains("a-file"), failures.getFirst());
        assertFalse(Files.exists(blocker.resolve("pruned")));
    }

    @Test
    void theLatentPreviewOfALayerBeforeTheFirstRemovedOneIsTheBaseModels() {
        vm.loadPaperPlan();
        vm.computeLatent("vlm", 0, 3);
        LatentPreview p = vm.latentProperty().get();
        assertNotNull(p, vm.notices()::toString);
        assertEquals(0, p.prunedLayer());
        assertEquals(p.base().length, p.types().length);
        for (int i = 0; i < p.base().length; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(p.base()[i][c], p.pruned()[i][c], 1e-3 * (1 + Math.abs(p.base()[i][c])));
            }
        }
        vm.computeLatent("vlm", 2, 3);
        assertEquals(0, vm.latentProperty().get().prunedLayer(), "layers 1 and 2 are removed: layer 0's output");
    }

    @Test
    void latencyIsMeasuredForBothModels() {
        vm.loadPaperPlan();
        vm.measureLatency();
        var latency = vm.latencyProperty().get();
        assertNotNull(latency, vm.notices()::toString);
        assertTrue(latency.baseMillis() > 0 && latency.prunedMillis() > 0);
    }

    @Test
    void everyCriterionIsComparedAtTheSameBudget() {
        var choices = vm.compareCriteria("vision");
        assertEquals(Metric.values().length + 2, choices.size());
        assertTrue(choices.stream().allMatch(c -> c.removed().isEmpty()), "vision has k = 0");
        vm.setK("vision", 2);
        choices = vm.compareCriteria("vision");
        assertTrue(choices.stream().allMatch(c -> c.removed().size() == 2));
        assertEquals(List.of(10, 11), choices.stream().filter(c -> c.criterion().equals("keep-first")).findFirst()
                .orElseThrow().removed());
    }

    @Test
    void theReportHoldsTheWindowsStudyWithItsLatentPreview() throws Exception {
        vm.loadPaperPlan();
        Path page = scratch.resolve("study.html");
        vm.exportReport(page);
        String html = Files.readString(page);
        assertEquals(6, html.split("<svg", -1).length - 1, "heatmap and profile of vision, vlm and expert");
        assertTrue(html.contains("removes [1, 2, 5, 6, 14, 15], keeps 10"), "the plan loaded in the window");
        vm.computeLatent("vlm", 2, 3);
        vm.exportReport(page);
        html = Files.readString(page);
        assertEquals(8, html.split("<svg", -1).length - 1, "and the base and pruned latent geometry");
        assertTrue(html.contains("<h2>Latent geometry</h2>"));
        assertTrue(vm.notices().getLast().startsWith("wrote the report"), vm.notices()::toString);
    }

    @Test
    void aSavedSessionReopensToTheSamePlanFiguresAndNotes() throws Exception {
        vm.loadPaperPlan();
        vm.setK("vision", 3);
        vm.criterionProperty().set("cosine");
        vm.tokenTypeProperty().set("image");
        vm.notesProperty().set("Table 5 for the VLM and the expert;\nthe vision tower loses 3 layers.");
        Path file = scratch.resolve("study.plateau");
        vm.saveSession(file);
        assertTrue(vm.notices().getLast().startsWith("saved the session"), vm.notices()::toString);

        SessionViewModel reopened = new SessionViewModel(new Workbench(home), new Jobs(Runnable::run, Runnable::run));
        reopened.openSession(file, question -> {
            throw new AssertionError("nothing moved, nothing to ask: " + question);
        });
        assertEquals(List.of(), reopened.notices().stream().filter(n -> !n.startsWith("running on")).toList());
        vm.planProperty().get().modules().forEach((name, m) -> assertEquals(m.remove(),
                reopened.planProperty().get().modules().get(name).remove(), name));
        assertEquals(List.of(1, 2, 5, 6, 14, 15), reopened.planProperty().get().modules().get("vlm").remove());
        assertEquals("cosine", reopened.criterionProperty().get());
        assertEquals("image", reopened.tokenTypeProperty().get());
        assertEquals(vm.notesProperty().get(), reopened.notesProperty().get());
        assertEquals(vm.estimateProperty().get(), reopened.estimateProperty().get());
        for (String module : List.of("vision", "vlm", "expert")) {
            assertArrayEquals(vm.analysis().modules().get(module).metrics().get(Metric.COSINE).values(),
                    reopened.analysis().modules().get(module).metrics().get(Metric.COSINE).values(),
                    module + ": the same figures");
        }
        assertFalse(reopened.canUndoProperty().get(), "opening is not an edit to undo");
        assertEquals(file, reopened.recentSessions().getFirst());
    }

    @Test
    void aMovedCheckpointIsAskedForAndAChangedOneRefused() throws Exception {
        Path checkpoint = scratch.resolve("mine");
        copyTree(vm.modelProperty().get().spec().folder(), checkpoint);
        vm.open(checkpoint);
        vm.setK("vision", 2);
        Path file = scratch.resolve("mine.plateau");
        vm.saveSession(file);
        Path moved = scratch.resolve("moved");
        Files.move(checkpoint, moved);

        List<String> asked = new ArrayList<>();
        SessionViewModel reopened = new SessionViewModel(new Workbench(home), new Jobs(Runnable::run, Runnable::run));
        reopened.openSession(file, question -> {
            asked.add(question);
            return Optional.of(moved);
        });
        assertEquals(1, asked.size());
        assertTrue(asked.getFirst().contains("is no longer at " + checkpoint), asked.getFirst());
        assertEquals(moved, reopened.modelProperty().get().spec().folder());
        assertEquals(2, reopened.planProperty().get().modules().get("vision").remove().size());

        Files.writeString(moved.resolve("config.json"), Files.readString(moved.resolve("config.json")) + "\n");
        SessionViewModel refused = new SessionViewModel(new Workbench(home), new Jobs(Runnable::run, Runnable::run));
        refused.openSession(file, question -> Optional.of(moved));
        assertTrue(refused.notices().getLast().contains("changed since the session was saved"),
                refused.notices()::toString);
        assertEquals(1, refused.notices().getLast().lines().count());
        assertNull(refused.modelProperty().get(), "nothing was opened");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void plateauDemoAsTheFirstStartShowsTheWelcome() {
        SessionViewModel vm = new SessionViewModel(new Workbench(scratch.resolve("demo-first")),
                new Jobs(Runnable::run, Runnable::run));
        vm.openOnStart(true);
        assertTrue(vm.notices().getLast().startsWith("Welcome to Plateau"), vm.notices()::toString);
        SessionViewModel again = new SessionViewModel(new Workbench(scratch.resolve("demo-first")),
                new Jobs(Runnable::run, Runnable::run));
        again.openOnStart(true);
        assertTrue(again.notices().stream().noneMatch(n -> n.startsWith("Welcome")), again.notices()::toString);
        assertEquals(new Workbench(scratch.resolve("demo-first")).demoCheckpoint(false),
                again.modelProperty().get().spec().folder(), "plateau demo always opens the demo");
    }

    @Test
    void theFirstStartOpensTheDemoWithAWelcomeAndLaterOnesTheLastCheckpoint() {
        Path fresh = scratch.resolve("fresh-home");
        SessionViewModel first = new SessionViewModel(new Workbench(fresh), new Jobs(Runnable::run, Runnable::run));
        first.openOnStart(false);
        assertTrue(first.notices().getLast().startsWith("Welcome to Plateau"), "the welcome is what the bar shows, "
                + "after the demo opened: " + first.notices());
        assertEquals(new Workbench(fresh).demoCheckpoint(false), first.modelProperty().get().spec().folder());
        Path checkpoint = new Workbench(fresh).synthesize("pi0", false, scratch.resolve("pi0"), Long.MAX_VALUE, 1,
                false);
        first.open(checkpoint);

        SessionViewModel second = new SessionViewModel(new Workbench(fresh), new Jobs(Runnable::run, Runnable::run));
        second.openOnStart(false);
        assertTrue(second.notices().isEmpty(), second.notices()::toString);
        assertEquals(checkpoint, second.modelProperty().get().spec().folder(), "the most recent checkpoint");
    }
}
