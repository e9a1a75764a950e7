package dev.plateau.finetune;

import dev.plateau.model.Family;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The original training code a pruned checkpoint is fine-tuned with. */
public enum Recipe {
    /** LeRobot's lerobot-train, for SmolVLA, pi0 and pi0.5: {@code --policy.path=} the exported folder. */
    LEROBOT("lerobot", "lerobot-train"),
    /** Isaac-GR00T's scripts/gr00t_finetune.py, for GR00T-N1.5: {@code --base-model-path} the exported folder. */
    GR00T("gr00t", "scripts/gr00t_finetune.py");

    private final String code;
    private final String trainer;

    Recipe(String code, String trainer) {
        this.code = code;
        this.trainer = trainer;
    }

    public String code() {
        return code;
    }

    /** The trainer's executable (LeRobot: on PATH) or script (GR00T: inside an Isaac-GR00T checkout). */
    public String defaultTrainer() {
        return trainer;
    }

    public static Recipe of(String code) {
        return Arrays.stream(values()).filter(r -> r.code.equals(code.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new FinetuneException("no recipe '" + code + "'; the recipes are lerobot and "
                        + "gr00t"));
    }

    /** The recipe that trains a model family; empty for decoder LLMs. */
    public static Optional<Recipe> forFamily(Family family) {
        return switch (family) {
            case SMOLVLA, PI0, PI05 -> Optional.of(LEROBOT);
            case GR00T_N1_5 -> Optional.of(GR00T);
            case DECODER_LLM -> Optional.empty();
        };
    }
}
