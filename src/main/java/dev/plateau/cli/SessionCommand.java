package dev.plateau.cli;

import dev.plateau.workbench.SessionFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau session show FILE}: what a session file keeps. */
@Command(name = "session", mixinStandardHelpOptions = true, description = "Read a study's session file (.plateau).",
        subcommands = SessionCommand.Show.class)
final class SessionCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the checkpoint, the calibration, each module's plan settings, notes and exports.")
    static final class Show implements Runnable {
        @Parameters(paramLabel = "FILE", description = "the session file")
        private Path file;

        @Spec
        private CommandSpec spec;

        @Override
        public void run() {
            SessionFile s = SessionFile.read(file);
            PrintWriter w = spec.commandLine().getOut();
            w.println("checkpoint   " + s.checkpoint());
            w.println("digest       " + s.digest());
            SessionFile.Calibration c = s.calibration();
            w.printf(Locale.ROOT, "calibration  %s, %d samples, seed %d, device %s, time %s%s%n",
                    c.data() == null ? "(no data)" : c.data(), c.samples(), c.seed(), c.device(),
                    c.time().isPresent() ? Double.toString(c.time().getAsDouble()) : "drawn",
                    c.cameras().isBlank() ? "" : ", cameras " + c.cameras());
            c.run().ifPresent(r -> w.println("run          " + r));
            w.println("criterion    " + s.criterion() + ", " + s.tokenType() + " tokens");
            s.modules().forEach((name, m) -> w.printf(Locale.ROOT, "  %-18s %s%n", name, m.follows()
                    .map(f -> "same layers as " + f)
                    .orElseGet(() -> m.fixed().map(f -> "removes " + f + " (fixed)")
                            .orElseGet(() -> "k = " + m.k() + ", tau " + (m.autoTau() ? "auto"
                                    : String.format(Locale.ROOT, "%.4f", m.tau()))))));
            if (!s.notes().isBlank()) {
                w.println("notes");
                s.notes().lines().forEach(l -> w.println("  " + l));
            }
            s.exports().forEach(e -> w.println("export       " + e));
            s.runs().forEach(r -> w.println("fine-tuned   " + r));
            w.flush();
        }
    }
}
