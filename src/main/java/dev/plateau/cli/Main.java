package dev.plateau.cli;

import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of {@code java -jar plateau.jar}. */
public final class Main {
    /** Bad input: a file, option or value the user gave. */
    public static final int EXIT_BAD_INPUT = 2;
    /** A fault of Plateau itself. */
    public static final int EXIT_INTERNAL = 1;

    private Main() {
    }

    public static void main(String[] args) {
        Workbench.useInstalledGpu();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new PlateauCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            err.println("plateau: " + e.getMessage() + " (`" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help` lists the options)");
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof PlateauException) {
                err.println("plateau: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            boolean debug = parseResult.originalArgs().contains("--debug");
            err.println("plateau: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return EXIT_INTERNAL;
        });
        return cli.execute(args);
    }
}
