package dev.plateau.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small text files (plans, sessions, reports, CSV) written whole or not at all. */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * Writes {@code text} (UTF-8) to a hidden file beside {@code file}, then renames it onto {@code file}; a failed
     * write leaves the old file as it was and no partial one.
     */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
