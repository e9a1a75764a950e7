package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * pi0.5 ({@code lerobot/pi05_base}, LeRobot's {@code pi05} policy, openpi's PyTorch model with {@code pi05=True}):
 * pi0's PaliGemma and joint layers, the expert's norms adaptive ({@code input_layernorm.dense}, no weight). Named as
 * pi0 is: openpi's names in the hub file, LeRobot's {@code model.} prefix in checkpoints it saves. No config key sets
 * the depth: LeRobot and openpi hard-code 18, as for pi0.
 */
final class Pi05Profile implements FamilyProfile {
    /** The tensor that tells pi0.5 from pi0 when the config does not say: the first expert layer's adaptive norm. */
    static final String ADAPTIVE_NORM = Pi0Profile.EXPERT + "0.input_layernorm.dense.weight";
    static final Pi05Profile INSTANCE = new Pi05Profile();

    private Pi05Profile() {
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "type").map(Family.PI05.code()::equals)
                .orElseGet(() -> checkpoint.tensor(ADAPTIVE_NORM).isPresent()
                        || checkpoint.tensor("model." + ADAPTIVE_NORM).isPresent());
    }

    @Override
    public ModelSpec describe(Checkpoint checkpoint) {
        return Pi0Profile.paliGemmaVla(checkpoint, Family.PI05, "self_attn.o_proj.weight");
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
        return Pi0Profile.gemmaDepthNotes(Family.PI05, depths, record);
    }

    @Override
    public Optional<String> startupHook(Map<String, Integer> depths) {
        return Optional.of(GemmaDepthHook.source(depths.values().iterator().next()));
    }
}
