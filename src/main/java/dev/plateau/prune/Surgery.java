package dev.plateau.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.TensorSpec;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What pruning does to a checkpoint, before anything is written: the tensors to write (removed layers dropped, kept
 * layers renumbered contiguously, every tensor's bytes copied as found), the edited config.json, and each module's
 * old-to-new layer map.
 *
 * @param tensors       the export's tensors, in the source's order, each a copy of its source tensor
 * @param config        config.json with the depth keys set to the new depths
 * @param configChanges dotted key to [old, new] for every edited value
 * @param layerMaps     per pruned module: old index to new index of every kept layer
 * @param depths        per pruned module: the new depth
 */
public record Surgery(List<TensorSpec> tensors, ObjectNode config, Map<String, List<JsonNode>> configChanges,
                      Map<String, Map<Integer, Integer>> layerMaps, Map<String, Integer> depths) {

    /** Plans the surgery of {@code plan} on {@code checkpoint} (which {@code spec} describes); the plan must be valid. */
    public static Surgery of(Checkpoint checkpoint, ModelSpec spec, Plan plan) {
        Map<String, Map<Integer, Integer>> layerMaps = new LinkedHashMap<>();
        Map<String, Integer> depths = new LinkedHashMap<>();
        for (ModulePlan m : plan.modules().values()) {
            Map<Integer, Integer> map = new TreeMap<>();
            List<Integer> kept = m.kept().isEmpty() || m.layers() < 0
                    ? keptOf(m, spec.module(m.module()).orElseThrow().layerCount()) : m.kept();
            for (int i = 0; i < kept.size(); i++) {
                map.put(kept.get(i), i);
            }
            layerMaps.put(m.module(), map);
            depths.put(m.module(), kept.size());
        }
        List<TensorSpec> tensors = new ArrayList<>();
        for (Map.Entry<String, Checkpoint.Entry> e : checkpoint.tensors().entrySet()) {
            rename(e.getKey(), spec, layerMaps).ifPresent(name ->
                    tensors.add(TensorSpec.copyOf(name, e.getValue().file(), e.getValue().info())));
        }
        ObjectNode config = checkpoint.config().deepCopy();
        Map<String, List<JsonNode>> changes = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> d : depths.entrySet()) {
            ModuleSpec module = spec.module(d.getKey()).orElseThrow();
            for (String key : module.depthKeys()) {
                JsonNode old = get(config, key);
                if (!spec.family().profile().followsAnotherDepth(key, old)) {
                    set(config, key, d.getValue());
                    changes.put(key, List.of(old == null ? config.nullNode() : old, get(config, key)));
                }
            }
            if (spec.family().profile().cutsPerLayerLists()) {
                perLayerLists(config, module.layerCount(), layerMaps.get(d.getKey()), changes);
            }
        }
        return new Surgery(tensors, config, changes, layerMaps, depths);
    }

    private static List<Integer> keptOf(ModulePlan m, int depth) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            if (!m.remove().contains(i)) {
                kept.add(i);
            }
        }
        return kept;
    }

    /** The tensor's name in the export, or empty when its layer is removed. */
    static Optional<String> rename(String name, ModelSpec spec, Map<String, Map<Integer, Integer>> layerMaps) {
        for (Map.Entry<String, Map<Integer, Integer>> e : layerMaps.entrySet()) {
            String prefix = spec.module(e.getKey()).orElseThrow().layerPrefix();
            OptionalLayer layer = OptionalLayer.of(name, prefix);
            if (layer.present()) {
                Integer renumbered = e.getValue().get(layer.index());
                return renumbered == null ? Optional.empty()
                        : Optional.of(prefix + renumbered + name.substring(layer.end()));
            }
        }
        return Optional.of(name);
    }

    /** The layer index of {@code name} under {@code prefix} ({@code <prefix><i>.<rest>}), if it has one. */
    record OptionalLayer(boolean present, int index, int end) {
        static OptionalLayer of(String name, String prefix) {
            if (!name.startsWith(prefix)) {
                return new OptionalLayer(false, -1, -1);
            }
            int i = prefix.length();
            int j = i;
            while (j < name.length() && Character.isDigit(name.charAt(j))) {
                j++;
            }
            if (j == i || j >= name.length() || name.charAt(j) != '.') {
                return new OptionalLayer(false, -1, -1);
            }
            return new OptionalLayer(true, Integer.parseInt(name.substring(i, j)), j);
        }
    }

    /** Top-level lists with one entry per layer (e.g. layer_types) keep the kept layers' entries. */
    private static void perLayerLists(ObjectNode config, int oldDepth, Map<Integer, Integer> map,
                                      Map<String, List<JsonNode>> changes) {
        for (Map.Entry<String, JsonNode> e : new ArrayList<>(config.properties())) {
            if (e.getValue().isArray() && e.getValue().size() == oldDepth) {
                ArrayNode kept = config.arrayNode();
                map.keySet().forEach(i -> kept.add(e.getValue().get(i)));
                changes.put(e.getKey(), List.of(e.getValue(), kept));
                config.set(e.getKey(), kept);
            }
        }
    }

    static JsonNode get(ObjectNode config, String dottedKey) {
        JsonNode node = config;
        for (String part : dottedKey.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    private static void set(ObjectNode config, String dottedKey, int value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = config;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (ObjectNode) node.get(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }
}
