package dev.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything Plateau knows of one model family that its tensors do not say: how a checkpoint of it is recognised and
 * described (its tensor-name prefixes, the config keys that set each module's depth, its pruning rules), how an
 * export edits its config, which layer projections read another module (the roles the verifier checks) and what its
 * loader needs beyond the weights. One profile per family, {@link Family#profile()} the one switch over families.
 *
 * <p>What a family's forward pass computes lives in {@link dev.plateau.engine}, how its inputs are prepared in
 * {@link dev.plateau.calibration}; each switches over {@link Family} once.
 */
public sealed interface FamilyProfile permits SmolVlaProfile, PaliGemmaProfile, Gr00tN15Profile, DecoderLlmProfile {

    /** Cheap test: does this checkpoint claim to be, or look like, this family? */
    boolean recognizes(Checkpoint checkpoint);

    /** The full description; any inconsistency is a {@link dev.plateau.checkpoint.CheckpointException}. */
    ModelSpec describe(Checkpoint checkpoint);

    /**
     * Whether VLM layer i and expert layer i run as one joint layer (SmolVLA, pi0): a pruned run skips the same layers
     * of both, and both layers' weights are in flight at once.
     */
    default boolean jointLayers() {
        return false;
    }

    /**
     * Whether an export leaves depth key {@code key}, holding {@code value}, as it is because it follows another
     * module's depth (SmolVLA's {@code num_expert_layers} at 0 or below: the VLM's depth).
     */
    default boolean followsAnotherDepth(String key, JsonNode value) {
        return false;
    }

    /** Whether top-level config lists with one entry per layer (a decoder's {@code layer_types}) are cut with it. */
    default boolean cutsPerLayerLists() {
        return false;
    }

    /**
     * Whether the original code takes the depth from its own source rather than config.json (pi0's Gemma variants):
     * an export of fewer layers then loads only after the edit that {@link #loaderNotes} spells out, and its depths
     * are checked against the export's record instead of the config.
     */
    default boolean depthInCode() {
        return false;
    }

    /** What a user must do to load an export with {@code depths} layers per module, in plain words. */
    default List<String> loaderNotes(Map<String, Integer> depths, String record) {
        return List.of();
    }

    /**
     * A Python start-up hook ({@code sitecustomize.py}) an export of {@code depths} carries so that the original
     * training code builds it unedited, when {@link #depthInCode} (pi0, pi0.5); else empty.
     */
    default Optional<String> startupHook(Map<String, Integer> depths) {
        return Optional.empty();
    }

    /** The projections of {@code module}'s layers whose input width depends on the layer's role, if any. */
    default Optional<AttentionRoles> attentionRoles(Checkpoint checkpoint, ModelSpec spec, ModuleSpec module) {
        return Optional.empty();
    }
}
