package dev.plateau.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code plateau}: the top-level command. */
@Command(name = "plateau", mixinStandardHelpOptions = true, versionProvider = PlateauCommand.Version.class,
        description = "CKA-guided layer pruning for Vision-Language-Action models and decoder LLMs.",
        subcommands = {InspectCommand.class, CalibrateCommand.class, AnalyzeCommand.class, PlanCommand.class, SweepCommand.class, ReportCommand.class, SessionCommand.class,
                PruneCommand.class,
                VerifyCommand.class, FinetuneCommand.class, DemoCommand.class, UiCommand.class,
                SynthCommand.class, GpuCommand.class})
final class PlateauCommand implements Runnable {

    /** Read by {@link Main}'s error handler from the raw arguments; declared here so every command accepts it. */
    @Option(names = "--debug", scope = ScopeType.INHERIT, hidden = true,
            description = "print the stack trace of an internal error")
    private boolean debug;

    /** With no command, the window opens, as from the desktop's launcher; {@code --help} lists the commands. */
    @Override
    public void run() {
        UiCommand.open(null);
    }

    /** The version from the jar manifest ("dev" when run from classes). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PlateauCommand.class.getPackage().getImplementationVersion();
            return new String[] {"plateau " + (v == null ? "dev" : v)};
        }
    }
}
