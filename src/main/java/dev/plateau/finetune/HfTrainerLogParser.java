package dev.plateau.finetune;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face Trainer's log line, which Isaac-GR00T's gr00t_finetune.py prints every 10 steps: a Python dict,
 * {@code {'loss': 0.0843, 'grad_norm': 0.41279, 'learning_rate': 2.0000000000000003e-06, 'epoch': 0.15}}, its
 * values quoted strings in transformers 5 ({@code 'loss': '0.0843'}). The dict carries no step: the k-th loss line
 * is step k times the logging interval. The closing summary ('train_loss') is not a step. The dict may follow a
 * progress bar on the same line when stdout and stderr interleave.
 */
final class HfTrainerLogParser implements LogParser {
    private static final Pattern LOSS = Pattern.compile("'loss':\\s*'?([-+0-9.eE]+|nan|-?inf)'?");
    private static final Pattern LR = Pattern.compile("'learning_rate':\\s*'?([-+0-9.eE]+)'?");

    private final int logEvery;
    private long lines;

    HfTrainerLogParser(int logEvery) {
        this.logEvery = logEvery;
    }

    @Override
    public Optional<TrainingMetric> parse(String line) {
        int dict = line.indexOf("{'");
        if (dict < 0 || line.contains("'train_runtime'")) {
            return Optional.empty();
        }
        String text = line.substring(dict);
        Matcher loss = LOSS.matcher(text);
        if (!loss.find()) {
            return Optional.empty();
        }
        lines++;
        Matcher lr = LR.matcher(text);
        return Optional.of(new TrainingMetric(lines * logEvery, LogParser.number(loss.group(1)),
                lr.find() ? LogParser.number(lr.group(1)) : Double.NaN));
    }
}
