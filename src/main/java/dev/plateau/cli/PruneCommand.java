package dev.plateau.cli;

import dev.plateau.prune.Exporter;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau prune CKPT --plan PLAN.json --out DIR [--force]}. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Export the checkpoint with the plan's layers removed, in a layout the original training code "
                + "loads; verified before it appears.")
final class PruneCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CKPT", description = "the source checkpoint folder (never modified)")
    private Path checkpoint;

    @Option(names = "--plan", required = true, paramLabel = "PLAN.json", description = "the layers to remove")
    private Path plan;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new checkpoint folder")
    private Path out;

    @Option(names = "--force", description = "replace an existing DIR")
    private boolean force;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Exporter.Result result;
        try (CtrlC ctrlC = CtrlC.watch("prune")) {
            try {
                result = Workbench.standard().prune(checkpoint, plan, out, force, (done, total) -> { },
                        ctrlC::pressed);
            } catch (PlateauException e) {
                if (ctrlC.pressed()) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("plateau: " + e.getMessage());
                    err.flush();
                    return 130;
                }
                throw e;
            }
        }
        result.surgery().depths().forEach((module, depth) -> w.println(module + ": " + depth + " layers kept"));
        result.surgery().configChanges().forEach((key, values) -> w.println("config " + key + ": " + values.get(0)
                + " -> " + values.get(1)));
        w.println("verified " + result.verification().checked() + " tensors: the loading code finds every tensor it "
                + "asks for, with the right shape and dtype");
        result.notes().forEach(n -> w.println("note: " + n));
        w.println("wrote " + result.folder());
        w.flush();
        return 0;
    }
}
