package dev.plateau.analysis;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kinds of token a calibration run records, with the code each has in an activation file's
 * {@code <module>.token_type} tensor and the name it has in an analysis file.
 */
public enum TokenType {
    IMAGE("image"),
    LANGUAGE("language"),
    STATE("state"),
    ACTION("action"),
    /** GR00T's learned future tokens. */
    FUTURE("future");

    private final String label;

    TokenType(String label) {
        this.label = label;
    }

    /** The code in activation files: the enum's position (0 image ... 4 future). */
    public byte code() {
        return (byte) ordinal();
    }

    /** The name in analysis files and in the window, e.g. {@code language}. */
    public String label() {
        return label;
    }

    public static Optional<TokenType> ofCode(int code) {
        return code >= 0 && code < values().length ? Optional.of(values()[code]) : Optional.empty();
    }

    public static Optional<TokenType> ofLabel(String label) {
        return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst();
    }

    /** The legend written into activation files' metadata: {@code 0 image, 1 language, ...}. */
    public static String legend() {
        return Arrays.stream(values()).map(t -> t.code() + " " + t.label).collect(Collectors.joining(", "));
    }
}
