package dev.plateau.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A family's complete checkpoint for given dimensions: config.json, every tensor with its real name and stored
 * dtype, and the auxiliary files the real checkpoint ships (small stand-ins with the real names).
 *
 * @param name       a short label, e.g. {@code smolvla-tiny}
 * @param config     config.json as the family's code writes it
 * @param tensors    every stored tensor, in the family's order
 * @param auxFiles   relative path to text content
 * @param shardBytes the shard size the real checkpoint uses (0: a single file)
 */
public record SyntheticCheckpoint(String name, ObjectNode config, List<TensorDecl> tensors,
                                  Map<String, String> auxFiles, long shardBytes) {

    public SyntheticCheckpoint {
        tensors = List.copyOf(tensors);
        auxFiles = Collections.unmodifiableMap(new LinkedHashMap<>(auxFiles));
    }
}
