package dev.plateau.workbench;

import dev.plateau.model.ModelSpec;
import java.util.Set;

/**
 * A checkpoint as the window holds it: what it is, and what its family's fine-tuning trains by default.
 *
 * @param spec              family, modules, rules and totals
 * @param trainableParams   parameters the original training code trains under its default settings
 * @param trainableModules  prunable modules whose layers are among them
 * @param trainingDefaults  the settings that decide it, in words (e.g. "train_expert_only = true")
 */
public record OpenedModel(ModelSpec spec, long trainableParams, Set<String> trainableModules,
                          String trainingDefaults) {

    public OpenedModel {
        trainableModules = Set.copyOf(trainableModules);
    }
}
