package dev.plateau.finetune;

import java.util.Optional;

/** Reads a trainer's log line by line and picks out its metrics lines. Holds state: one parser per run. */
public interface LogParser {
    Optional<TrainingMetric> parse(String line);

    /** The parser for a recipe's trainer; {@code logEvery} is the run's logging interval in steps. */
    static LogParser of(Recipe recipe, int logEvery) {
        return recipe == Recipe.LEROBOT ? new LeRobotLogParser(logEvery) : new HfTrainerLogParser(logEvery);
    }

    /** A number as Python prints it, nan and inf included. */
    static double number(String text) {
        return switch (text) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
