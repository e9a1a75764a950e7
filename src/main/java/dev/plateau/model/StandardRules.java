package dev.plateau.model;

import java.util.ArrayList;
import java.util.List;

/** The rules of each family, worded once: from a checkpoint's config, or with the family's standard values. */
public final class StandardRules {
    private StandardRules() {
    }

    /** SmolVLA: attention type by index parity in VLM and expert; expert depth tied to the VLM's or a multiple. */
    public static List<LayerRule> smolVla(int selfAttnEveryN, boolean expertDepthFollowsVlm) {
        List<LayerRule> rules = new ArrayList<>();
        rules.add(new LayerParity("vlm", selfAttnEveryN, "joint attention with the expert", "attended to by the expert"));
        rules.add(new LayerParity("expert", selfAttnEveryN, "joint attention (k/v read the expert stream)",
                "cross-attention (k/v read the VLM's keys and values)"));
        rules.add(expertDepthFollowsVlm
                ? new TiedDepth("vlm", "expert", "num_expert_layers <= 0 gives the expert one layer per VLM layer")
                : new DepthMultiple("vlm", "expert", selfAttnEveryN));
        return List.copyOf(rules);
    }

    /** pi0 and pi0.5: one joint layer runs VLM layer i and expert layer i. */
    public static List<LayerRule> pi0() {
        return List.of(new TiedDepth("vlm", "expert", "every joint layer runs VLM layer i and expert layer i together"));
    }

    /** GR00T-N1.5: DiT blocks alternate cross- and self-attention by index when interleaved. */
    public static List<LayerRule> gr00t(boolean interleavedSelfAttention) {
        return interleavedSelfAttention
                ? List.of(new LayerParity("dit", 2, "cross-attention to the VL features", "self-attention"))
                : List.of();
    }

    /** The rules of a family's standard configuration (smolvla_base, pi0_base, pi05_base, GR00T-N1.5-3B). */
    public static List<LayerRule> of(Family family) {
        return switch (family) {
            case SMOLVLA -> smolVla(2, true);
            case PI0, PI05 -> pi0();
            case GR00T_N1_5 -> gr00t(true);
            case DECODER_LLM -> List.of();
        };
    }
}
