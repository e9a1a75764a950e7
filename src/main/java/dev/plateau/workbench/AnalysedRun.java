package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.RunFiles;

/**
 * A calibration run and its analysis under every metric, as kept in the session cache.
 *
 * @param request  what was run
 * @param files    its analysis, token sample and statistics
 * @param analysis the similarity matrices of every module under every metric, over all tokens and per token type
 * @param cached   whether it came from the cache rather than a fresh run
 */
public record AnalysedRun(CalibrationRequest request, RunFiles files, Analysis analysis, boolean cached) {
}
