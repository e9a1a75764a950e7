package dev.plateau.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint file or folder that cannot be used as it is. The message is one line written for the user: it names
 * the file and, where there is one, the tensor, and says what is wrong.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
