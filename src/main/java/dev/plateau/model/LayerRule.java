package dev.plateau.model;

import java.util.Set;
import java.util.Map;
import java.util.Optional;

/** A constraint of a model family that a set of removed layers must respect for the pruned model to load and run. */
public sealed interface LayerRule permits LayerParity, TiedDepth, DepthMultiple {

    /** The rule in one sentence a researcher understands. */
    String description();

    /**
     * Why removing {@code removed} (0-based original layer indices per module name) breaks this rule, if it does.
     * {@code depths} gives each module's layer count before pruning.
     */
    Optional<String> violation(Map<String, Integer> depths, Map<String, Set<Integer>> removed);
}
