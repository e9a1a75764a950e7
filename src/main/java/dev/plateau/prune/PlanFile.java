package dev.plateau.prune;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PLAN.json: {@code {"family": "...", "modules": {name: {"remove": [0-based], "tau": t, "k": k, "criterion": c}}}},
 * plus, as written by {@code plateau plan}, each module's {@code layers}, {@code kept}, {@code scores},
 * {@code blocks} ([first, last] pairs), {@code pool} and {@code notes}, and the plan's {@code problems}. Hand-written
 * plans need only {@code remove} per module.
 */
public final class PlanFile {
    private PlanFile() {
    }

    public static void write(Path file, Plan plan) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("family", plan.family());
        ObjectNode modules = root.putObject("modules");
        for (ModulePlan m : plan.modules().values()) {
            ObjectNode node = modules.putObject(m.module());
            ints(node.putArray("remove"), m.remove());
            number(node, "tau", m.tau());
            node.put("k", m.k());
            node.put("criterion", m.criterion());
            node.put("layers", m.layers());
            ints(node.putArray("kept"), m.kept());
            ArrayNode scores = node.putArray("scores");
            m.scores().forEach(v -> Json.addNumberOrNull(scores, v));
            ArrayNode blocks = node.putArray("blocks");
            m.blocks().forEach(b -> blocks.addArray().add(b.first()).add(b.last()));
            ints(node.putArray("pool"), m.pool());
            ArrayNode notes = node.putArray("notes");
            m.notes().forEach(notes::add);
        }
        ArrayNode problems = root.putArray("problems");
        plan.problems().forEach(problems::add);
        Json.writeAtomically(file, root);
    }

    /** Reads a plan; structural problems are a {@link PlanException} naming the file. */
    public static Plan read(Path file) {
        try {
            return read(Files.readAllBytes(file), file);
        } catch (NoSuchFileException e) {
            throw new PlanException(file, "file not found");
        } catch (IOException e) {
            throw new PlanException(file, "cannot be read: " + e.getMessage());
        }
    }

    /** Reads a plan from the bytes of {@code file} (e.g. a resource); messages name {@code file}. */
    public static Plan read(byte[] json, Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new PlanException(file, "is not valid JSON" + where + ": " + e.getOriginalMessage().lines()
                    .findFirst().orElse(""));
        } catch (IOException e) {
            throw new PlanException(file, "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.path("modules").isObject() || root.path("modules").isEmpty()) {
            throw new PlanException(file, "has no \"modules\" object naming the layers to remove");
        }
        Map<String, ModulePlan> modules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("modules").properties()) {
            JsonNode node = e.getValue();
            JsonNode remove = node.path("remove");
            if (!remove.isArray()) {
                throw new PlanException(file, e.getKey() + " has no \"remove\" list of layer indices");
            }
            List<Integer> indices = new ArrayList<>();
            for (JsonNode i : remove) {
                if (!i.isIntegralNumber() || !i.canConvertToInt()) {
                    throw new PlanException(file, e.getKey() + " lists " + i + " in \"remove\", not a layer index");
                }
                indices.add(i.intValue());
            }
            List<Integer> sorted = indices.stream().sorted().toList();
            if (sorted.stream().distinct().count() != sorted.size()) {
                throw new PlanException(file, e.getKey() + " lists a layer twice in \"remove\": " + indices);
            }
            double tau = node.path("tau").isNumber() ? node.path("tau").asDouble() : Double.NaN;
            int k = node.path("k").canConvertToInt() && node.path("k").isIntegralNumber() ? node.path("k").intValue()
                    : sorted.size();
            int layers = node.path("layers").isIntegralNumber() ? node.path("layers").intValue() : -1;
            List<String> notes = new ArrayList<>();
            node.path("notes").forEach(n -> notes.add(n.asText()));
            modules.put(e.getKey(), new ModulePlan(e.getKey(), layers, sorted, tau, k,
                    node.path("criterion").asText("hand-written"), List.of(), List.of(), List.of(), notes));
        }
        List<String> problems = new ArrayList<>();
        root.path("problems").forEach(p -> problems.add(p.asText()));
        return new Plan(root.path("family").asText(""), modules, problems);
    }

    private static void ints(ArrayNode array, List<Integer> values) {
        values.forEach(array::add);
    }

    private static void number(ObjectNode node, String key, double value) {
        if (Double.isNaN(value)) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
