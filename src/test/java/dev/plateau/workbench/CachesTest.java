package dev.plateau.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage and caches: what is listed, sizes, clearing, and the first-run flag. */
class CachesTest {
    @TempDir
    Path home;

    @Test
    void sizesAreTheBytesOfEveryFileInTheFolder() throws Exception {
        Files.createDirectories(home.resolve("sessions/a/b"));
        Files.write(home.resolve("sessions/a/one.bin"), new byte[1000]);
        Files.write(home.resolve("sessions/a/b/two.bin"), new byte[234]);
        List<CacheFolder> caches = new Workbench(home).caches();
        assertEquals(List.of("Calibration sessions", "Demo", "PyTorch natives (DJL)", "FFmpeg natives (JavaCPP)"),
                caches.stream().map(CacheFolder::name).toList());
        assertEquals(home.resolve("sessions"), caches.getFirst().folder());
        assertEquals(1234, caches.getFirst().bytes());
        assertEquals(0, caches.get(1).bytes(), "an absent folder takes no room");
        String djl = System.getenv("DJL_CACHE_DIR");
        assertEquals(djl != null ? Path.of(djl) : Path.of(System.getProperty("user.home"), ".djl.ai"),
                caches.get(2).folder());
    }

    @Test
    void clearingDeletesOnlyAListedFolder() throws Exception {
        Path sessions = Files.createDirectories(home.resolve("sessions/x"));
        Files.writeString(sessions.resolve("f"), "data");
        Path elsewhere = Files.createDirectories(home.resolve("exports/pruned"));
        Workbench workbench = new Workbench(home);
        workbench.clearCache(home.resolve("sessions"));
        assertFalse(Files.exists(home.resolve("sessions")));
        PlateauException e = assertThrows(PlateauException.class, () -> workbench.clearCache(elsewhere));
        assertEquals(elsewhere + " is not one of Plateau's caches; nothing was deleted", e.getMessage());
        assertTrue(Files.isDirectory(elsewhere));
    }

    @Test
    void theFirstRunIsSaidOnce() {
        Workbench workbench = new Workbench(home);
        assertTrue(workbench.firstRun());
        assertFalse(workbench.firstRun());
        assertFalse(new Workbench(home).firstRun());
    }
}
