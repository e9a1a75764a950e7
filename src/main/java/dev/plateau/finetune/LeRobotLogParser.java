package dev.plateau.finetune;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lerobot-train's metrics line, e.g.
 * {@code INFO 2025-10-20 14:03:11 ot_train.py:435 step:2K smpl:128K ep:427 epch:4.27 loss:0.043 grdn:0.512
 * lr:1.0e-04 updt_s:0.385 data_s:0.012} (meters vary by version; each is name:value). The step is printed by
 * format_big_number, which rounds 1,499 to "1K": a rounded step is taken as the next multiple of the log interval
 * when that prints the same, else as the printed value.
 */
final class LeRobotLogParser implements LogParser {
    private static final Pattern STEP = Pattern.compile("(?:^|\\s)step:(\\d+(?:\\.\\d+)?)([KMBTQ]?)(?=\\s|$)");
    private static final Pattern LOSS = Pattern.compile("(?:^|\\s)loss:([-+0-9.eE]+|nan|-?inf)(?=\\s|$)");
    private static final Pattern LR = Pattern.compile("(?:^|\\s)lr:([-+0-9.eE]+)(?=\\s|$)");
    private static final String SUFFIXES = "KMBTQ";

    private final int logEvery;
    private long last;

    LeRobotLogParser(int logEvery) {
        this.logEvery = logEvery;
    }

    @Override
    public Optional<TrainingMetric> parse(String line) {
        Matcher step = STEP.matcher(line);
        Matcher loss = LOSS.matcher(line);
        if (!step.find() || !loss.find()) {
            return Optional.empty();
        }
        String printed = step.group(1) + step.group(2);
        long expected = last + logEvery;
        long value = formatBigNumber(expected).equals(printed) ? expected : approximate(step.group(1), step.group(2));
        last = value;
        Matcher lr = LR.matcher(line);
        return Optional.of(new TrainingMetric(value, LogParser.number(loss.group(1)),
                lr.find() ? LogParser.number(lr.group(1)) : Double.NaN));
    }

    private static long approximate(String number, String suffix) {
        double v = Double.parseDouble(number);
        int power = suffix.isEmpty() ? 0 : SUFFIXES.indexOf(suffix) + 1;
        return Math.round(v * Math.pow(1000, power));
    }

    /** LeRobot's format_big_number(n, precision=0): divided by 1000 while at least 1000, rounded half to even. */
    static String formatBigNumber(long n) {
        BigDecimal v = BigDecimal.valueOf(n);
        int suffix = -1;
        while (v.abs().compareTo(BigDecimal.valueOf(1000)) >= 0 && suffix < SUFFIXES.length() - 1) {
            v = v.divide(BigDecimal.valueOf(1000));
            suffix++;
        }
        return v.setScale(0, RoundingMode.HALF_EVEN).toPlainString() + (suffix < 0 ? "" : SUFFIXES.charAt(suffix));
    }
}
