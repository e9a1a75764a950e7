package dev.plateau.prune;

import java.nio.file.Path;

/** A plan file that cannot be used: one line naming the file and what is wrong. */
public final class PlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
