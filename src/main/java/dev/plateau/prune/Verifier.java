package dev.plateau.prune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.TensorInfo;
import dev.plateau.model.AttentionRoles;
import dev.plateau.model.LayerParity;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Checks a (pruned) checkpoint against what its family's loading code will ask for. The depth comes from the config
 * (for pi0, from {@code plateau-pruning.json}); the loader builds that many layers, each with the tensors of its role
 * (SmolVLA's expert and GR00T's DiT alternate roles by index), and fills each from the file by name. So every layer
 * must hold exactly its role's tensors with the shapes the config implies, no layer beyond the depth may exist, and
 * (when the export recorded them) every other tensor must be there as the source had it.
 */
public final class Verifier {
    private Verifier() {
    }

    /**
     * The outcome.
     *
     * @param spec     what the checkpoint is
     * @param problems each missing, unexpected or mis-shaped tensor or inconsistent config value, one sentence
     * @param checked  how many tensors were compared
     */
    public record Report(ModelSpec spec, List<String> problems, int checked) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Verifies the checkpoint folder {@code folder}; an unreadable or inconsistent one is a CheckpointException. */
    public static Report verify(Path folder) {
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            ModelSpec spec = ModelDetector.detect(checkpoint);
            Optional<JsonNode> record = record(folder);
            List<String> problems = new ArrayList<>();
            if (spec.family().profile().depthInCode()) {
                record.map(r -> r.path("depths")).ifPresent(depths -> depths.properties().forEach(d -> {
                    int stored = spec.module(d.getKey()).map(ModuleSpec::layerCount).orElse(-1);
                    if (stored != d.getValue().asInt()) {
                        problems.add(d.getKey() + " should have " + d.getValue().asInt() + " layers ("
                                + Exporter.RECORD + ") but the weights hold " + stored);
                    }
                }));
            }
            int checked = 0;
            for (ModuleSpec module : spec.modules()) {
                checked += checkLayers(checkpoint, spec, module, problems);
            }
            checked += record.map(r -> checkUnchanged(checkpoint, spec, r, problems)).orElse(0);
            return new Report(spec, problems, checked);
        }
    }

    private static Optional<JsonNode> record(Path folder) {
        Path file = folder.resolve(Exporter.RECORD);
        return Files.isRegularFile(file) ? Optional.of(Json.readObject(file)) : Optional.empty();
    }

    /** Every layer holds its role's tensors (majority of the layers of that role), with the role-implied shapes. */
    private static int checkLayers(Checkpoint checkpoint, ModelSpec spec, ModuleSpec module, List<String> problems) {
        Optional<LayerParity> parity = spec.rules().stream().filter(r -> r instanceof LayerParity p
                && p.module().equals(module.name())).map(r -> (LayerParity) r).findFirst();
        Map<Integer, Map<String, TensorInfo>> layers = new TreeMap<>();
        for (Map.Entry<String, Checkpoint.Entry> e : checkpoint.tensors().entrySet()) {
            Surgery.OptionalLayer layer = Surgery.OptionalLayer.of(e.getKey(), module.layerPrefix());
            if (layer.present()) {
                layers.computeIfAbsent(layer.index(), i -> new TreeMap<>())
                        .put(e.getKey().substring(layer.end() + 1), e.getValue().info());
            }
        }
        Map<Boolean, Map<String, String>> templates = new HashMap<>();
        for (boolean role : new boolean[] {true, false}) {
            templates.put(role, majority(layers, i -> role(parity, i) == role));
        }
        Optional<AttentionRoles> roles = spec.family().profile().attentionRoles(checkpoint, spec, module);
        int checked = 0;
        for (Map.Entry<Integer, Map<String, TensorInfo>> layer : layers.entrySet()) {
            int index = layer.getKey();
            Map<String, String> expected = new LinkedHashMap<>(templates.get(role(parity, index)));
            applyRoleWidths(expected, roles, parity, index);
            String where = module.name() + " layer " + index;
            String prefix = module.layerPrefix() + index + ".";
            for (Map.Entry<String, String> want : expected.entrySet()) {
                TensorInfo have = layer.getValue().get(want.getKey());
                if (have == null) {
                    problems.add(where + " lacks " + prefix + want.getKey() + " (" + want.getValue() + ")");
                } else if (!describe(have).equals(want.getValue())) {
                    problems.add(where + " has " + prefix + want.getKey() + " as " + describe(have)
                            + ", the loader expects " + want.getValue());
                }
                checked++;
            }
            for (String name : layer.getValue().keySet()) {
                if (!expected.containsKey(name)) {
                    problems.add(where + " has unexpected tensor " + prefix + name);
                }
            }
        }
        return checked;
    }

    private static boolean role(Optional<LayerParity> parity, int index) {
        return parity.map(p -> index % p.period() == 0).orElse(true);
    }

    private static Map<String, String> majority(Map<Integer, Map<String, TensorInfo>> layers,
                                                IntPredicate ofRole) {
        Map<String, Integer> votes = new HashMap<>();
        int count = 0;
        for (Map.Entry<Integer, Map<String, TensorInfo>> layer : layers.entrySet()) {
            if (ofRole.test(layer.getKey())) {
                count++;
                layer.getValue().forEach((name, info) -> votes.merge(name + "\u0000" + describe(info), 1, Integer::sum));
            }
        }
        Map<String, String> template = new TreeMap<>();
        int needed = count / 2 + 1;
        votes.forEach((key, n) -> {
            if (n >= needed) {
                String[] parts = key.split("\u0000");
                template.put(parts[0], parts[1]);
            }
        });
        return template;
    }

    /**
     * Sets the expected input width of the key and value projections of layer {@code index} from its role (the
     * family's {@link AttentionRoles}), never from the layer itself.
     */
    private static void applyRoleWidths(Map<String, String> expected, Optional<AttentionRoles> roles,
                                        Optional<LayerParity> parity, int index) {
        if (roles.isEmpty() || parity.isEmpty()) {
            return;
        }
        OptionalInt width = roles.get().width(index % parity.get().period() == 0);
        if (width.isEmpty()) {
            return;
        }
        for (String name : roles.get().keyValue()) {
            String current = expected.get(name);
            if (current != null) {
                int open = current.indexOf('[');
                String[] dims = current.substring(open + 1, current.length() - 1).split(", ");
                expected.put(name, current.substring(0, open) + "[" + dims[0] + ", " + width.getAsInt() + "]");
            }
        }
    }

    /** Tensors outside the pruned modules must be as the source had them ({@code unchanged_tensors}). */
    private static int checkUnchanged(Checkpoint checkpoint, ModelSpec spec, JsonNode record, List<String> problems) {
        JsonNode unchanged = record.path("unchanged_tensors");
        if (!unchanged.isObject()) {
            return 0;
        }
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : unchanged.properties()) {
            String want = e.getValue().path("dtype").asText() + " " + e.getValue().path("shape").toString()
                    .replace(",", ", ");
            Optional<Checkpoint.Entry> have = checkpoint.tensor(e.getKey());
            if (have.isEmpty()) {
                problems.add("tensor " + e.getKey() + " (" + want + ") is missing");
            } else if (!describe(have.get().info()).equals(want)) {
                problems.add("tensor " + e.getKey() + " is " + describe(have.get().info()) + ", the source had "
                        + want);
            }
            checked++;
        }
        List<String> prefixes = record.path("layer_map").properties().stream()
                .map(m -> spec.module(m.getKey()).map(ModuleSpec::layerPrefix).orElse("\u0000")).toList();
        for (String name : checkpoint.tensors().keySet()) {
            boolean inModule = prefixes.stream().anyMatch(p -> Surgery.OptionalLayer.of(name, p).present());
            if (!inModule && !unchanged.has(name)) {
                problems.add("tensor " + name + " is unexpected: neither the source nor the pruned modules have it");
            }
        }
        return checked;
    }

    private static String describe(TensorInfo t) {
        return t.dtype() + " " + t.shape();
    }

    /** Fails with the first problems when the report is not clean (for callers that must not go on). */
    static void require(Report report, Path folder) {
        if (!report.ok()) {
            throw new CheckpointException(folder, "verification failed: " + String.join("; ",
                    report.problems().subList(0, Math.min(3, report.problems().size())))
                    + (report.problems().size() > 3 ? " (and " + (report.problems().size() - 3) + " more)" : ""));
        }
    }
}
