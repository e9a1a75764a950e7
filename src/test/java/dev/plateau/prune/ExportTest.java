package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.checkpoint.TensorInfo;
import dev.plateau.checkpoint.TensorSpec;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.SyntheticModels;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports of builder checkpoints with the paper's plans. The expected export is derived here from the source's
 * listing and the plan alone: a tensor of layer i of a pruned module is dropped when i is removed, else renamed to
 * i's position among the kept layers; every other tensor stays; shapes, dtypes and bytes never change.
 */
class ExportTest {
    @TempDir
    Path dir;

    /** Layer-name prefixes of the pruned modules, as the family code names them. */
    private static final Map<String, Map<String, String>> PREFIXES = Map.of(
            "smolvla", Map.of("vlm", "model.vlm_with_expert.vlm.model.text_model.layers.",
                    "expert", "model.vlm_with_expert.lm_expert.layers."),
            "pi0", Map.of("vlm", "model.paligemma_with_expert.paligemma.model.language_model.layers.",
                    "expert", "model.paligemma_with_expert.gemma_expert.model.layers."),
            "pi05", Map.of("vlm", "paligemma_with_expert.paligemma.model.language_model.layers.",
                    "expert", "paligemma_with_expert.gemma_expert.model.layers."),
            "gr00t", Map.of("vlm", "backbone.eagle_model.language_model.model.layers.",
                    "vl_self_attention", "action_head.vl_self_attention.transformer_blocks.",
                    "dit", "action_head.model.transformer_blocks."),
            "qwen3", Map.of("decoder", "model.layers."));

    private Path build(String model, long shardBytes) throws IOException {
        return CheckpointBuilder.write(SyntheticModels.named(model, false).orElseThrow(), dir.resolve(model),
                CheckpointBuilder.Fill.RANDOM, 3, shardBytes, false);
    }

    private static Map<String, List<Integer>> removals(Plan plan) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        plan.modules().forEach((m, p) -> out.put(m, p.remove()));
        return out;
    }

    /** The export's listing (name -> "dtype shape sha256") expected from the source listing and the removals. */
    private static Map<String, String> expected(Path source, Map<String, String> prefixes,
                                                Map<String, List<Integer>> remove) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(source)) {
            for (Map.Entry<String, Checkpoint.Entry> e : c.tensors().entrySet()) {
                String name = e.getKey();
                String renamed = name;
                for (Map.Entry<String, String> p : prefixes.entrySet()) {
                    if (name.startsWith(p.getValue()) && Character.isDigit(name.charAt(p.getValue().length()))) {
                        String rest = name.substring(p.getValue().length());
                        int layer = Integer.parseInt(rest.substring(0, rest.indexOf('.')));
                        List<Integer> removed = remove.getOrDefault(p.getKey(), List.of());
                        long before = removed.stream().filter(r -> r < layer).count();
                        renamed = removed.contains(layer) ? null
                                : p.getValue() + (layer - before) + rest.substring(rest.indexOf('.'));
                    }
                }
                if (renamed != null) {
                    out.put(renamed, describe(e.getValue()));
                }
            }
        }
        return out;
    }

    private static Map<String, String> listing(Path folder) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder)) {
            for (Map.Entry<String, Checkpoint.Entry> e : c.tensors().entrySet()) {
                out.put(e.getKey(), describe(e.getValue()));
            }
        }
        return out;
    }

    private static String describe(Checkpoint.Entry e) throws Exception {
        TensorInfo t = e.info();
        byte[] bytes = e.file().bytes(t).toArray(ValueLayout.JAVA_BYTE);
        return t.dtype() + " " + t.shape() + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes));
    }

    private Exporter.Result export(Path source, Plan plan, Path out) throws IOException {
        try (Checkpoint c = Checkpoint.open(source)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertEquals(List.of(), PlanCheck.problems(plan, spec));
            return Exporter.export(c, spec, plan, out, false);
        }
    }

    private void checkExport(String model, Plan plan, Map<String, Integer> configExpect, long shardBytes)
            throws Exception {
        Path source = build(model, shardBytes);
        Map<String, String> sourceListing = listing(source);
        Path out = dir.resolve(model + "-pruned");
        Exporter.Result result = export(source, plan, out);
        assertEquals(expected(source, PREFIXES.get(model), removals(plan)), listing(out),
                model + ": names, dtypes, shapes and bytes");
        ObjectNode config = Json.readObject(out.resolve("config.json"));
        configExpect.forEach((key, value) -> assertEquals(value, Surgery.get(config, key).asInt(), model + " " + key));
        assertTrue(Verifier.verify(out).ok(), model + ": " + Verifier.verify(out).problems());
        assertTrue(result.verification().ok());
        assertEquals(sourceListing, listing(source), "the source is untouched");
        try (Checkpoint in = Checkpoint.open(source); Checkpoint exported = Checkpoint.open(out)) {
            assertEquals(in.isSharded(), exported.isSharded(), "layout kept");
            assertEquals(in.auxiliaryFiles(), exported.auxiliaryFiles().stream()
                    .filter(p -> !p.toString().equals(Exporter.RECORD) && !p.startsWith(Exporter.HOOK)).toList(),
                    "every other file copied");
            assertEquals(model.startsWith("pi0"), Files.exists(out.resolve(Exporter.HOOK).resolve("sitecustomize.py")),
                    "pi0 and pi0.5 exports carry the start-up hook, others do not");
            for (Path aux : in.auxiliaryFiles()) {
                assertEquals(Files.readString(source.resolve(aux)), Files.readString(out.resolve(aux)));
            }
        }
    }

    @Test
    void smolVlaWithThePapersPlan() throws Exception {
        checkExport("smolvla", PlanFile.read(Path.of("sample-configs/smolvla-table5.plan.json")),
                Map.of("num_vlm_layers", 10, "num_expert_layers", 0, "self_attn_every_n_layers", 2), 0);
    }

    @Test
    void gr00tWithThePapersPlanStaysSharded() throws Exception {
        checkExport("gr00t", PlanFile.read(Path.of("sample-configs/gr00t-table5.plan.json")),
                Map.of("backbone_cfg.select_layer", 5, "action_head_cfg.vl_self_attention_cfg.num_layers", 3,
                        "action_head_cfg.diffusion_model_cfg.num_layers", 8), 1_000_000);
        try (Checkpoint c = Checkpoint.open(dir.resolve("gr00t-pruned"))) {
            assertTrue(c.isSharded());
            assertTrue(c.files().size() > 1);
        }
    }

    @Test
    void pi0WithThePapersPlanKeepsItsConfigAndRecordsTheDepths() throws Exception {
        checkExport("pi0", PlanFile.read(Path.of("sample-configs/pi0-table5.plan.json")), Map.of(), 0);
        assertEquals(Files.readString(dir.resolve("pi0/config.json")),
                Files.readString(dir.resolve("pi0-pruned/config.json")));
        JsonNode record = Json.readObject(dir.resolve("pi0-pruned").resolve(Exporter.RECORD));
        assertEquals(12, record.path("depths").path("vlm").asInt());
        // removed 1, 2, 4, 6, 8, 9: kept 0, 3, 5, 7, 10, ... so 5 becomes 2 and 10 becomes 4
        assertEquals(2, record.path("layer_map").path("expert").path("5").asInt());
        assertEquals(4, record.path("layer_map").path("expert").path("10").asInt());
    }

    /**
     * pi0.5 in the hub's naming, with the paper's pi0 plan: every tensor of a kept expert layer, its adaptive norms'
     * dense maps included, moves with it (the listing check), and the depth goes to the record.
     */
    @Test
    void pi05WithThePapersPi0PlanMovesItsAdaptiveNormsWithTheirLayers() throws Exception {
        Plan pi0 = PlanFile.read(Path.of("sample-configs/pi0-table5.plan.json"));
        checkExport("pi05", new Plan("pi05", pi0.modules(), pi0.problems()), Map.of(), 0);
        JsonNode record = Json.readObject(dir.resolve("pi05-pruned").resolve(Exporter.RECORD));
        assertEquals(12, record.path("depths").path("expert").asInt());
        try (Checkpoint pruned = Checkpoint.open(dir.resolve("pi05-pruned"))) {
            String dense = "paligemma_with_expert.gemma_expert.model.layers.%d.post_attention_layernorm.dense.weight";
            assertTrue(pruned.tensor(String.format(dense, 11)).isPresent());
            assertTrue(pruned.tensor(String.format(dense, 12)).isEmpty());
        }
    }

    @Test
    void aQwen3DecoderWithACustomPlanEditsItsPerLayerLists() throws Exception {
        Plan plan = new Plan("decoder_llm", Map.of("decoder", new ModulePlan("decoder", 28, List.of(20, 21, 22, 23),
                Double.NaN, 4, "hand-written", List.of(), List.of(), List.of(), List.of())), List.of());
        checkExport("qwen3", plan, Map.of("num_hidden_layers", 24), 0);
        assertEquals(24, Json.readObject(dir.resolve("qwen3-pruned/config.json")).get("layer_types").size());
    }

    @Test
    void tamperedExportsFailVerification() throws Exception {
        Path source = build("smolvla", 0);
        Path out = dir.resolve("export");
        export(source, PlanFile.read(Path.of("sample-configs/smolvla-table5.plan.json")), out);
        String up = "model.vlm_with_expert.lm_expert.layers.3.mlp.up_proj.weight";
        Path removed = tamper(out, "removed", n -> n.equals(up) ? null : n, c -> { });
        CheckpointException lacking = assertThrows(CheckpointException.class, () -> Verifier.verify(removed));
        assertTrue(lacking.getMessage().contains("expert layer 3 lacks '" + up + "', which the other layers have"),
                lacking.getMessage());
        String q = "model.vlm_with_expert.vlm.model.text_model.layers.2.self_attn.q_proj.weight";
        Path renamed = tamper(out, "renamed", n -> n.equals(q) ? q.replace("q_proj", "query") : n, c -> { });
        CheckpointException other = assertThrows(CheckpointException.class, () -> Verifier.verify(renamed));
        assertTrue(other.getMessage().contains("vlm layer 2 lacks '" + q + "', which the other layers have (and 1 "
                + "more difference)"), other.getMessage());
        Path config = tamper(out, "config", UnaryOperator.identity(), c -> c.put("num_vlm_layers", 11));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Verifier.verify(config));
        assertTrue(e.getMessage().contains("num_vlm_layers = 11 but the weights hold 10 vlm layers"), e.getMessage());
        String stateProj = "model.state_proj.weight";
        Path nonLayer = tamper(out, "non-layer", n -> n.equals(stateProj) ? null : n, c -> { });
        assertTrue(problems(nonLayer).contains("tensor model.state_proj.weight (F32 [128, 32]) is missing"),
                problems(nonLayer).toString());
    }

    @Test
    void aParityBreakingExpertIsCaughtEvenWhenEveryLayerLooksAlike() throws Exception {
        // a GR00T DiT whose odd blocks were all given cross-attention k/v: consistent with each other, wrong for the
        // loader, which builds odd blocks as self-attention with 48-wide k/v input
        Path source = build("gr00t", 0);
        try (Checkpoint c = Checkpoint.open(source)) {
            Path bad = dir.resolve("bad");
            try (StagedFolder staging = StagedFolder.create(bad, false)) {
                Json.write(staging.path().resolve("config.json"), c.config());
                List<TensorSpec> specs = new ArrayList<>();
                for (Map.Entry<String, Checkpoint.Entry> e : c.tensors().entrySet()) {
                    String name = e.getKey();
                    String swapped = name;
                    // rename block 2 <-> block 1 k/v: block 1 now holds cross-attention (64-wide) k/v
                    if (name.startsWith("action_head.model.transformer_blocks.1.attn1.to_k")
                            || name.startsWith("action_head.model.transformer_blocks.1.attn1.to_v")) {
                        swapped = name.replace("blocks.1.", "blocks.2.");
                    } else if (name.startsWith("action_head.model.transformer_blocks.2.attn1.to_k")
                            || name.startsWith("action_head.model.transformer_blocks.2.attn1.to_v")) {
                        swapped = name.replace("blocks.2.", "blocks.1.");
                    }
                    specs.add(TensorSpec.copyOf(swapped, e.getValue().file(), e.getValue().info()));
                }
                SafetensorsWriter.writeWeights(staging.path(), specs, 0, Map.of());
                staging.commit();
            }
            List<String> problems = Verifier.verify(bad).problems();
            assertTrue(problems.contains("dit layer 1 has action_head.model.transformer_blocks.1.attn1.to_k.weight as "
                    + "F32 [48, 64], the loader expects F32 [48, 48]"), problems.toString());
        }
    }

    @Test
    void exportsRefuseToTouchTheSourceOrAnExistingFolder() throws Exception {
        Path source = build("qwen3", 0);
        Plan plan = new Plan("decoder_llm", Map.of("decoder", new ModulePlan("decoder", 28, List.of(5), Double.NaN, 1,
                "hand-written", List.of(), List.of(), List.of(), List.of())), List.of());
        CheckpointException inside = assertThrows(CheckpointException.class,
                () -> export(source, plan, source.resolve("pruned")));
        assertTrue(inside.getMessage().contains("inside the source checkpoint"), inside.getMessage());
        assertThrows(CheckpointException.class, () -> export(source, plan, source));
        Path existing = Files.createDirectory(dir.resolve("existing"));
        CheckpointException exists = assertThrows(CheckpointException.class, () -> export(source, plan, existing));
        assertTrue(exists.getMessage().contains("--force"), exists.getMessage());
        assertFalse(Files.exists(source.resolve("pruned")));
    }

    @Test
    void aVisionTowerIsNotExportedPruned() throws Exception {
        Path source = build("smolvla", 0);
        Plan plan = new Plan("smolvla", Map.of("vision", new ModulePlan("vision", 12, List.of(10, 11), Double.NaN, 2,
                "hand-written", List.of(), List.of(), List.of(), List.of())), List.of());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> export(source, plan, dir.resolve("out")));
        assertTrue(e.getMessage().contains("no config key sets the depth of vision"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    private static List<String> problems(Path folder) {
        return Verifier.verify(folder).problems();
    }

    /** A copy of {@code export} with tensors renamed or dropped (null) and config.json edited. */
    private Path tamper(Path export, String name, UnaryOperator<String> rename, Consumer<ObjectNode> edit)
            throws IOException {
        Path target = dir.resolve("tampered-" + name);
        try (Checkpoint c = Checkpoint.open(export); StagedFolder staging = StagedFolder.create(target, false)) {
            ObjectNode config = c.config().deepCopy();
            edit.accept(config);
            Json.write(staging.path().resolve("config.json"), config);
            Files.copy(export.resolve(Exporter.RECORD), staging.path().resolve(Exporter.RECORD));
            List<TensorSpec> specs = new ArrayList<>();
            for (Map.Entry<String, Checkpoint.Entry> e : c.tensors().entrySet()) {
                String renamed = rename.apply(e.getKey());
                if (renamed != null) {
                    specs.add(TensorSpec.copyOf(renamed, e.getValue().file(), e.getValue().info()));
                }
            }
            SafetensorsWriter.writeWeights(staging.path(), specs, 0, Map.of());
            staging.commit();
        }
        return target;
    }
}
