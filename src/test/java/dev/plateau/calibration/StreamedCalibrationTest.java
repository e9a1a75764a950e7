package dev.plateau.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.LinearCka;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.analysis.TokenType;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelDetector;
import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real forward pass (the builder SmolVLA, random weights) streamed into statistics, against the whole-layer analysis
 * of the same states written with --states: every module, every metric, all tokens and each type; a run extended by
 * more samples against one run of them all; and the heatmap's estimate of distant pairs against exact.
 */
class StreamedCalibrationTest {
    private static final Path DATA = Path.of("assets/demo-calibration");
    private static final long EXACT = Long.MAX_VALUE;

    @TempDir
    static Path dir;
    private static Path checkpoint;

    @BeforeAll
    static void model() {
        checkpoint = new Workbench(dir).synthesize("smolvla", false, dir.resolve("smolvla"), 0, 5, true);
    }

    private static Calibrator.Result run(int samples, int batch, StatisticsSettings statistics,
                                         Calibrator.Outputs outputs) throws Exception {
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            return Calibrator.calibrate(c, ModelDetector.detect(c), DATA, DatasetInputs.DEFAULT, samples, 9,
                    OptionalDouble.empty(), "cpu", Map.of(), new Calibrator.Settings(batch, statistics), outputs,
                    () -> false, Calibrator.Progress.NONE);
        }
    }

    @Test
    void streamedStatisticsEqualTheAnalysisOfTheSameStates() throws Exception {
        Path states = dir.resolve("states.safetensors");
        Calibrator.Result r = run(5, 2, StatisticsSettings.of(9, EXACT), new Calibrator.Outputs(
                Optional.of(RunFiles.of(dir.resolve("run.json"))), Optional.of(states), Optional.empty()));
        assertEquals(5, r.samples());
        double worst = 0;
        try (ActivationFile file = ActivationFile.open(states); NDManager manager = NDManager.newBaseManager()) {
            assertEquals(List.of("vision", "vlm", "expert"), List.copyOf(file.modules().keySet()));
            for (ActivationFile.Module module : file.modules().values()) {
                ModuleAnalysis streamed = r.analysis().modules().get(module.name());
                List<NDArray> layers = new ArrayList<>();
                for (int l = 0; l < module.layers().size(); l++) {
                    layers.add(file.layer(module.name(), l, manager));
                }
                assertEquals(module.tokens(), streamed.tokens());
                worst = Math.max(worst, difference(LinearCka.allPairs(layers), streamed.metrics().get(Metric.CKA)));
                for (Metric m : List.of(Metric.COSINE, Metric.ANGULAR, Metric.BI)) {
                    assertTrue(difference(dev.plateau.analysis.TokenSimilarity.allPairs(layers, m),
                            streamed.metrics().get(m)) < 1e-6, module.name() + " " + m);
                }
                byte[] types = file.tokenTypes(module.name()).orElseThrow();
                for (String label : streamed.tokenTypes().keySet()) {
                    byte code = TokenType.ofLabel(label).orElseThrow().code();
                    long[] rows = IntStream.range(0, types.length).filter(i -> types[i] == code)
                            .mapToLong(i -> i).toArray();
                    NDArray index = manager.create(rows);
                    List<NDArray> ofType = layers.stream().map(x -> x.get(new NDIndex("{}", index))).toList();
                    ModuleAnalysis typed = streamed.ofType(label).orElseThrow();
                    assertEquals(rows.length, typed.tokens(), module.name() + " " + label);
                    if (rows.length > 1) {
                        worst = Math.max(worst, difference(LinearCka.allPairs(ofType), typed.metrics().get(
                                Metric.CKA)));
                    }
                }
            }
        }
        System.out.printf("largest CKA difference, streamed vs whole layers: %.2e%n", worst);
        assertTrue(worst < 1e-6, "largest CKA difference, streamed vs whole layers: " + worst);
        Analysis written = RunFiles.of(dir.resolve("run.json")).read();
        assertEquals(r.analysis().modules().keySet(), written.modules().keySet());
        assertEquals(List.of("image", "language", "state", "action"), written.tokenTypes());
    }

    @Test
    void samplesAddedLaterEqualOneRunOfThemAll() throws Exception {
        StatisticsSettings settings = StatisticsSettings.of(9, EXACT);
        // batches of 3: the halves' batches are the whole run's, so that even minibatch CKA (whose minibatches are cut
        // within a forward batch) is the same; every other statistic is independent of the batching
        Calibrator.Result whole = run(6, 3, settings, Calibrator.Outputs.run(dir.resolve("whole.json")));
        RunFiles first = RunFiles.of(dir.resolve("first.json"));
        run(3, 3, settings, Calibrator.Outputs.run(first.analysis()));
        Calibrator.Result added = run(3, 3, settings, new Calibrator.Outputs(Optional.of(RunFiles.of(
                dir.resolve("added.json"))), Optional.empty(), Optional.of(first)));
        assertEquals(6, added.samples());
        assertEquals(3, added.added());
        assertEquals(whole.analysis().metadata().get("drawn"), added.analysis().metadata().get("drawn"),
                "the added samples continue the seeded draw");
        for (String module : whole.analysis().modules().keySet()) {
            ModuleAnalysis a = whole.analysis().modules().get(module);
            ModuleAnalysis b = added.analysis().modules().get(module);
            assertEquals(a.tokens(), b.tokens());
            for (Metric m : Metric.values()) {
                double d = difference(a.metrics().get(m), b.metrics().get(m));
                assertTrue(d < (m == Metric.MSE ? 1e-6 * maxAbs(a.metrics().get(m)) : 1e-6), module + " " + m + " " + d);
            }
        }
        try (ActivationFile a = ActivationFile.open(RunFiles.of(dir.resolve("whole.json")).sample());
             ActivationFile b = ActivationFile.open(RunFiles.of(dir.resolve("added.json")).sample());
             NDManager manager = NDManager.newBaseManager()) {
            assertArrayEquals(a.tokenTypes("vlm").orElseThrow(), b.tokenTypes("vlm").orElseThrow());
            float[] x = a.layer("vlm", 3, manager).toFloatArray();
            float[] y = b.layer("vlm", 3, manager).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-4 * Math.max(1, Math.abs(x[i])), "the same tokens are sampled");
            }
        }
    }

    @Test
    void theEstimateOfDistantPairsStaysCloseToExactOnRealStates() throws Exception {
        Calibrator.Result exact = run(4, 4, new StatisticsSettings(9, 256, 256, EXACT), Calibrator.Outputs.NONE);
        Calibrator.Result estimated = run(4, 4, new StatisticsSettings(9, 256, 256, 0), Calibrator.Outputs.NONE);
        ModuleAnalysis x = exact.analysis().modules().get("vision");
        SimilarityMatrix e = estimated.analysis().modules().get("vision").metrics().get(Metric.CKA);
        assertTrue(x.tokens() > 256, "the vision tower has more tokens than the sample: " + x.tokens());
        double worst = difference(x.metrics().get(Metric.CKA), e);
        System.out.printf("vision CKA of distant pairs from 256 of %d tokens: max error %.4f%n", x.tokens(), worst);
        assertTrue(worst < 0.05, "unbiased CKA of 256 of " + x.tokens() + " tokens: max error " + worst);
        double[] adjacentExact = x.metrics().get(Metric.CKA).adjacent();
        double[] adjacentEstimated = e.adjacent();
        for (int i = 1; i < adjacentExact.length; i++) {
            assertEquals(adjacentExact[i], adjacentEstimated[i], 1e-9, "the profile stays exact");
        }
    }

    private static double maxAbs(SimilarityMatrix m) {
        double out = 0;
        for (double[] row : m.values()) {
            for (double v : row) {
                out = Math.max(out, Math.abs(v));
            }
        }
        return out;
    }

    private static double difference(SimilarityMatrix a, SimilarityMatrix b) {
        double worst = 0;
        for (int i = 0; i < a.layers(); i++) {
            for (int j = 0; j < a.layers(); j++) {
                worst = Math.max(worst, Math.abs(a.get(i, j) - b.get(i, j)));
            }
        }
        return worst;
    }
}
