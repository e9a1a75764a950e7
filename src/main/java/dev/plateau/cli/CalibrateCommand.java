package dev.plateau.cli;

import dev.plateau.analysis.RunFiles;
import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.DatasetInputs;
import dev.plateau.calibration.MemoryEstimate;
import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code plateau calibrate CKPT --data DIR --samples N --seed S --device auto --out RUN.json [--states ACTS]}, and
 * {@code plateau calibrate --add N --out RUN.json} to extend a run.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Run calibration samples through the checkpoint in batches, layer by layer, streaming every "
                + "layer's hidden states into the similarity statistics; write the analysis (RUN.json) with its token "
                + "sample and statistics beside it.")
final class CalibrateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CKPT", arity = "0..1", description = "checkpoint folder (not needed with --add)")
    private Path checkpoint;

    @Option(names = "--data", paramLabel = "DIR",
            description = "calibration data: a LeRobot dataset (v2.1, v3.0, GR00T with modality.json) or a folder "
                    + "with manifest.jsonl (README); not needed with --add")
    private Path data;

    @Option(names = "--cameras", split = ",", paramLabel = "KEY",
            description = "dataset cameras in the model's order, e.g. observation.images.top,observation.images.wrist "
                    + "(default: the checkpoint's camera names when the dataset has them, else the dataset's)")
    private List<String> cameras = List.of();

    @Option(names = "--state-key", defaultValue = "observation.state", paramLabel = "COLUMN",
            description = "the dataset's state column (default: ${DEFAULT-VALUE})")
    private String stateKey;

    @Option(names = "--action-key", defaultValue = "action", paramLabel = "COLUMN",
            description = "the dataset's action column (default: ${DEFAULT-VALUE})")
    private String actionKey;

    @Option(names = "--samples", defaultValue = "8", description = "samples to draw (default: ${DEFAULT-VALUE})")
    private int samples;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the draw (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--time", paramLabel = "T", description = "flow-matching time of every sample, 0..1 (VLAs; "
            + "default: drawn per sample as in training)")
    private Double time;

    @Option(names = "--device", description = "auto, cpu or gpu (default: auto; with --add, the run's)")
    private String device;

    @Option(names = "--batch", defaultValue = "" + Calibrator.BATCH, paramLabel = "N",
            description = "samples per forward batch: memory grows with it, not with --samples (default: "
                    + "${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--memory", paramLabel = "GB", description = "memory the run may use, in GB (default: the "
            + "machine's, or the GPU's); a run that would not fit is refused before it starts, saying what to lower")
    private Double memory;

    @Option(names = "--exact-heatmap", description = "exact statistics for the layer pairs two or more apart too "
            + "(where they fit the memory; costs about (L + 1) / 24 of the forward's multiply-adds); by default they "
            + "are estimated from a uniform token sample, and the adjacent profile that Algorithm 1 reads is exact "
            + "either way")
    private boolean exactHeatmap;

    @Option(names = "--add", paramLabel = "N", description = "add N samples to the run at --out: they continue its "
            + "seeded draw, only they are run, and the run's files are updated")
    private Integer add;

    @Option(names = "--out", required = true, paramLabel = "RUN.json",
            description = "the run's analysis; RUN.sample.safetensors and RUN.statistics.safetensors go beside it")
    private Path out;

    @Option(names = "--states", paramLabel = "ACTS.safetensors",
            description = "also write every hidden state of every layer to this activation file (its size grows "
                    + "with the samples)")
    private Path states;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Progress progress = new Progress(w);
        Calibrator.Result r;
        if (add != null) {
            if (add < 1) {
                throw new PlateauException("--add must be at least 1, not " + add);
            }
            if (states != null) {
                throw new PlateauException("--states cannot be written when adding samples: the earlier samples' "
                        + "states were not kept; calibrate all samples again with --states");
            }
            r = Workbench.standard().extend(out, add, Optional.ofNullable(device), memoryBytes(), out, () -> false,
                    progress);
        } else {
            if (checkpoint == null || data == null) {
                throw new PlateauException("calibrate needs CKPT and --data (or --add N to extend the run at --out)");
            }
            if (samples < 1) {
                throw new PlateauException("--samples must be at least 1, not " + samples);
            }
            CalibrationRequest request = new CalibrationRequest(checkpoint, data, samples, seed,
                    time == null ? OptionalDouble.empty() : OptionalDouble.of(time), device == null ? "auto" : device,
                    new DatasetInputs(cameras, stateKey, actionKey), batch, memoryBytes(), exactHeatmap);
            r = Workbench.standard().calibrate(request, out, Optional.ofNullable(states), () -> false, progress);
        }
        if (r.added() < (add != null ? add : samples)) {
            w.printf("the data holds %d samples, fewer than the %d asked for: all %d drawn%n", r.added(),
                    add != null ? add : samples, r.added());
        }
        r.deviceNote().ifPresent(w::println);
        RunFiles files = RunFiles.of(out);
        w.printf("wrote %s: %d samples%s on %s; %s%n", files.analysis(), r.samples(),
                add != null ? " (" + r.added() + " added)" : "", r.device(),
                r.tokens().entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + " tokens")
                        .collect(Collectors.joining(", ")));
        w.printf("token sample %s, statistics %s%n", files.sample().getFileName(), files.statistics().getFileName());
        if (states != null) {
            w.printf("states %s%n", states);
        }
        w.flush();
        return 0;
    }

    private long memoryBytes() {
        if (memory == null) {
            return 0;
        }
        if (!(memory > 0)) {
            throw new PlateauException("--memory must be a positive number of GB, not " + memory);
        }
        return Math.round(memory * 1e9);
    }

    /** One line per batch, with the time per batch and what is left once known. */
    private static final class Progress implements Workbench.Progress {
        private final PrintWriter w;
        private final long started = System.nanoTime();

        Progress(PrintWriter w) {
            this.w = w;
        }

        @Override
        public void layerDone(String module, int layer, int depth) {
        }

        @Override
        public void memoryEstimated(MemoryEstimate estimate) {
            w.printf("memory: %s%n", estimate.summary());
            w.flush();
        }

        @Override
        public void batchStarted(int batch, int batches, int samples) {
            double elapsed = (System.nanoTime() - started) / 1e9;
            String eta = batch == 0 ? "" : String.format(Locale.ROOT, ", %.1f s per batch, about %s left",
                    elapsed / batch, duration(elapsed / batch * (batches - batch)));
            w.printf("batch %d of %d (%d samples)%s%n", batch + 1, batches, samples, eta);
            w.flush();
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return s < 60 ? s + " s" : s < 3600 ? s / 60 + " min " + s % 60 + " s" : s / 3600 + " h " + s % 3600 / 60
                    + " min";
        }
    }
}
