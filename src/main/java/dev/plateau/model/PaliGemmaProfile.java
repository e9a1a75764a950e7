package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What pi0 and pi0.5 share: PaliGemma (SigLIP + Gemma 2B) and a Gemma action expert run as 18 joint layers, named
 * by LeRobot ({@code model.} prefix) or openpi (none), with PaliGemma stored in transformers 5 layout
 * ({@code paligemma.model.language_model}) or the older {@code paligemma.language_model.model}. No config key sets the
 * depth: LeRobot's get_gemma_config and openpi's gemma.get_config hard-code 18, so an export carries a start-up hook
 * ({@link GemmaDepthHook}) that gives the original code its depth.
 */
abstract sealed class PaliGemmaProfile implements FamilyProfile permits Pi0Profile, Pi05Profile {
    static final String ROOT = "paligemma_with_expert.";
    static final String VLM = ROOT + "paligemma.model.language_model.layers.";
    static final String VLM_LEGACY = ROOT + "paligemma.language_model.model.layers.";
    static final String VISION = ROOT + "paligemma.model.vision_tower.vision_model.encoder.layers.";
    static final String VISION_LEGACY = ROOT + "paligemma.vision_tower.vision_model.encoder.layers.";
    static final String EXPERT = ROOT + "gemma_expert.model.layers.";

    private final Family family;
    private final String expertWidth;

    /** @param expertWidth the expert layer tensor whose first dimension is the expert's width */
    PaliGemmaProfile(Family family, String expertWidth) {
        this.family = family;
        this.expertWidth = expertWidth;
    }

    /** The checkpoint's family, whose config type must be the family's code when given. */
    @Override
    public ModelSpec describe(Checkpoint checkpoint) {
        Optional<String> type = ConfigValues.text(checkpoint, "type");
        if (type.isPresent() && !type.get().equals(family.code())) {
            throw new CheckpointException(ConfigValues.configPath(checkpoint), "type '" + type.get()
                    + "' holds pi0-style tensors but is not pi0 or pi0.5; Plateau reads those two (pi0-FAST differs)");
        }
        boolean lerobot = checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith("model." + ROOT));
        String prefix = lerobot ? "model." : "";
        String vlm = prefix + (LayerScan.present(checkpoint, prefix + VLM_LEGACY) ? VLM_LEGACY : VLM);
        String vision = prefix + (LayerScan.present(checkpoint, prefix + VISION_LEGACY) ? VISION_LEGACY : VISION);

        List<ModuleSpec> modules = new ArrayList<>();
        if (LayerScan.present(checkpoint, vision)) {
            modules.add(LayerScan.module(checkpoint, "vision", vision, "layer_norm1.weight", List.of()));
        }
        modules.add(LayerScan.module(checkpoint, "vlm", vlm, "input_layernorm.weight", List.of()));
        modules.add(LayerScan.module(checkpoint, "expert", prefix + EXPERT, expertWidth, List.of()));
        ModelSpec spec = ModelDetector.spec(checkpoint, family, family.code(), lerobot ? "lerobot" : "openpi",
                modules, StandardRules.pi0());
        int vlmDepth = spec.module("vlm").orElseThrow().layerCount();
        int expertDepth = spec.module("expert").orElseThrow().layerCount();
        if (vlmDepth != expertDepth) {
            throw new CheckpointException(checkpoint.weightsPath(), "holds " + vlmDepth + " VLM layers but "
                    + expertDepth + " expert layers; " + family.displayName() + " runs them in lockstep, so they "
                    + "must be as many");
        }
        return spec;
    }

    @Override
    public boolean jointLayers() {
        return true;
    }

    @Override
    public boolean depthInCode() {
        return true;
    }

    @Override
    public List<String> loaderNotes(Map<String, Integer> depths, String record) {
        int depth = depths.values().iterator().next();
        return List.of(family.displayName() + " has no config key for its depth: LeRobot's get_gemma_config and "
                + "openpi's gemma.get_config hard-code 18 layers. The export carries plateau_hook/sitecustomize.py, "
                + "which makes that code build " + depth + " layers unedited: Plateau's fine-tuning puts it first on "
                + "PYTHONPATH; to launch yourself, run PYTHONPATH=<export>/plateau_hook lerobot-train "
                + "--policy.path=<export> ... The new depths are recorded in " + record + ".");
    }

    @Override
    public Optional<String> startupHook(Map<String, Integer> depths) {
        return Optional.of(GemmaDepthHook.source(depths.values().iterator().next()));
    }
}
