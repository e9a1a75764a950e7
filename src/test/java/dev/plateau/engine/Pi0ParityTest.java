package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pi0's forward against LeRobot's own PI0Pytorch training forward (parity/make_pi0_fixture.py, LeRobot cbc8bfb2 with
 * openpi's transformers files): a tiny pi0 with realistic weights, two samples with a state token, t = 0.3 and 0.8,
 * every layer of the vision tower, the VLM and the expert, relative to each layer's largest value.
 */
class Pi0ParityTest {
    static final Path FIXTURE = TransformersFixtures.FOLDER.resolve("pi0");

    @TempDir
    Path dir;

    @Test
    void everyLayerMatchesLeRobotsPi0() throws Exception {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
            assertEquals(Family.PI0, ModelDetector.detect(c).family());
        }
        double worst = VlaFixtures.error(FIXTURE, Pi0ParityTest::run);
        System.out.printf("pi0 vs LeRobot, worst layer: %.2e of its largest value%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    @Test
    void aWrongTimeEmbeddingIsCaught() throws Exception {
        Path edited = VlaFixtures.copy(FIXTURE, dir.resolve("edited"), config -> config.put("min_period", 4e-2));
        assertTrue(VlaFixtures.error(edited, Pi0ParityTest::run) > 1e-3,
                "a time embedding with another min_period must show in the expert");
    }

    /**
     * Plateau's export of the fixture without layer 1 (VLM and expert), built by LeRobot's own PI0Policy with the
     * export's start-up hook on PYTHONPATH and loaded strictly (parity/make_pi0_pruned_fixture.py), computes what
     * Plateau's forward of that export computes: the hook is what lets lerobot-train run a pruned pi0 unedited.
     */
    @Test
    void aPrunedExportRunsInLeRobotAsInPlateau() throws Exception {
        double worst = VlaFixtures.prunedError(FIXTURE, TransformersFixtures.FOLDER.resolve("pi0-pruned"),
                dir.resolve("pruned"), Pi0ParityTest::run);
        System.out.printf("pruned pi0 export, Plateau vs LeRobot: %.2e%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    private static void run(Checkpoint c, List<VlaSample> samples, LayerSink sink, NDManager manager) {
        new Pi0Forward(c, ModelDetector.detect(c)).run(samples, Set.of(), sink, manager, () -> false,
                DecoderStack.Progress.NONE);
    }
}
