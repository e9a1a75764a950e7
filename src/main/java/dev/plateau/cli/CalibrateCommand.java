package dev.plateau.cli;

import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.DatasetInputs;
import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
            description = "calibration data: a LeRobot dataset (v2.1, v3.0, GR00T with modality.json) or a folder "
                    + "with manifest.jsonl (README)")
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

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE})")
    private String device;

    @Option(names = "--out", required = true, paramLabel = "ACTS.safetensors", description = "activation file")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        CalibrationRequest request = new CalibrationRequest(checkpoint, data, samples, seed,
                time == null ? OptionalDouble.empty() : OptionalDouble.of(time), device,
                new DatasetInputs(cameras, stateKey, actionKey));
        Calibrator.Result r = Workbench.standard().calibrate(request, out, () -> false,
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
