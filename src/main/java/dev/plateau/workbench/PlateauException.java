package dev.plateau.workbench;

/** A problem with the user's input or environment, with a one-line message written for the user. */
public final class PlateauException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlateauException(String message, Throwable cause) {
        super(message, cause);
    }

    public PlateauException(String message) {
        super(message);
    }
}
