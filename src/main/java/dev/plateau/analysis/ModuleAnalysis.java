package dev.plateau.analysis;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The layer similarities of one module.
 *
 * @param name    canonical module name
 * @param tokens  tokens compared per layer
 * @param width   hidden size
 * @param metrics    one all-pairs matrix per metric computed
 * @param tokenTypes the same over the tokens of each type (by {@link TokenType#label()}), where computed; each of
 *                   them has no types of its own
 */
public record ModuleAnalysis(String name, long tokens, long width, Map<Metric, SimilarityMatrix> metrics,
                             Map<String, ModuleAnalysis> tokenTypes) {

    public ModuleAnalysis {
        metrics = Collections.unmodifiableMap(new EnumMap<>(metrics));
        tokenTypes = Collections.unmodifiableMap(new LinkedHashMap<>(tokenTypes));
    }

    /** An analysis over all tokens only. */
    public ModuleAnalysis(String name, long tokens, long width, Map<Metric, SimilarityMatrix> metrics) {
        this(name, tokens, width, metrics, Map.of());
    }

    /** The analysis of one token type's tokens, when computed. */
    public Optional<ModuleAnalysis> ofType(String label) {
        return Optional.ofNullable(tokenTypes.get(label));
    }

    public int layers() {
        return metrics.values().iterator().next().layers();
    }
}
