package dev.plateau.calibration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark (run by bench/calibrate-real-smolvla.sh, not by the tests): calibration of a real-size SmolVLA on the
 * demo set, its wall time, and the forward's multiply-adds counted from the shapes (vision tower, connector, VLM and
 * expert layers; the dominant terms) against the float32 GEMM peak measured in the same process.
 * Arguments: CHECKPOINT DATA SAMPLES OUT.
 */
public final class CalibrationBenchmark {
    private CalibrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[0]);
        int samples = Integer.parseInt(args[2]);
        double peak = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(2048, 2048));
            for (int r = 0; r < 6; r++) {
                long t0 = System.nanoTime();
                a.matMul(a).getFloat(0, 0);
                peak = Math.max(peak, 2.0 * 2048 * 2048 * 2048 / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
        }
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            ModelSpec spec = ModelDetector.detect(c);
            long t0 = System.nanoTime();
            Calibrator.Result r = Calibrator.calibrate(c, spec, Path.of(args[1]), DatasetInputs.DEFAULT, samples, 0,
                    java.util.OptionalDouble.empty(), "cpu", java.util.Map.of(), new Calibrator.Settings(
                    Calibrator.BATCH, StatisticsSettings.of(0, 1L << 30)), Calibrator.Outputs.run(Path.of(args[3])),
                    () -> false, Calibrator.Progress.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            // vision: 2 cameras per demo sample, 1024 patches of width 768, 12 layers (q, k, v, o: 4 d^2; MLP 2 d 3072;
            // attention 2 n d), the patch embedding (3 x 16 x 16 inputs); connector 64 x 12288 x 960 per image; text
            // layers over each prefix, the expert over 50 actions
            double images = 2.0 * r.samples();
            double vision = images * 12 * (1024.0 * (4 * 768 * 768 + 2 * 768 * 3072) + 2.0 * 1024 * 1024 * 768)
                    + images * 1024.0 * 768 * 3 * 16 * 16;
            double connector = images * 64.0 * 12288 * 960;
            double prefix = (double) r.tokens().get("vlm") / r.samples();
            double text = r.samples() * 16 * (prefix * (960.0 * 960 * 2 + 2 * 960 * 320 + 3 * 960 * 2560)
                    + 50.0 * (720.0 * 960 * 2 + 2 * 720 * 320 + 3 * 720 * 2048));
            double flops = 2 * (vision + connector + text);
            System.out.printf(Locale.ROOT, "{\"samples\": %d, \"seconds\": %.2f, \"gflop\": %.1f, \"gflops\": %.1f, "
                    + "\"gemm_peak_gflops\": %.1f, \"fraction_of_peak\": %.2f}%n", r.samples(), seconds, flops / 1e9,
                    flops / seconds / 1e9, peak, flops / seconds / 1e9 / peak);
        }
    }
}
