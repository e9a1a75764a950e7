package dev.plateau.ui;

import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

/** The JavaFX application: one workbench window, on the demo or on a checkpoint folder given as argument. */
public final class PlateauApp extends Application {

    @Override
    public void start(Stage stage) {
        SessionViewModel vm = new SessionViewModel(Workbench.standard(), Jobs.background(Platform::runLater));
        new MainWindow(stage, vm);
        stage.show();
        List<String> args = getParameters().getRaw();
        if (args.contains(Launcher.DEMO)) {
            vm.openDemo();
        } else if (!args.isEmpty()) {
            vm.open(Path.of(args.getFirst()));
        }
    }
}
