package dev.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.checkpoint.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection of every family on builder checkpoints. Expected layer and parameter counts are worked out here from
 * the architectures' shapes (linear [out, in] plus bias where the layer has one), not taken from the layouts.
 */
class ModelDetectorTest {
    @TempDir
    Path dir;

    private ModelSpec detect(String model) throws IOException {
        Path folder = CheckpointBuilder.write(SyntheticModels.named(model, false).orElseThrow(), dir.resolve(model),
                CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        try (Checkpoint c = Checkpoint.open(folder)) {
            return ModelDetector.detect(c);
        }
    }

    private static long linear(long out, long in, boolean bias) {
        return out * in + (bias ? out : 0);
    }

    /** SigLIP layer: two LayerNorms, q/k/v/out with bias, fc1/fc2 with bias. */
    private static long sigLip(long w, long mlp) {
        return 4 * w + 4 * linear(w, w, true) + linear(mlp, w, true) + linear(w, mlp, true);
    }

    /** Llama-style layer: two RMSNorms, q, k, v, o, gate, up, down without bias. */
    private static long decoder(long w, long q, long kv, long kvIn, long mlp) {
        return 2 * w + q * w + 2 * kv * kvIn + w * q + 3 * mlp * w;
    }

    private static void assertModule(ModelSpec spec, String name, int layers, int hidden, long params) {
        ModuleSpec m = spec.module(name).orElseThrow(() -> new AssertionError("no module " + name));
        assertEquals(layers, m.layerCount(), name + " layers");
        assertEquals(hidden, m.hiddenSize(), name + " hidden size");
        assertEquals(params, m.params(), name + " params");
    }

    @Test
    void smolVlaHasVisionVlmAndAnExpertWhoseOddLayersCrossAttend() throws IOException {
        ModelSpec spec = detect("smolvla");
        assertEquals(Family.SMOLVLA, spec.family());
        assertEquals(List.of("vision", "vlm", "expert"), spec.modules().stream().map(ModuleSpec::name).toList());
        assertModule(spec, "vision", 12, 128, 12 * sigLip(128, 256));
        assertModule(spec, "vlm", 16, 128, 16 * decoder(128, 128, 64, 128, 256));
        long even = decoder(96, 128, 64, 96, 256);
        long odd = decoder(96, 128, 64, 64, 256);
        ModuleSpec expert = spec.module("expert").orElseThrow();
        assertEquals(List.of(even, odd), expert.paramsPerLayer().subList(0, 2));
        assertModule(spec, "expert", 16, 96, 8 * even + 8 * odd);
        assertEquals(List.of("num_vlm_layers"), spec.module("vlm").orElseThrow().depthKeys());
        assertEquals(500, spec.tensorCount(), "smolvla_base has 500 tensors");
        assertTrue(spec.paramsByDtype().containsKey("F32") && spec.paramsByDtype().containsKey("BF16"));
        assertEquals(3, spec.rules().size());
    }

    @Test
    void pi0InLeRobotAndOpenpiNaming() throws IOException {
        for (String model : List.of("pi0", "pi0-openpi")) {
            ModelSpec spec = detect(model);
            assertEquals(Family.PI0, spec.family());
            assertEquals(model.equals("pi0") ? "lerobot" : "openpi", spec.naming());
            assertModule(spec, "vision", 27, 144, 27 * sigLip(144, 288));
            assertModule(spec, "vlm", 18, 64, 18 * decoder(64, 512, 256, 64, 128));
            assertModule(spec, "expert", 18, 32, 18 * decoder(32, 512, 256, 32, 64));
            assertTrue(spec.module("vlm").orElseThrow().depthKeys().isEmpty(), "pi0 has no depth key");
            assertInstanceOf(TiedDepth.class, spec.rules().getFirst());
        }
    }

    /** pi0.5's expert layer: pi0's without norm weights, with two adaptive norms' dense maps [3w, cond] and biases. */
    private static long adaptiveDecoder(long w, long q, long kv, long mlp, long cond) {
        return q * w + 2 * kv * w + w * q + 3 * mlp * w + 2 * linear(3 * w, cond, true);
    }

    @Test
    void pi05InTheHubsAndLeRobotsNaming() throws IOException {
        for (String model : List.of("pi05", "pi05-lerobot")) {
            ModelSpec spec = detect(model);
            assertEquals(Family.PI05, spec.family());
            assertEquals(model.equals("pi05") ? "openpi" : "lerobot", spec.naming());
            assertModule(spec, "vision", 27, 144, 27 * sigLip(144, 288));
            assertModule(spec, "vlm", 18, 64, 18 * decoder(64, 512, 256, 64, 128));
            assertModule(spec, "expert", 18, 32, 18 * adaptiveDecoder(32, 512, 256, 64, 32));
            assertInstanceOf(TiedDepth.class, spec.rules().getFirst());
            assertTrue(spec.family().profile().depthInCode(), "pi0.5's depth is hard-coded like pi0's");
        }
    }

    @Test
    void pi05IsToldFromPi0ByItsAdaptiveNormsWhenTheConfigDoesNotSay() throws IOException {
        for (String model : List.of("pi0", "pi05")) {
            Path source = CheckpointBuilder.write(SyntheticModels.named(model, false).orElseThrow(),
                    dir.resolve(model + "-typed"), CheckpointBuilder.Fill.RANDOM, 1, 0, false);
            Path untyped = rewrite(source, dir.resolve(model + "-untyped"), name -> name,
                    config -> config.remove("type"));
            try (Checkpoint c = Checkpoint.open(untyped)) {
                assertEquals(model.equals("pi0") ? Family.PI0 : Family.PI05, ModelDetector.detect(c).family());
            }
        }
    }

    @Test
    void pi0WithTheOlderPaliGemmaLayoutIsRecognised() throws IOException {
        Path source = CheckpointBuilder.write(SyntheticModels.named("pi0", false).orElseThrow(), dir.resolve("new"),
                CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        Path legacy = rewrite(source, dir.resolve("legacy"), name -> name
                .replace("paligemma.model.language_model.", "paligemma.language_model.model.")
                .replace("paligemma.model.vision_tower.", "paligemma.vision_tower."), config -> { });
        try (Checkpoint c = Checkpoint.open(legacy)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertEquals("model.paligemma_with_expert.paligemma.language_model.model.layers.",
                    spec.module("vlm").orElseThrow().layerPrefix());
            assertEquals(27, spec.module("vision").orElseThrow().layerCount());
        }
    }

    @Test
    void gr00tHasFourModulesAndDitParity() throws IOException {
        ModelSpec spec = detect("gr00t");
        assertEquals(Family.GR00T_N1_5, spec.family());
        assertTrue(spec.sharded() || spec.weightFiles().size() == 1);
        assertModule(spec, "vision", 27, 144, 27 * sigLip(144, 288));
        // Qwen3 layer: Llama-style plus q_norm and k_norm of head_dim 16
        assertModule(spec, "vlm", 12, 64, 12 * (decoder(64, 64, 32, 64, 128) + 2 * 16));
        // VL self-attention block: 2 LayerNorms, 4 biased projections, 4x FFN
        long vlsa = 4 * 64 + 4 * linear(64, 64, true) + linear(256, 64, true) + linear(64, 256, true);
        assertModule(spec, "vl_self_attention", 4, 64, 4 * vlsa);
        // DiT block: AdaLN linear (2D), q/out D->D, k/v from 64 (even, cross) or 48 (odd, self), 4x FFN
        long common = linear(96, 48, true) + 2 * linear(48, 48, true) + linear(192, 48, true) + linear(48, 192, true);
        long even = common + 2 * linear(48, 64, true);
        long odd = common + 2 * linear(48, 48, true);
        assertModule(spec, "dit", 16, 48, 8 * even + 8 * odd);
        assertEquals(List.of("backbone_cfg.select_layer"), spec.module("vlm").orElseThrow().depthKeys());
        assertEquals(List.of(new LayerParity("dit", 2, "cross-attention to the VL features", "self-attention")),
                spec.rules());
    }

    @Test
    void decoderLlmsOfEveryKnownType() throws IOException {
        // model, layers, extra params per layer beyond a plain Llama layer (tiny: width 64, q 64, kv 32 or 16)
        record Expect(String model, String type, int layers, int kv, long extra) {
        }
        for (Expect e : List.of(new Expect("llama", "llama", 16, 32, 0), new Expect("qwen2", "qwen2", 24, 32, 64 + 32 + 32),
                new Expect("qwen3", "qwen3", 28, 32, 2 * 16), new Expect("gemma", "gemma", 18, 16, 0),
                new Expect("mistral", "mistral", 32, 32, 0))) {
            ModelSpec spec = detect(e.model());
            assertEquals(Family.DECODER_LLM, spec.family());
            assertEquals(e.type(), spec.architecture());
            assertModule(spec, "decoder", e.layers(), 64, e.layers() * (decoder(64, 64, e.kv(), 64, 128) + e.extra()));
            assertEquals(List.of("num_hidden_layers"), spec.module("decoder").orElseThrow().depthKeys());
        }
    }

    @Test
    void smolVlaWithFewerExpertLayersGetsTheMultipleRule() throws IOException {
        Path source = CheckpointBuilder.write(SyntheticModels.named("smolvla", false).orElseThrow(),
                dir.resolve("full"), CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        // keep expert layers 0..4 of 16 -> not a divisor: rejected; then 0..7 with num_expert_layers = 8
        Path five = dropExpertLayersFrom(source, 5);
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            try (Checkpoint c = Checkpoint.open(five)) {
                ModelDetector.detect(c);
            }
        });
        assertTrue(e.getMessage().contains("num_expert_layers = 8 but the weights hold 5 expert layers"),
                e.getMessage());
        Path eight = dropExpertLayersFrom(source, 8);
        try (Checkpoint c = Checkpoint.open(eight)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertEquals(8, spec.module("expert").orElseThrow().layerCount());
            assertInstanceOf(DepthMultiple.class, spec.rules().getLast());
        }
    }

    @Test
    void aLayerLackingATensorItsSiblingsHaveOrHavingAnExtraOneIsRefusedByName() throws IOException {
        Path source = CheckpointBuilder.write(SyntheticModels.named("smolvla", false).orElseThrow(),
                dir.resolve("whole"), CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        String dropped = SmolVlaProfile.VLM + "7.mlp.down_proj.weight";
        Path lacking = rewrite(source, dir.resolve("lacking"), name -> name.equals(dropped) ? null : name, c -> { });
        CheckpointException e = assertThrows(CheckpointException.class, () -> detect(lacking));
        assertTrue(e.getMessage().contains("vlm layer 7 lacks '" + dropped + "', which the other layers have"),
                e.getMessage());

        String renamed = SmolVlaProfile.EXPERT + "3.mlp.up_proj.weight";
        Path extra = rewrite(source, dir.resolve("extra"), name -> name.equals(renamed)
                ? SmolVlaProfile.EXPERT + "3.mlp.up_proj.weight_orig" : name, c -> { });
        CheckpointException x = assertThrows(CheckpointException.class, () -> detect(extra));
        assertTrue(x.getMessage().contains("expert layer 3 lacks '" + renamed + "', which the other layers have "
                + "(and 1 more difference)"), x.getMessage());
    }

    private static ModelSpec detect(Path folder) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            return ModelDetector.detect(c);
        }
    }

    private Path dropExpertLayersFrom(Path source, int keep) throws IOException {
        return rewrite(source, dir.resolve("expert-" + keep), name -> {
            String prefix = SmolVlaProfile.EXPERT;
            if (name.startsWith(prefix)) {
                int layer = Integer.parseInt(name.substring(prefix.length()).split("\\.")[0]);
                return layer < keep ? name : null;
            }
            return name;
        }, config -> config.put("num_expert_layers", 8));
    }

    /** Copies a checkpoint, renaming (or dropping, on null) tensors and editing config.json. */
    private static Path rewrite(Path source, Path target, Function<String, String> rename,
                                Consumer<ObjectNode> editConfig) throws IOException {
        try (Checkpoint in = Checkpoint.open(source); StagedFolder out = StagedFolder.create(target, false)) {
            ObjectNode config = in.config().deepCopy();
            editConfig.accept(config);
            Json.write(out.path().resolve("config.json"), config);
            List<TensorSpec> specs = new ArrayList<>();
            for (Map.Entry<String, Checkpoint.Entry> e : in.tensors().entrySet()) {
                String name = rename.apply(e.getKey());
                if (name != null) {
                    specs.add(TensorSpec.copyOf(name, e.getValue().file(), e.getValue().info()));
                }
            }
            SafetensorsWriter.writeWeights(out.path(), specs, 0, Collections.emptyMap());
            out.commit();
        }
        return target;
    }

    @Test
    void realSizeCheckpointsHaveThePublishedParameterCounts() throws IOException {
        // published totals: smolvla_base header (forward-smolvla.md section 8), model cards of the LLMs, and the
        // part sums of forward-gr00t.md 7.1 (+ the LLM's final norm) and forward-pi0.md 7 (+ the expert LM head);
        // pi0.5: vla-next.md 1.4's total with both LM heads
        Map<String, Long> published = Map.of(
                "smolvla", 450_046_176L,
                "pi0", 3_238_048_528L + 257_152L * 1024,
                "pi05", 3_616_757_520L,
                "gr00t", 2_398_282_480L + 2048,
                "llama", 1_235_814_400L,
                "qwen2", 494_032_768L,
                "gemma", 2_506_172_416L,
                "mistral", 7_241_732_096L);
        for (Map.Entry<String, Long> e : published.entrySet()) {
            Path folder = CheckpointBuilder.write(SyntheticModels.named(e.getKey(), true).orElseThrow(),
                    dir.resolve("real-" + e.getKey()), CheckpointBuilder.Fill.UNWRITTEN, 0, 0, false);
            try (Checkpoint c = Checkpoint.open(folder)) {
                assertEquals(e.getValue(), ModelDetector.detect(c).totalParams(), e.getKey());
            }
            deleteTree(folder);
        }
    }

    @Test
    void realSizeGr00tIsShardedLikeTheHubCheckpoint() throws IOException {
        Path folder = CheckpointBuilder.write(SyntheticModels.named("gr00t", true).orElseThrow(),
                dir.resolve("gr00t-real"), CheckpointBuilder.Fill.UNWRITTEN, 0, 0, false);
        try (Checkpoint c = Checkpoint.open(folder)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertTrue(spec.sharded());
            assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
                    spec.weightFiles());
            // DiT blocks: 8 cross (k/v read 2048) + 8 self, width 1536, FFN 6144 (forward-gr00t.md 7.1)
            long common = linear(3072, 1536, true) + 2 * linear(1536, 1536, true) + linear(6144, 1536, true)
                    + linear(1536, 6144, true);
            assertEquals(8 * (common + 2 * linear(1536, 2048, true)) + 8 * (common + 2 * linear(1536, 1536, true)),
                    spec.module("dit").orElseThrow().params());
            assertEquals(604_032_000L, spec.module("vlm").orElseThrow().params());
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        try (var walk = Files.walk(folder)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
