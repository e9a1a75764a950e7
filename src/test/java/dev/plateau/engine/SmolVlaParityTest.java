package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmolVLA's forward against LeRobot's own VLAFlowMatching training forward (parity/make_smolvla_fixture.py, LeRobot
 * 7427f318 with transformers v4.51's SmolVLM): a tiny SmolVLA with realistic weights (4 image tokens per camera after
 * the pixel shuffle, joint and cross-attention expert layers), two samples with a state token, t = 0.3 and 0.8,
 * every layer of the vision tower, the VLM and the expert, relative to each layer's largest value.
 */
class SmolVlaParityTest {
    static final Path FIXTURE = TransformersFixtures.FOLDER.resolve("smolvla");

    @TempDir
    Path dir;

    @Test
    void everyLayerMatchesLeRobotsSmolVla() throws Exception {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
            assertEquals(Family.SMOLVLA, ModelDetector.detect(c).family());
        }
        double worst = VlaFixtures.error(FIXTURE, SmolVlaParityTest::run);
        System.out.printf("SmolVLA vs LeRobot, worst layer: %.2e of its largest value%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    @Test
    void aWrongTimeEmbeddingIsCaught() throws Exception {
        Path edited = VlaFixtures.copy(FIXTURE, dir.resolve("edited"), config -> config.put("min_period", 4e-2));
        assertTrue(VlaFixtures.error(edited, SmolVlaParityTest::run) > 1e-3,
                "a time embedding with another min_period must show in the expert");
    }

    /**
     * Plateau's export of the fixture under smolvla-pruned/plan.json, built from its edited config and loaded strictly by
     * LeRobot's SmolVLAPolicy (parity/make_smolvla_pruned_fixture.py), computes what Plateau's forward of that export computes.
     */
    @Test
    void aPrunedExportRunsInTheOriginalCodeAsInPlateau() throws Exception {
        double worst = VlaFixtures.prunedError(FIXTURE, TransformersFixtures.FOLDER.resolve("smolvla-pruned"),
                dir.resolve("pruned"), SmolVlaParityTest::run);
        System.out.printf("pruned smolvla export, Plateau vs the original code: %.2e%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    private static void run(Checkpoint c, List<VlaSample> samples, LayerSink sink, NDManager manager) {
        ModelSpec spec = ModelDetector.detect(c);
        new SmolVlaForward(c, spec.module("vision").orElseThrow().layerCount(), spec.module("vlm").orElseThrow()
                .layerCount()).run(samples, Set.of(), sink, manager, () -> false, DecoderStack.Progress.NONE);
    }
}
