package dev.plateau.cli;

import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau report RUN.json --checkpoint CKPT [--plan PLAN.json] --out report.html}. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write the study as ONE self-contained HTML page (figures inline as SVG): the model, per module "
                + "the heatmap with blocks and removals and the adjacent profile with tau, the plan with its notes, "
                + "the estimates, the criteria compared, and the provenance.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN.json", description = "a calibration (plateau calibrate --out) or analysis")
    private Path run;

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "the calibrated checkpoint")
    private Path checkpoint;

    @Option(names = "--plan", paramLabel = "PLAN.json", description = "the plan to show (default: none)")
    private Path plan;

    @Option(names = "--metric", defaultValue = "cka", description = "the figures' metric (default: ${DEFAULT-VALUE})")
    private String metric;

    @Option(names = "--out", required = true, paramLabel = "report.html", description = "where to write the page")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Path written = Workbench.standard().report(run, checkpoint, Optional.ofNullable(plan), metric, out);
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + written.toAbsolutePath());
        w.flush();
        return 0;
    }
}
