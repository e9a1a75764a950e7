package dev.plateau.workbench;

import java.nio.file.Path;

/** Where Plateau keeps its own files: {@code $PLATEAU_HOME}, else {@code $XDG_CACHE_HOME/plateau}, else ~/.cache/plateau. */
public final class PlateauHome {
    private PlateauHome() {
    }

    public static Path directory() {
        String home = System.getenv("PLATEAU_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("plateau");
    }
}
