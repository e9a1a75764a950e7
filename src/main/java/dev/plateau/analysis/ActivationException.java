package dev.plateau.analysis;

import java.nio.file.Path;

/** An activation or analysis file that cannot be used: one line naming the file and what is wrong. */
public final class ActivationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ActivationException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
