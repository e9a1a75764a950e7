package dev.plateau.analysis;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The similarity analysis of a calibration run.
 *
 * @param activations the activation file it was computed from
 * @param metadata    that file's metadata (family, source checkpoint, calibration provenance)
 * @param modules     per module, in forward order
 */
public record Analysis(String activations, Map<String, String> metadata, Map<String, ModuleAnalysis> modules) {

    public Analysis {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
    }

    /** The token types some module was analysed over, in code order (image, language, state, action, future). */
    public List<String> tokenTypes() {
        Set<String> labels = new HashSet<>();
        modules.values().forEach(m -> labels.addAll(m.tokenTypes().keySet()));
        return Arrays.stream(TokenType.values()).map(TokenType::label).filter(labels::contains).toList();
    }

    /**
     * The analysis over the tokens of one type: each module that has tokens of that type is replaced by its analysis
     * over them; the others stay over all their tokens.
     */
    public Analysis ofTokenType(String label) {
        Map<String, ModuleAnalysis> selected = new LinkedHashMap<>();
        modules.forEach((name, m) -> selected.put(name, m.ofType(label).orElse(m)));
        return new Analysis(activations, metadata, selected);
    }

    /** The model family code the activations were recorded from (e.g. {@code smolvla}), if recorded. */
    public Optional<String> family() {
        return Optional.ofNullable(metadata.get("family"));
    }
}
