package dev.plateau.cli;

import dev.plateau.ui.Launcher;
import dev.plateau.workbench.PlateauException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code plateau ui [CKPT]}: the workbench window, on a checkpoint folder when one is given. */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Open the workbench window, on CKPT when given.")
final class UiCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "CKPT", description = "checkpoint folder to open")
    private Path checkpoint;

    @Override
    public Integer call() {
        open(checkpoint);
        return 0;
    }

    /** Opens the window (on {@code checkpoint} unless null) and returns when it is closed. */
    static void open(Path checkpoint) {
        requireDisplay();
        Launcher.main(checkpoint == null ? new String[0] : new String[] {checkpoint.toAbsolutePath().toString()});
    }

    /** A window needs a display; say so instead of failing deep inside JavaFX. */
    static void requireDisplay() {
        String display = System.getenv("DISPLAY");
        String wayland = System.getenv("WAYLAND_DISPLAY");
        if ((display == null || display.isBlank()) && (wayland == null || wayland.isBlank())) {
            throw new PlateauException("no display to open the window on (DISPLAY is not set); run it in a desktop "
                    + "session, under xvfb-run, or use the command line (plateau --help)");
        }
    }
}
