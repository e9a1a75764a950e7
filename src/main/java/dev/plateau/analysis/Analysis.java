package dev.plateau.analysis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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

    /** The model family code the activations were recorded from (e.g. {@code smolvla}), if recorded. */
    public Optional<String> family() {
        return Optional.ofNullable(metadata.get("family"));
    }
}
