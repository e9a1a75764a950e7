package dev.plateau.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which parameters each family's original training code trains when fine-tuning with its defaults:
 * <ul>
 * <li>SmolVLA (lerobot-train): {@code train_expert_only} (default true) freezes the whole VLM, else
 *     {@code freeze_vision_encoder} (default true) freezes the vision tower;</li>
 * <li>pi0 and pi0.5 (lerobot-train): {@code freeze_vision_encoder} freezes the vision tower,
 *     {@code train_expert_only} the whole PaliGemma; both default to false (LeRobot 7427f318's PI0Config and
 *     PI05Config), so everything trains;</li>
 * <li>GR00T-N1.5 (gr00t_finetune.py): {@code --tune-llm} and {@code --tune-visual} default to false, so the Eagle
 *     backbone is frozen and the action head trains;</li>
 * <li>decoder LLMs: everything trains.</li>
 * </ul>
 */
final class TrainingDefaults {
    private TrainingDefaults() {
    }

    static OpenedModel of(Checkpoint checkpoint, ModelSpec spec) {
        JsonNode config = checkpoint.config();
        List<String> frozen = new ArrayList<>();
        String words;
        switch (spec.family()) {
            case SMOLVLA -> {
                boolean expertOnly = config.path("train_expert_only").asBoolean(true);
                boolean freezeVision = config.path("freeze_vision_encoder").asBoolean(true);
                if (expertOnly) {
                    spec.module("vlm").map(m -> upTo(m.layerPrefix(), "vlm.")).ifPresent(frozen::add);
                } else if (freezeVision) {
                    spec.module("vision").map(TrainingDefaults::towerPrefix).ifPresent(frozen::add);
                }
                words = "lerobot-train with train_expert_only = " + expertOnly + ", freeze_vision_encoder = "
                        + freezeVision;
            }
            case PI0, PI05 -> {
                boolean expertOnly = config.path("train_expert_only").asBoolean(false);
                boolean freezeVision = config.path("freeze_vision_encoder").asBoolean(false);
                if (expertOnly) {
                    spec.module("vlm").map(m -> upTo(m.layerPrefix(), "paligemma.")).ifPresent(frozen::add);
                } else if (freezeVision) {
                    spec.module("vision").map(TrainingDefaults::towerPrefix).ifPresent(frozen::add);
                }
                words = "lerobot-train with train_expert_only = " + expertOnly + ", freeze_vision_encoder = "
                        + freezeVision;
            }
            case GR00T_N1_5 -> {
                frozen.add("backbone.");
                words = "gr00t_finetune.py defaults: --tune-llm false, --tune-visual false, --tune-projector true, "
                        + "--tune-diffusion-model true";
            }
            default -> words = "full fine-tuning: every parameter trains";
        }
        long frozenParams = checkpoint.tensors().entrySet().stream()
                .filter(e -> frozen.stream().anyMatch(e.getKey()::startsWith))
                .mapToLong(e -> e.getValue().info().elementCount()).sum();
        Set<String> trainable = new LinkedHashSet<>();
        for (ModuleSpec m : spec.modules()) {
            if (frozen.stream().noneMatch(m.layerPrefix()::startsWith)) {
                trainable.add(m.name());
            }
        }
        return new OpenedModel(spec, spec.totalParams() - frozenParams, trainable, words);
    }

    /** The SigLIP tower of a vision module: its prefix without {@code encoder.layers.}. */
    private static String towerPrefix(ModuleSpec vision) {
        return upTo(vision.layerPrefix(), "encoder.layers.").replaceFirst("encoder\\.layers\\.$", "");
    }

    private static String upTo(String prefix, String part) {
        int at = prefix.indexOf(part);
        return at < 0 ? prefix : prefix.substring(0, at + part.length());
    }
}
