package dev.plateau.model;

import java.util.Arrays;
import java.util.Optional;

/** The model families Plateau knows. */
public enum Family {
    SMOLVLA("smolvla", "SmolVLA"),
    PI0("pi0", "pi0"),
    PI05("pi05", "pi0.5"),
    GR00T_N1_5("gr00t_n1_5", "GR00T-N1.5"),
    DECODER_LLM("decoder_llm", "decoder LLM");

    private final String code;
    private final String displayName;

    Family(String code, String displayName) {
        this.code = code;
        this.displayName = displayName;
    }

    /** Stable identifier for files and scripts, e.g. {@code gr00t_n1_5}. */
    public String code() {
        return code;
    }

    /** The family with code {@code code} (e.g. {@code gr00t_n1_5}), if there is one. */
    public static Optional<Family> fromCode(String code) {
        return Arrays.stream(values()).filter(f -> f.code.equals(code)).findFirst();
    }

    public String displayName() {
        return displayName;
    }

    /** What Plateau knows of the family beyond its tensors. */
    public FamilyProfile profile() {
        return switch (this) {
            case SMOLVLA -> SmolVlaProfile.INSTANCE;
            case PI0 -> Pi0Profile.INSTANCE;
            case PI05 -> Pi05Profile.INSTANCE;
            case GR00T_N1_5 -> Gr00tN15Profile.INSTANCE;
            case DECODER_LLM -> DecoderLlmProfile.INSTANCE;
        };
    }
}
