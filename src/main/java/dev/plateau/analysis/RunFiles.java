package dev.plateau.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of a calibration run: the analysis ({@code RUN.json}), and beside it the token sample
 * ({@code RUN.sample.safetensors}, an activation file of the sampled tokens, for the PCA preview) and the statistics
 * ({@code RUN.statistics.safetensors}, what adding samples later merges into).
 */
public record RunFiles(Path analysis, Path sample, Path statistics) {

    /** The files of the run whose analysis is {@code analysis}. */
    public static RunFiles of(Path analysis) {
        Path absolute = analysis.toAbsolutePath();
        String name = absolute.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return new RunFiles(absolute, absolute.resolveSibling(stem + ".sample.safetensors"),
                absolute.resolveSibling(stem + ".statistics.safetensors"));
    }

    /** Whether all three files are there. */
    public boolean exist() {
        return Files.isRegularFile(analysis) && Files.isRegularFile(sample) && Files.isRegularFile(statistics);
    }

    /** The analysis, after checking that the sample and statistics are beside it. */
    public Analysis read() {
        for (Path p : new Path[] {analysis, sample, statistics}) {
            if (!Files.isRegularFile(p)) {
                throw new ActivationException(p, "not found; a run's analysis, token sample and statistics stay "
                        + "together (" + analysis.getFileName() + ", " + sample.getFileName() + ", "
                        + statistics.getFileName() + ")");
            }
        }
        return AnalysisFile.read(analysis);
    }

    /**
     * Writes the token sample, the statistics and then the analysis, each atomically; if any fails, none of the three
     * is left.
     */
    public void write(Analysis result, StreamedStatistics statistics) throws IOException {
        boolean done = false;
        try {
            statistics.writeSample(sample, result.metadata());
            statistics.save(this.statistics, result.metadata());
            AnalysisFile.write(analysis, result);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(sample);
                Files.deleteIfExists(this.statistics);
                Files.deleteIfExists(analysis);
            }
        }
    }
}
