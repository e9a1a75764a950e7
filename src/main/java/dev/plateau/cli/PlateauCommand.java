package dev.plateau.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code plateau}: the top-level command. */
@Command(name = "plateau", mixinStandardHelpOptions = true, versionProvider = PlateauCommand.Version.class,
        description = "CKA-guided layer pruning for Vision-Language-Action models and decoder LLMs.",
        subcommands = {InspectCommand.class, DemoCommand.class, SynthCommand.class})
final class PlateauCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest ("dev" when run from classes). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"plateau " + version()};
        }

        static String version() {
            String v = PlateauCommand.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }
    }
}
