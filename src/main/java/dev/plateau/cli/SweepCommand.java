package dev.plateau.cli;

import dev.plateau.workbench.SweepPoint;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau sweep RUN.json --checkpoint CKPT [--module M] [--criterion C] --out sweep.csv}. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"For every number of layers k that the model's rules allow a module to lose, the plan "
                + "(auto-tau), the parameters, trainable parameters, GFLOPs, predicted latency and the similarity "
                + "given up, as CSV.",
                "Columns: module, k, removed (each module's removal set), params, trainable_params, gflops (per "
                        + "calibration sample), latency_fraction (pruned over base GFLOPs), removed_adjacent_cka "
                        + "(sum over the removed layers of their CKA with the layer before), cka_change_removed "
                        + "(sum of 1 - that CKA: the change the removed layers made)."})
final class SweepCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN.json", description = "a calibration (plateau calibrate --out) or analysis")
    private Path run;

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT",
            description = "the calibrated checkpoint: its parameters and rules")
    private Path checkpoint;

    @Option(names = "--module", paramLabel = "M", description = "sweep this module only (default: every module; a "
            + "module tied to another is swept with it)")
    private String module;

    @Option(names = "--criterion", defaultValue = "cka", description = "the criterion that picks the layers "
            + "(default: ${DEFAULT-VALUE})")
    private String criterion;

    @Option(names = "--out", required = true, paramLabel = "sweep.csv", description = "where to write the CSV")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        List<SweepPoint> points = Workbench.standard().sweep(run, checkpoint, Optional.ofNullable(module), criterion,
                out);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "%-18s %3s %14s %10s %9s %9s%n", "module", "k", "params", "GFLOPs", "latency",
                "change");
        for (SweepPoint p : points) {
            w.printf(Locale.ROOT, "%-18s %3d %14d %10.2f %8.1f%% %9.4f%n", p.module(), p.k(), p.params(), p.gflops(),
                    100 * p.latencyFraction(), p.changeRemoved());
        }
        w.println("wrote " + out.toAbsolutePath() + ": " + points.size() + " budgets");
        w.flush();
        return 0;
    }
}
