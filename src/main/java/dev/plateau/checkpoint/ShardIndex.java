package dev.plateau.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@code model.safetensors.index.json} of a sharded checkpoint: which shard file holds each tensor.
 *
 * @param weightMap tensor name to shard file name (a plain file name in the checkpoint folder)
 * @param totalSize the {@code metadata.total_size} the file declares, or -1 when absent
 */
public record ShardIndex(Map<String, String> weightMap, long totalSize) {

    public static final String FILE_NAME = "model.safetensors.index.json";

    public ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    /** Shard file names, sorted (model-00001-of-0000n first). */
    public SortedSet<String> shardNames() {
        return new TreeSet<>(weightMap.values());
    }

    /** Reads and checks the index's structure; that the shards hold what it says is checked by {@link Checkpoint}. */
    public static ShardIndex read(Path file) {
        ObjectNode root = Json.readObject(file);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(file, "has no \"weight_map\" object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode shard = e.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.textValue())) {
                throw new CheckpointException(file, "places tensor '" + e.getKey() + "' in " + shard
                        + ", which is not a file name in the checkpoint folder");
            }
            weightMap.put(e.getKey(), shard.textValue());
        }
        if (weightMap.isEmpty()) {
            throw new CheckpointException(file, "lists no tensors in its \"weight_map\"");
        }
        JsonNode total = root.path("metadata").path("total_size");
        return new ShardIndex(weightMap, total.canConvertToLong() ? total.longValue() : -1);
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.contains("/") && !name.contains("\\") && !name.equals(".")
                && !name.equals("..") && name.endsWith(".safetensors");
    }
}
