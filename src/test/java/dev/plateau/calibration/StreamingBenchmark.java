package dev.plateau.calibration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Benchmark (run by bench/calibrate-at-scale.sh, not by the tests): one streamed calibration of a checkpoint on the
 * CPU, printing one JSON line: wall time, the forward pass's time and its throughput against the float32 GEMM peak
 * measured in the same process, and the statistics' time (folding every batch in, the analysis, writing the run)
 * against the forward's. The forward's multiply-adds are counted from the spec: every token of a module through every
 * layer's weights (2 x params per token and layer); attention's n^2 terms are left out, so the throughput is a lower
 * bound. Arguments: CHECKPOINT DATA SAMPLES OUT.json [BATCH [exact]] ({@code exact}: exact statistics for the
 * distant layer pairs too, as {@code --exact-heatmap}).
 */
public final class StreamingBenchmark {
    private StreamingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[0]);
        int samples = Integer.parseInt(args[2]);
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : Calibrator.BATCH;
        boolean exact = args.length > 5 && args[5].equals("exact");
        double peak = gemmPeak();
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            ModelSpec spec = ModelDetector.detect(c);
            long t0 = System.nanoTime();
            Calibrator.Result r = Calibrator.calibrate(c, spec, Path.of(args[1]), DatasetInputs.DEFAULT, samples, 0,
                    OptionalDouble.empty(), "cpu", Map.of(), new Calibrator.Settings(batch,
                            StatisticsSettings.of(0, exact ? Long.MAX_VALUE : 0)), Calibrator.Outputs.run(
                            Path.of(args[3])),
                    () -> false, Calibrator.Progress.NONE);
            double wall = (System.nanoTime() - t0) / 1e9;
            double flops = 0;
            for (ModuleSpec m : spec.modules()) {
                flops += 2.0 * r.tokens().get(m.name()) * m.params();
            }
            double forward = r.forwardNanos() / 1e9;
            double statistics = r.statisticsNanos() / 1e9;
            System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"samples\": %d, \"batch\": %d, \"exact_heatmap\": %b, "
                            + "\"wall_s\": %.1f, "
                            + "\"forward_s\": %.1f, \"statistics_s\": %.1f, \"statistics_over_forward\": %.3f, "
                            + "\"forward_gflops\": %.1f, \"gemm_peak_gflops\": %.1f, \"fraction_of_peak\": %.2f, "
                            + "\"estimate\": \"%s\"}%n", spec.family().code(), r.samples(), batch, exact, wall, forward,
                    statistics, statistics / forward, flops / forward / 1e9, peak, flops / forward / 1e9 / peak,
                    r.memory().summary());
        }
    }

    /** The best of six float32 2048^3 products on the default device, in GFLOP/s. */
    static double gemmPeak() {
        double peak = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(2048, 2048));
            for (int r = 0; r < 6; r++) {
                long t0 = System.nanoTime();
                a.matMul(a).getFloat(0, 0);
                peak = Math.max(peak, 2.0 * 2048 * 2048 * 2048 / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
        }
        return peak;
    }
}
