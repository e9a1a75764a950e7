package dev.plateau.analysis;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The layer similarities of one module.
 *
 * @param name    canonical module name
 * @param tokens  tokens compared per layer
 * @param width   hidden size
 * @param metrics one all-pairs matrix per metric computed
 */
public record ModuleAnalysis(String name, long tokens, long width, Map<Metric, SimilarityMatrix> metrics) {

    public ModuleAnalysis {
        metrics = Collections.unmodifiableMap(new EnumMap<>(metrics));
    }

    public int layers() {
        return metrics.values().iterator().next().layers();
    }
}
