package dev.plateau.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A trainer's exact command: an argument list run without a shell (so nothing a user typed is interpreted), the
 * folder it runs in, the environment variables it adds, and what the recipe noticed while building it.
 *
 * @param arguments        the program and its arguments
 * @param workingDirectory where it runs (GR00T: the Isaac-GR00T checkout, whose modules the script imports)
 * @param warnings         things to check before running, one sentence each (e.g. a trainer not found on PATH)
 * @param environment      variables set for the trainer (a pi0 export's start-up hook on PYTHONPATH)
 */
public record TrainingCommand(List<String> arguments, Path workingDirectory, List<String> warnings,
                              Map<String, String> environment) {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%^-]+");

    public TrainingCommand {
        arguments = List.copyOf(arguments);
        warnings = List.copyOf(warnings);
        environment = Collections.unmodifiableMap(new TreeMap<>(environment));
        if (arguments.isEmpty() || arguments.getFirst().isBlank()) {
            throw new FinetuneException("the command is empty");
        }
    }

    public TrainingCommand(List<String> arguments, Path workingDirectory, List<String> warnings) {
        this(arguments, workingDirectory, warnings, Map.of());
    }

    /** The same command with other arguments (a user's edit), one argument per entry, blank ones dropped. */
    public TrainingCommand withArguments(List<String> edited) {
        return new TrainingCommand(edited.stream().filter(a -> !a.isBlank()).toList(), workingDirectory, List.of(),
                environment);
    }

    /** The same command with other warnings. */
    public TrainingCommand withWarnings(List<String> others) {
        return new TrainingCommand(arguments, workingDirectory, others, environment);
    }

    /**
     * The command as one shell line, its environment first, each word quoted where it needs it: for people, scripts
     * and logs.
     */
    public String shellLine() {
        List<String> words = new ArrayList<>();
        environment.forEach((name, value) -> words.add(name + "=" + quote(value)));
        for (String a : arguments) {
            words.add(quote(a));
        }
        return String.join(" ", words);
    }

    /** One argument as a POSIX shell word: left alone when plain, else single-quoted. */
    public static String quote(String argument) {
        return !argument.isEmpty() && PLAIN.matcher(argument).matches() ? argument
                : "'" + argument.replace("'", "'\\''") + "'";
    }
}
