package dev.plateau.workbench;

import java.util.List;
import java.util.Map;

/**
 * What an export of a plan will write, before it is written.
 *
 * @param tensors        tensors in the checkpoint
 * @param prunedTensors  tensors in the export
 * @param configChanges  dotted config.json key to "old -> new"
 * @param layerMaps      per pruned module, old index to new index of each kept layer
 * @param notes          what the user must know to load the export
 * @param problems       why the plan cannot be exported as it is; empty when it can
 */
public record ExportPreview(int tensors, int prunedTensors, Map<String, String> configChanges,
                            Map<String, Map<Integer, Integer>> layerMaps, List<String> notes, List<String> problems) {

    public ExportPreview {
        configChanges = Map.copyOf(configChanges);
        layerMaps = Map.copyOf(layerMaps);
        notes = List.copyOf(notes);
        problems = List.copyOf(problems);
    }

    public boolean exportable() {
        return problems.isEmpty();
    }
}
