package dev.plateau.ui;

import dev.plateau.workbench.Workbench;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

/** The JavaFX application: one workbench window, on the demo or on a checkpoint folder given as argument. */
public final class PlateauApp extends Application {

    @Override
    public void start(Stage stage) {
        long entered = System.currentTimeMillis();
        SessionViewModel vm = new SessionViewModel(Workbench.standard(), Jobs.background(Platform::runLater));
        new MainWindow(stage, vm);
        stage.show();
        List<String> args = getParameters().getRaw();
        if (!args.isEmpty() && !args.contains(Launcher.DEMO)) {
            vm.open(Path.of(args.getFirst()));
        } else {
            vm.openOnStart(args.contains(Launcher.DEMO));
        }
        if (Boolean.getBoolean("plateau.startup.trace")) {
            traceFirstFrame(stage, entered, System.currentTimeMillis());
        }
    }

    /**
     * Prints, once, how long after the JVM started the window's first frame was drawn: a pulse lays out, then
     * renders, so when the pulse after the first one (asked for at once) lays out, the first frame is on screen.
     */
    private static void traceFirstFrame(Stage stage, long entered, long returned) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int[] pulses = {0};
        Runnable[] listener = new Runnable[1];
        listener[0] = () -> {
            if (++pulses[0] == 1) {
                Platform.requestNextPulse();
            } else if (pulses[0] == 2) {
                System.err.println("plateau: first frame " + (System.currentTimeMillis() - jvmStart)
                        + " ms after the JVM started (window built from " + (entered - jvmStart) + " to "
                        + (returned - jvmStart) + " ms)");
                stage.getScene().removePostLayoutPulseListener(listener[0]);
            }
        };
        stage.getScene().addPostLayoutPulseListener(listener[0]);
    }
}
