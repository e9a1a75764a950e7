package dev.plateau.cli;

import dev.plateau.ui.Launcher;
import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code plateau demo}: the workbench window on the built-in demo (a small SmolVLA-layout checkpoint and its
 * calibration set, written and analysed on first use); with {@code --print}, the demo checkpoint's summary instead.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Open the workbench window on the built-in demo: a small SmolVLA-layout checkpoint with its "
                + "calibration set, analysed on first use.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--rebuild", description = "write the demo checkpoint again")
    private boolean rebuild;

    @Option(names = "--print", description = "print the demo checkpoint's summary instead of opening the window")
    private boolean print;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Workbench workbench = Workbench.standard();
        Path demo = workbench.demoCheckpoint(rebuild);
        if (print) {
            spec.commandLine().getOut().print(InspectView.text(workbench.inspect(demo)));
            spec.commandLine().getOut().flush();
            return 0;
        }
        UiCommand.requireDisplay();
        Launcher.main(new String[] {Launcher.DEMO});
        return 0;
    }
}
