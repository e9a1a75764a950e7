package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.RunFiles;
import dev.plateau.calibration.MemoryEstimate;
import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plateau calibrate's run files, --add, and the memory estimate it checks a run against before it starts. */
class CalibrateRunTest {
    private static final String DATA = "assets/demo-calibration";

    @TempDir
    Path dir;

    private Path synth(String model, boolean realSize) {
        Path ckpt = dir.resolve(model + (realSize ? "-real" : ""));
        assertEquals(0, (realSize ? plateau("synth", model, "--real-size", "--out", ckpt.toString())
                : plateau("synth", model, "--out", ckpt.toString())).code());
        return ckpt;
    }

    @Test
    void aRunWritesItsAnalysisSampleAndStatisticsAndGrowsWithAdd() {
        Path ckpt = synth("smolvla", false);
        RunFiles run = RunFiles.of(dir.resolve("run.json"));
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", DATA, "--samples", "3", "--batch", "2",
                "--out", run.analysis().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("memory: about "), r.out());
        assertTrue(r.out().contains("batch 2 of 2 (1 samples)"), r.out());
        assertTrue(r.out().contains("wrote " + run.analysis() + ": 3 samples on cpu; vision "), r.out());
        assertTrue(r.out().contains("vlm ") && r.out().contains("expert 150 tokens"), r.out());
        assertTrue(run.exist());
        Analysis first = run.read();
        assertEquals("3", first.metadata().get("samples"));
        Cli.Result plan = plateau("plan", run.analysis().toString(), "--checkpoint", ckpt.toString(), "--k", "vlm=2",
                "--out", dir.resolve("plan.json").toString());
        assertEquals(0, plan.code(), "a run's analysis is what plan reads: " + plan.err());

        Cli.Result added = plateau("calibrate", "--add", "2", "--out", run.analysis().toString());
        assertEquals(0, added.code(), added.err());
        assertTrue(added.out().contains(": 5 samples (2 added) on cpu"), added.out());
        Analysis grown = run.read();
        assertEquals("5", grown.metadata().get("samples"));
        assertEquals(250, grown.modules().get("expert").tokens(), "50 action tokens per sample");
        assertEquals(250, grown.modules().get("expert").ofType("action").orElseThrow().tokens());
        assertTrue(grown.metadata().get("drawn").startsWith(first.metadata().get("drawn") + "; "),
                "the added samples continue the draw");
    }

    @Test
    void addingToNothingOrTooManyIsOneLine() {
        Cli.Result missing = plateau("calibrate", "--add", "2", "--out", dir.resolve("none.json").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("none.json: not found"), missing.err());

        Path ckpt = synth("llama", false);
        Path run = dir.resolve("all.json");
        assertEquals(0, plateau("calibrate", ckpt.toString(), "--data", DATA, "--samples", "100", "--out",
                run.toString()).code());
        Cli.Result none = plateau("calibrate", "--add", "4", "--out", run.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("there are none left to add"), none.err());
    }

    @Test
    void aRunThatWouldNotFitIsRefusedBeforeItStartsAndWritesNothing() {
        Path ckpt = synth("smolvla", false);
        Path run = dir.resolve("tight.json");
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", DATA, "--samples", "4", "--memory", "0.5",
                "--out", run.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("this run would need about") && r.err().contains("0.5 GB available"), r.err());
        assertFalse(Files.exists(run));
        assertFalse(Files.exists(RunFiles.of(run).sample()));
    }

    @Test
    void anExactHeatmapKeepsDistantPairsExactOnlyWhereTheyFit() {
        Path ckpt = synth("smolvla", false);
        Workbench workbench = new Workbench(dir);
        CalibrationRequest plain = new CalibrationRequest(ckpt, Path.of(DATA), 4, 0, OptionalDouble.empty(), "cpu");
        assertTrue(workbench.estimate(plain, false).exactDistant().values().stream().noneMatch(b -> b),
                "distant pairs are estimated unless an exact heatmap is asked for");
        CalibrationRequest request = plain.withExactHeatmap(true);
        MemoryEstimate roomy = workbench.estimate(request, false);
        assertTrue(roomy.exactDistant().values().stream().allMatch(b -> b), roomy.toString());
        // a byte short of everything: the last module's distant pairs no longer fit exactly
        long tight = roomy.total() - 1;
        MemoryEstimate narrow = workbench.estimate(request.withMemory(tight), false);
        assertTrue(narrow.fits());
        assertTrue(narrow.exactDistant().containsValue(false), narrow.toString());
        Path run = dir.resolve("narrow.json");
        workbench.calibrate(request.withMemory(tight), run, java.util.Optional.empty(), () -> false,
                (m, l, d) -> { });
        String module = narrow.exactDistant().entrySet().stream().filter(e -> !e.getValue()).findFirst()
                .orElseThrow().getKey();
        assertEquals("expert", module);
        assertEquals(java.util.Map.of("vision", true, "vlm", true, "expert", false),
                dev.plateau.analysis.StreamedStatistics.exactDistant(RunFiles.of(run).statistics()));
        // the builder's expert has 200 tokens, all in the sample: its distant pairs are still exact, from the sample
        assertTrue(RunFiles.of(run).read().modules().get(module).metrics().get(Metric.CKA).notes().stream()
                .noneMatch(n -> n.contains("estimates")), module);
    }

    @Test
    void theEstimateAtRealSizeDoesNotGrowWithTheSamplesButTheFullStatesDo() {
        Path ckpt = synth("smolvla", true);
        Workbench workbench = new Workbench(dir);
        CalibrationRequest four = new CalibrationRequest(ckpt, Path.of(DATA), 4, 0, OptionalDouble.empty(), "cpu");
        CalibrationRequest many = four.withSamples(256);
        MemoryEstimate a = workbench.estimate(four, false);
        MemoryEstimate b = workbench.estimate(many, false);
        assertEquals(a.parts().get("statistics"), b.parts().get("statistics"));
        assertEquals(a.parts().get("activations"), b.parts().get("activations"));
        assertTrue(b.parts().get("token sample") <= 2 * a.parts().get("token sample") + 1e9,
                "the token sample is capped by its quota");
        // the exact profile statistics by hand: vision 12 x 768 (image), vlm 16 x 960 (image, language, state),
        // expert 16 x 720 (action): types x (2L - 1) x d^2 x 8 bytes, plus the distant pairs where kept
        long profile = (23L * 768 * 768 + 3 * 31L * 960 * 960 + 31L * 720 * 720) * 8;
        assertTrue(a.parts().get("statistics") >= profile, a.summary());
        MemoryEstimate withStates = workbench.estimate(many.withMemory(1L << 50), true);
        assertTrue(withStates.parts().get("full states") > 20e9, withStates.summary());
    }
}
