package dev.plateau.cli;

import dev.plateau.model.ModelSpec;
import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code plateau inspect CKPT [--json]}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a checkpoint's family, prunable modules, parameters, dtypes and shards. Reads headers only.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CKPT", description = "checkpoint folder (config.json + safetensors, single or sharded)")
    private Path checkpoint;

    @Option(names = "--json", description = "print JSON (shape documented in the README)")
    private boolean json;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        ModelSpec model = Workbench.standard().inspect(checkpoint);
        spec.commandLine().getOut().print(json ? InspectView.json(model) : InspectView.text(model));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
