package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.workbench.SessionFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plateau session show}: a session file read back in words; a broken one in one line. */
class SessionCommandTest {
    @TempDir
    Path dir;

    @Test
    void showPrintsWhatTheStudyKeeps() {
        Map<String, SessionFile.ModuleState> modules = new LinkedHashMap<>();
        modules.put("vlm", new SessionFile.ModuleState(Double.NaN, true, 6, Optional.of(List.of(1, 2, 5, 6, 14, 15)),
                Optional.empty()));
        modules.put("expert", new SessionFile.ModuleState(Double.NaN, true, 6, Optional.empty(), Optional.of("vlm")));
        modules.put("vision", new SessionFile.ModuleState(0.9931, false, 2, Optional.empty(), Optional.empty()));
        Path file = dir.resolve("study.plateau");
        new SessionFile(dir.resolve("smolvla"), "ab".repeat(32), new SessionFile.Calibration(dir.resolve("data"), 64,
                7, "gpu", OptionalDouble.empty(), "top,wrist", Optional.empty()), "cka", "all", modules,
                "first try\nsecond line", List.of(dir.resolve("smolvla-pruned")), List.of()).write(file);
        Cli.Result r = plateau("session", "show", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("calibration  " + dir.resolve("data") + ", 64 samples, seed 7, device gpu, time "
                + "drawn, cameras top,wrist"), r.out());
        assertTrue(r.out().contains("vlm                removes [1, 2, 5, 6, 14, 15] (fixed)"), r.out());
        assertTrue(r.out().contains("expert             same layers as vlm"), r.out());
        assertTrue(r.out().contains("vision             k = 2, tau 0.9931"), r.out());
        assertTrue(r.out().contains("  second line"), r.out());
        assertTrue(r.out().contains("export       " + dir.resolve("smolvla-pruned")), r.out());
        SessionFile read = SessionFile.read(file);
        assertEquals(modules.keySet(), read.modules().keySet());
        read.modules().forEach((name, m) -> {
            SessionFile.ModuleState w = modules.get(name);
            assertEquals(w.tau(), m.tau(), 0, name + " (NaN equals NaN here)");
            assertEquals(List.of(w.autoTau(), w.k(), w.fixed(), w.follows()), List.of(m.autoTau(), m.k(), m.fixed(),
                    m.follows()), name);
        });
        assertEquals("first try\nsecond line", read.notes());
    }

    @Test
    void aFileThatIsNoSessionGetsOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("other.plateau"), "{\"format\": \"something-else\"}");
        Cli.Result r = plateau("session", "show", file.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("other.plateau: is not a Plateau session"), r.err());
        Files.writeString(file, "{\"format\": \"plateau-session\", \"version\": 1, \"checkpoint\": {\"path\": \"x\"}}");
        Cli.Result missing = plateau("session", "show", file.toString());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("\"calibration\""), missing.err());
    }
}
