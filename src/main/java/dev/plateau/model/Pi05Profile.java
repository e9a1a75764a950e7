package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;

/**
 * pi0.5 ({@code lerobot/pi05_base}, LeRobot's {@code pi05} policy, openpi's PyTorch model with {@code pi05=True}):
 * pi0's PaliGemma and joint layers, the expert's norms adaptive ({@code input_layernorm.dense}, no weight). The hub
 * file holds openpi's names, checkpoints LeRobot saves the {@code model.} prefix.
 */
final class Pi05Profile extends PaliGemmaProfile {
    /** The tensor that tells pi0.5 from pi0 when the config does not say: the first expert layer's adaptive norm. */
    static final String ADAPTIVE_NORM = EXPERT + "0.input_layernorm.dense.weight";
    static final Pi05Profile INSTANCE = new Pi05Profile();

    private Pi05Profile() {
        super(Family.PI05, "self_attn.o_proj.weight");
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "type").map(Family.PI05.code()::equals)
                .orElseGet(() -> checkpoint.tensor(ADAPTIVE_NORM).isPresent()
                        || checkpoint.tensor("model." + ADAPTIVE_NORM).isPresent());
    }
}
