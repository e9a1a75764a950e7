package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.Json;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GR00T-N1.5's forward against Isaac-GR00T's own GR00T_N1_5 (parity/make_gr00t_fixture.py, Isaac-GR00T 4af2b622 with
 * transformers v4.51 and diffusers 0.30.2): a tiny model with realistic weights, two samples (Eagle's prompt with 16
 * image-context tokens, embodiment 31), t = 0.3 and 0.8, every layer of the vision tower, the LLM cut at select_layer,
 * the VL self-attention and the DiT, relative to each layer's largest value.
 */
class Gr00tParityTest {
    static final Path FIXTURE = TransformersFixtures.FOLDER.resolve("gr00t");

    @TempDir
    Path dir;

    @Test
    void everyLayerMatchesIsaacGr00t() throws Exception {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
            assertEquals(Family.GR00T_N1_5, ModelDetector.detect(c).family());
        }
        double worst = VlaFixtures.error(FIXTURE, Gr00tParityTest::run);
        System.out.printf("GR00T-N1.5 vs Isaac-GR00T, worst layer: %.2e of its largest value%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    @Test
    void aWrongTimestepDiscretisationIsCaught() throws Exception {
        Path edited = VlaFixtures.copy(FIXTURE, dir.resolve("edited"), config -> {
            config.with("action_head_cfg").put("num_timestep_buckets", 100);
            return config;
        });
        assertTrue(VlaFixtures.error(edited, Gr00tParityTest::run) > 1e-3,
                "timestep buckets other than the checkpoint's must show in the DiT");
    }

    /**
     * Plateau's export of the fixture under gr00t-pruned/plan.json, built from its edited config and loaded strictly by
     * Isaac-GR00T's GR00T_N1_5 (parity/make_gr00t_pruned_fixture.py), computes what Plateau's forward of that export computes.
     */
    @Test
    void aPrunedExportRunsInTheOriginalCodeAsInPlateau() throws Exception {
        double worst = VlaFixtures.prunedError(FIXTURE, TransformersFixtures.FOLDER.resolve("gr00t-pruned"),
                dir.resolve("pruned"), Gr00tParityTest::run);
        System.out.printf("pruned gr00t export, Plateau vs the original code: %.2e%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    private static void run(Checkpoint c, List<VlaSample> samples, LayerSink sink, NDManager manager)
            throws Exception {
        ModelSpec spec = ModelDetector.detect(c);
        int context = Json.readObject(FIXTURE.resolve("inputs.json")).path("image_context_token").asInt();
        List<float[][]> features = new Gr00tBackbone(c, spec).run(samples, context, Set.of(), sink, manager,
                () -> false, DecoderStack.Progress.NONE);
        List<Gr00tActionHead.Sample> heads = new ArrayList<>();
        for (int b = 0; b < samples.size(); b++) {
            VlaSample s = samples.get(b);
            heads.add(new Gr00tActionHead.Sample(features.get(b), s.state(), s.actions(), s.noise(), s.time(), 31));
        }
        new Gr00tActionHead(c, spec.module("vl_self_attention").orElseThrow().layerCount(),
                spec.module("dit").orElseThrow().layerCount()).run(heads, Set.of(), Set.of(), sink, manager,
                () -> false, DecoderStack.Progress.NONE);
    }
}
