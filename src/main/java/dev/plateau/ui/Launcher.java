package dev.plateau.ui;

import javafx.application.Application;

/**
 * Starts the window. A plain class, because JavaFX refuses to launch an {@code Application} subclass that is the
 * main class of a classpath application.
 */
public final class Launcher {
    /** The argument that opens the built-in demo. */
    public static final String DEMO = "--demo";

    private Launcher() {
    }

    /** {@code --demo}, a checkpoint folder, or nothing. Returns when the window is closed. */
    public static void main(String[] args) {
        Application.launch(PlateauApp.class, args);
    }
}
