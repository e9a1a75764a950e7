package dev.plateau.cli;

import dev.plateau.prune.Verifier;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau verify DIR}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a checkpoint against what its family's loading code will ask for: every tensor of every "
                + "layer the config implies, with the right shape and dtype, and nothing else.")
final class VerifyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "checkpoint folder (e.g. an export of plateau prune)")
    private Path folder;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Verifier.Report report = Workbench.standard().verify(folder);
        if (!report.ok()) {
            throw new PlateauException(folder + ": " + report.problems().size() + " problem"
                    + (report.problems().size() == 1 ? "" : "s") + ": " + String.join("; ", report.problems()));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println(folder + ": " + report.spec().family().displayName() + ", " + report.checked()
                + " tensors checked, all as the loading code expects");
        w.flush();
        return 0;
    }
}
