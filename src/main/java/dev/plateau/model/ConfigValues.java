package dev.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.nio.file.Path;
import java.util.Optional;

/** Typed reads of dotted keys ({@code action_head_cfg.diffusion_model_cfg.num_layers}) from config.json. */
final class ConfigValues {
    private ConfigValues() {
    }

    static Optional<JsonNode> at(Checkpoint checkpoint, String dottedKey) {
        JsonNode node = checkpoint.config();
        for (String part : dottedKey.split("\\.")) {
            node = node.get(part);
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    static Optional<String> text(Checkpoint checkpoint, String dottedKey) {
        return at(checkpoint, dottedKey).filter(JsonNode::isTextual).map(JsonNode::textValue);
    }

    /** An integer key, if present; present but not an integer is an error naming the key. */
    static Optional<Integer> integer(Checkpoint checkpoint, String dottedKey) {
        Optional<JsonNode> node = at(checkpoint, dottedKey);
        if (node.isPresent() && !(node.get().isIntegralNumber() && node.get().canConvertToInt())) {
            throw new CheckpointException(configPath(checkpoint), dottedKey + " is " + node.get()
                    + ", not an integer");
        }
        return node.map(JsonNode::intValue);
    }

    static int requiredInteger(Checkpoint checkpoint, String dottedKey) {
        return integer(checkpoint, dottedKey).orElseThrow(() -> new CheckpointException(configPath(checkpoint),
                "has no integer " + dottedKey));
    }

    /** Fails when the config's depth key disagrees with the layers stored. */
    static void checkDepth(Checkpoint checkpoint, String dottedKey, int configured, ModuleSpec module) {
        if (configured != module.layerCount()) {
            throw new CheckpointException(configPath(checkpoint), dottedKey + " = " + configured + " but the weights "
                    + "hold " + module.layerCount() + " " + module.name() + " layers (0.." + (module.layerCount() - 1)
                    + "); the loading code would leave layers missing or unused");
        }
    }

    static Path configPath(Checkpoint checkpoint) {
        return checkpoint.folder().resolve(Checkpoint.CONFIG);
    }
}
