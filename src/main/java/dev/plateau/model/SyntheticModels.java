package dev.plateau.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The named synthetic checkpoints Plateau can write: every family, small or at real size. */
public final class SyntheticModels {
    /** Names accepted by {@link #named(String, boolean)}. */
    public static final List<String> NAMES = List.of("smolvla", "pi0", "pi0-openpi", "pi05", "pi05-lerobot", "gr00t",
            "llama", "qwen2", "qwen3", "gemma", "mistral");

    private SyntheticModels() {
    }

    /**
     * The checkpoint called {@code name}: real dimensions when {@code realSize} (smolvla_base, pi0_base, pi05_base,
     * GR00T-N1.5-3B, Llama-3.2-1B, Qwen2.5-0.5B, Qwen3-0.6B, Gemma-2B, Mistral-7B), else the same structure with small
     * widths.
     */
    public static Optional<SyntheticCheckpoint> named(String name, boolean realSize) {
        String label = name.toLowerCase(Locale.ROOT) + (realSize ? "-real-size" : "-tiny");
        return Optional.ofNullable(switch (name.toLowerCase(Locale.ROOT)) {
            case "smolvla" -> SmolVlaLayout.of(label, realSize ? SmolVlaLayout.Dims.real() : SmolVlaLayout.Dims.tiny());
            case "pi0" -> Pi0Layout.of(label, pi0(realSize), Pi0Layout.Naming.LEROBOT);
            case "pi0-openpi" -> Pi0Layout.of(label, pi0(realSize), Pi0Layout.Naming.OPENPI);
            case "pi05" -> Pi0Layout.pi05(label, pi0(realSize), Pi0Layout.Naming.OPENPI);
            case "pi05-lerobot" -> Pi0Layout.pi05(label, pi0(realSize), Pi0Layout.Naming.LEROBOT);
            case "gr00t" -> Gr00tLayout.of(label, realSize ? Gr00tLayout.Dims.real() : Gr00tLayout.Dims.tiny());
            case "llama" -> llm(label, DecoderLlmLayout.Dims.llama32_1b(), realSize);
            case "qwen2" -> llm(label, DecoderLlmLayout.Dims.qwen25_05b(), realSize);
            case "qwen3" -> llm(label, DecoderLlmLayout.Dims.qwen3_06b(), realSize);
            case "gemma" -> llm(label, DecoderLlmLayout.Dims.gemma_2b(), realSize);
            case "mistral" -> llm(label, DecoderLlmLayout.Dims.mistral_7b(), realSize);
            default -> null;
        });
    }

    private static Pi0Layout.Dims pi0(boolean realSize) {
        return realSize ? Pi0Layout.Dims.real() : Pi0Layout.Dims.tiny();
    }

    private static SyntheticCheckpoint llm(String label, DecoderLlmLayout.Dims real, boolean realSize) {
        return DecoderLlmLayout.of(label, realSize ? real : real.tiny());
    }
}
