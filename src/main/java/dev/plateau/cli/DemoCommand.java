package dev.plateau.cli;

import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code plateau demo}: the built-in demo checkpoint, written on first use, then inspected. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Open the built-in demo: a small SmolVLA-layout checkpoint written on first use.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--rebuild", description = "write the demo checkpoint again")
    private boolean rebuild;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Workbench workbench = Workbench.standard();
        Path demo = workbench.demoCheckpoint(rebuild);
        spec.commandLine().getOut().print(InspectView.text(workbench.inspect(demo)));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
