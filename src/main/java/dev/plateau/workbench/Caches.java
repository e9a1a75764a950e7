package dev.plateau.workbench;

import dev.plateau.checkpoint.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The folders Plateau fills: its session cache and demo under its home, and the native libraries that DJL (libtorch)
 * and JavaCPP (FFmpeg) unpack from the installed jars at first use. Each can be cleared; what is cleared is made
 * again when needed, offline.
 */
final class Caches {
    static final String FIRST_RUN = "first-run-done";

    private Caches() {
    }

    /** The folders with their sizes now (walks every one of them). */
    static List<CacheFolder> list(Path home) {
        return folders(home).stream().map(c -> new CacheFolder(c.name(), c.folder(), size(c.folder()), c.purpose()))
                .toList();
    }

    /** The folders, sizes not measured (0). */
    private static List<CacheFolder> folders(Path home) {
        return List.of(
                new CacheFolder("Calibration sessions", home.resolve("sessions"), 0, "the runs of earlier "
                        + "calibrations (analysis, token sample, statistics), so that reopening one is instant and "
                        + "samples can be added to it; cleared, a calibration runs again"),
                new CacheFolder("Demo", home.resolve("demo"), 0, "the demo checkpoint and calibration set; written "
                        + "again when the demo opens"),
                new CacheFolder("PyTorch natives (DJL)", djlCache(), 0, "libtorch, unpacked from the installed jars "
                        + "at first use and unpacked again (offline, about 2 s) at the next start; and the CUDA natives "
                        + "of `plateau gpu install` (4 GB), which only a new download (2.5 GB) brings back"),
                new CacheFolder("FFmpeg natives (JavaCPP)", javacppCache(), 0, "FFmpeg for reading dataset videos, "
                        + "unpacked at first use; unpacked again when a dataset is next read"));
    }

    /** Deletes one of the listed folders (only those), whole. */
    static void clear(Path home, Path folder) {
        boolean listed = folders(home).stream().anyMatch(c -> c.folder().equals(folder));
        if (!listed) {
            throw new PlateauException(folder + " is not one of Plateau's caches; nothing was deleted");
        }
        try {
            FileTrees.delete(folder);
        } catch (IOException e) {
            throw new PlateauException(folder + ": could not be cleared completely: " + e.getMessage(), e);
        }
    }

    /** Whether this is the first start under {@code home}; the first call says yes once, and remembers. */
    static boolean firstRun(Path home) {
        Path marker = home.resolve(FIRST_RUN);
        if (Files.exists(marker)) {
            return false;
        }
        try {
            Files.createDirectories(home);
            Files.writeString(marker, "Plateau has started here before; delete this file to see the welcome again\n");
        } catch (IOException e) {
            // an unwritable home shows the welcome each time: harmless
        }
        return true;
    }

    /** DJL's cache: the DJL_CACHE_DIR property or variable, else ~/.djl.ai (as ai.djl.util.Utils decides). */
    static Path djlCache() {
        return setting("DJL_CACHE_DIR").map(Path::of).orElse(Path.of(System.getProperty("user.home"), ".djl.ai"));
    }

    /** JavaCPP's cache: the org.bytedeco.javacpp.cachedir property, else ~/.javacpp/cache. */
    static Path javacppCache() {
        String dir = System.getProperty("org.bytedeco.javacpp.cachedir");
        return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".javacpp",
                "cache");
    }

    private static Optional<String> setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static long size(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total.addAndGet(attrs.size());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            return total.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total.get();
    }
}
