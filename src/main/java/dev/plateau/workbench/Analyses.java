package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.ActivationFile;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.AnalysisFile;
import dev.plateau.analysis.Analyzer;
import dev.plateau.analysis.Metric;
import dev.plateau.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The analyze step: activation file in, similarity matrices of every module out. */
final class Analyses {
    private Analyses() {
    }

    /** Metric codes (e.g. {@code cka}, {@code cosine}) or {@code all}. */
    static Set<Metric> metrics(Iterable<String> codes) {
        Set<Metric> metrics = EnumSet.noneOf(Metric.class);
        for (String code : codes) {
            if (code.equals("all")) {
                metrics.addAll(EnumSet.allOf(Metric.class));
                continue;
            }
            metrics.add(Metric.fromCode(code).orElseThrow(() -> new PlateauException("unknown metric '" + code
                    + "'; choose from " + Arrays.stream(Metric.values()).map(Metric::code)
                    .collect(Collectors.joining(", ")) + " or all")));
        }
        return metrics.isEmpty() ? EnumSet.of(Metric.CKA) : metrics;
    }

    /**
     * The calibration or analysis at {@code run}, held to {@code model}, the checkpoint at {@code checkpoint}: one of
     * another family is refused in one line naming both.
     */
    static Analysis readFor(Path run, OpenedModel model, Path checkpoint) {
        Analysis analysis;
        try {
            analysis = AnalysisFile.read(run);
        } catch (ActivationException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        String family = model.spec().family().code();
        if (analysis.family().isPresent() && !analysis.family().get().equals(family)) {
            throw new PlateauException(run + ": calibration of a " + analysis.family().get() + " model, but "
                    + checkpoint + " is " + family);
        }
        return analysis;
    }

    static Analysis analyze(Path activations, Set<Metric> metrics, int batchSize, long seed, Path out) {
        try (ActivationFile file = ActivationFile.open(activations)) {
            Analysis analysis = Analyzer.analyze(file, metrics, batchSize, seed);
            AnalysisFile.write(out, analysis);
            return analysis;
        } catch (CheckpointException | ActivationException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
