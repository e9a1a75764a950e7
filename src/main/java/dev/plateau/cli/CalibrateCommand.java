package dev.plateau.cli;

import dev.plateau.calibration.Calibrator;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau calibrate CKPT --data DIR --samples N --seed S --device auto --out ACTS.safetensors}. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Run calibration samples through the checkpoint layer by layer and record every layer's hidden "
                + "states.")
final class CalibrateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CKPT", description = "checkpoint folder")
    private Path checkpoint;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "calibration set: a folder with manifest.jsonl (README)")
    private Path data;

    @Option(names = "--samples", defaultValue = "8", description = "samples to draw (default: ${DEFAULT-VALUE})")
    private int samples;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the draw (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--time", paramLabel = "T", description = "flow-matching time of every sample, 0..1 (VLAs; "
            + "default: drawn per sample as in training)")
    private Double time;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE})")
    private String device;

    @Option(names = "--out", required = true, paramLabel = "ACTS.safetensors", description = "activation file")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Calibrator.Result r = Workbench.standard().calibrate(checkpoint, data, samples, seed,
                time == null ? OptionalDouble.empty() : OptionalDouble.of(time), device, out, () -> false,
                (module, layer, depth) -> {
                    w.printf("%s layer %d of %d%n", module, layer + 1, depth);
                    w.flush();
                });
        w.printf("wrote %s: %d samples, %d tokens, %d layers, on %s%n", r.activations(), r.samples(), r.tokens(),
                r.layers(), r.device());
        w.flush();
        return 0;
    }
}
