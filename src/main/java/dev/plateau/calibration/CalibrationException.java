package dev.plateau.calibration;

/** Calibration input that cannot be used; the message is one line naming the file and what is wrong. */
public final class CalibrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CalibrationException(String message) {
        super(message);
    }
}
