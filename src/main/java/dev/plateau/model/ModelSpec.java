package dev.plateau.model;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a checkpoint is: its family, its prunable modules and their rules, and what its weight files hold.
 *
 * @param family        the detected family
 * @param architecture  the finer kind: e.g. {@code llama}, {@code qwen3}; the family's name for VLAs
 * @param naming        tensor naming variant when a family has several (pi0: {@code lerobot} or {@code openpi})
 * @param folder        the checkpoint folder
 * @param modules       prunable modules in forward order
 * @param rules         the constraints on removal sets
 * @param totalParams   parameters of all stored tensors
 * @param paramsByDtype parameters per stored dtype, by the dtype's safetensors code (BF16, F32, ...)
 * @param tensorCount   number of stored tensors
 * @param weightFiles   weight file names in order
 * @param sharded       whether the weights are sharded through an index
 */
public record ModelSpec(Family family, String architecture, String naming, Path folder, List<ModuleSpec> modules,
                        List<LayerRule> rules, long totalParams, Map<String, Long> paramsByDtype, int tensorCount,
                        List<String> weightFiles, boolean sharded) {

    public ModelSpec {
        modules = List.copyOf(modules);
        rules = List.copyOf(rules);
        paramsByDtype = Collections.unmodifiableMap(new LinkedHashMap<>(paramsByDtype));
        weightFiles = List.copyOf(weightFiles);
    }

    public Optional<ModuleSpec> module(String name) {
        return modules.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Layer count of each module by canonical name. */
    public Map<String, Integer> depths() {
        Map<String, Integer> depths = new LinkedHashMap<>();
        modules.forEach(m -> depths.put(m.name(), m.layerCount()));
        return depths;
    }
}
