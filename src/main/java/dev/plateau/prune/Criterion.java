package dev.plateau.prune;

import dev.plateau.analysis.Metric;
import java.util.Optional;

/** How the layers to remove are chosen: Algorithm 1 on a similarity metric, or a baseline. */
public sealed interface Criterion permits Criterion.Similarity, Criterion.Random, Criterion.KeepFirst {

    /** The name used on the command line and in plan files. */
    String code();

    /** Algorithm 1 on the adjacent profile of a metric. */
    record Similarity(Metric metric) implements Criterion {
        @Override
        public String code() {
            return metric.code();
        }
    }

    /** k layers drawn uniformly from the removable ones, seeded (the paper's random baseline). */
    record Random(long seed) implements Criterion {
        @Override
        public String code() {
            return "random";
        }
    }

    /** Keep the first layers, drop the last k (the paper's keep-first baseline). */
    record KeepFirst() implements Criterion {
        @Override
        public String code() {
            return "keep-first";
        }
    }

    /** The criterion named {@code code} (a metric code, {@code random} or {@code keep-first}). */
    static Optional<Criterion> parse(String code, long seed) {
        return switch (code) {
            case "random" -> Optional.of(new Random(seed));
            case "keep-first" -> Optional.of(new KeepFirst());
            default -> Metric.fromCode(code).map(Similarity::new);
        };
    }

    /** Every accepted code, for messages. */
    public static String codes() {
        StringBuilder s = new StringBuilder();
        for (Metric m : Metric.values()) {
            s.append(m.code()).append(", ");
        }
        return s.append("random, keep-first").toString();
    }
}
