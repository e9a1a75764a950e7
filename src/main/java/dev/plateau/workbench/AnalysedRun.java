package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import java.nio.file.Path;

/**
 * A calibration run and its analysis under every metric, as kept in the session cache.
 *
 * @param request     what was run
 * @param activations the activation file
 * @param analysis    the similarity matrices of every module under every metric
 * @param cached      whether it came from the cache rather than a fresh run
 */
public record AnalysedRun(CalibrationRequest request, Path activations, Analysis analysis, boolean cached) {
}
