package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;

/** pi0 (LeRobot's port or openpi's PyTorch model): PaliGemma and a plain Gemma-300M expert. */
final class Pi0Profile extends PaliGemmaProfile {
    static final Pi0Profile INSTANCE = new Pi0Profile();

    private Pi0Profile() {
        super(Family.PI0, "input_layernorm.weight");
    }

    @Override
    public boolean recognizes(Checkpoint checkpoint) {
        return ConfigValues.text(checkpoint, "type").map("pi0"::equals).orElse(false)
                || checkpoint.tensors().keySet().stream().anyMatch(n -> n.startsWith(ROOT)
                        || n.startsWith("model." + ROOT));
    }
}
