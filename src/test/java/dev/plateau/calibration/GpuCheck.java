package dev.plateau.calibration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelDetector;
import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The device check (run by bench/gpu-check.sh on a machine with an NVIDIA GPU, not by the tests). For each builder
 * model (SmolVLA, pi0, GR00T-N1.5, Llama; seeded random weights) the same samples are calibrated on the CPU and on the
 * GPU: every layer's hidden states must agree to {@value #STATES} of the layer's largest magnitude (libtorch may use
 * TF32 in cuDNN convolutions, the patch embeddings), and the streamed statistics to {@value #STATISTICS} in every
 * metric. Then a real-size SmolVLA (zero weights) is calibrated on the GPU with SAMPLES samples and timed.
 * Arguments: WORK DATA SAMPLES. Prints one JSON line per check; exits 1 when one fails.
 */
public final class GpuCheck {
    static final double STATES = 1e-3;
    static final double STATISTICS = 1e-4;

    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path data = Path.of(args[1]);
        int samples = Integer.parseInt(args[2]);
        Workbench workbench = new Workbench(work.resolve("home"));
        boolean ok = true;
        for (String model : new String[] {"smolvla", "pi0", "gr00t", "llama"}) {
            Path ckpt = workbench.synthesize(model, false, work.resolve(model), 0, 7, true);
            Calibrator.Result cpu = run(ckpt, Path.of("assets/demo-calibration"), 4, "cpu", work.resolve(model + "-cpu"));
            Calibrator.Result gpu = run(ckpt, Path.of("assets/demo-calibration"), 4, "gpu", work.resolve(model + "-gpu"));
            double worstStates = 0;
            try (ActivationFile a = ActivationFile.open(work.resolve(model + "-cpu.safetensors"));
                 ActivationFile b = ActivationFile.open(work.resolve(model + "-gpu.safetensors"));
                 NDManager manager = NDManager.newBaseManager()) {
                for (ActivationFile.Module m : a.modules().values()) {
                    for (int l = 0; l < m.layers().size(); l++) {
                        NDArray x = a.layer(m.name(), l, manager);
                        NDArray y = b.layer(m.name(), l, manager);
                        double scale = Math.max(1e-12, x.abs().max().getFloat());
                        worstStates = Math.max(worstStates, x.sub(y).abs().max().getFloat() / scale);
                    }
                }
            }
            double worstStatistics = 0;
            for (Map.Entry<String, ModuleAnalysis> e : cpu.analysis().modules().entrySet()) {
                ModuleAnalysis other = gpu.analysis().modules().get(e.getKey());
                for (Metric metric : Metric.values()) {
                    double[][] p = e.getValue().metrics().get(metric).values();
                    double[][] q = other.metrics().get(metric).values();
                    double scale = metric == Metric.MSE ? Math.max(1e-12, max(p)) : 1;
                    for (int i = 0; i < p.length; i++) {
                        for (int j = 0; j < p.length; j++) {
                            worstStatistics = Math.max(worstStatistics, Math.abs(p[i][j] - q[i][j]) / scale);
                        }
                    }
                }
            }
            boolean pass = worstStates <= STATES && worstStatistics <= STATISTICS;
            ok &= pass;
            System.out.printf(Locale.ROOT, "{\"check\": \"cpu vs gpu\", \"model\": \"%s\", \"states_rel_error\": %.2e, "
                    + "\"states_tolerance\": %.0e, \"statistics_error\": %.2e, \"statistics_tolerance\": %.0e, "
                    + "\"pass\": %b}%n", model, worstStates, STATES, worstStatistics, STATISTICS, pass);
        }
        Path real = workbench.synthesize("smolvla", true, work.resolve("smolvla-real"), 0, 0, true);
        try (Checkpoint c = Checkpoint.open(real)) {
            long t0 = System.nanoTime();
            Calibrator.Result r = Calibrator.calibrate(c, ModelDetector.detect(c), data, DatasetInputs.DEFAULT,
                    samples, 0, OptionalDouble.empty(), "gpu", Map.of(), new Calibrator.Settings(16,
                            StatisticsSettings.of(0, 1L << 30)), Calibrator.Outputs.run(work.resolve("real.json")),
                    () -> false, Calibrator.Progress.NONE);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "{\"check\": \"real-size SmolVLA on the gpu\", \"samples\": %d, "
                            + "\"batch\": 16, \"wall_s\": %.1f, \"forward_s\": %.1f, \"statistics_s\": %.1f, "
                            + "\"estimate\": \"%s\"}%n", r.samples(), wall, r.forwardNanos() / 1e9,
                    r.statisticsNanos() / 1e9, r.memory().summary());
        }
        System.exit(ok ? 0 : 1);
    }

    private static Calibrator.Result run(Path ckpt, Path data, int samples, String device, Path out)
            throws Exception {
        try (Checkpoint c = Checkpoint.open(ckpt)) {
            return Calibrator.calibrate(c, ModelDetector.detect(c), data, DatasetInputs.DEFAULT, samples, 3,
                    OptionalDouble.empty(), device, Map.of(), new Calibrator.Settings(2,
                            StatisticsSettings.of(3, 1L << 30)), new Calibrator.Outputs(Optional.of(RunFiles.of(
                            out.resolveSibling(out.getFileName() + ".json"))), Optional.of(
                            out.resolveSibling(out.getFileName() + ".safetensors")), Optional.empty()),
                    () -> false, Calibrator.Progress.NONE);
        }
    }

    private static double max(double[][] m) {
        double out = 0;
        for (double[] row : m) {
            for (double v : row) {
                out = Math.max(out, Math.abs(v));
            }
        }
        return out;
    }
}
