package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.Family;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pi0.5's forward against LeRobot's own PI05Pytorch training forward (parity/make_pi05_fixture.py, LeRobot cbc8bfb2 with
 * openpi's transformers files): a tiny pi0.5 with realistic weights and nonzero adaRMS maps, two samples at t = 0.3
 * and 0.8, every layer of the vision tower, the VLM and the expert, relative to each layer's largest value.
 */
class Pi05ParityTest {
    static final Path FIXTURE = TransformersFixtures.FOLDER.resolve("pi05");

    @TempDir
    Path dir;

    @Test
    void everyLayerMatchesLeRobotsPi05() throws Exception {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
            ModelSpec spec = ModelDetector.detect(c);
            assertEquals(Family.PI05, spec.family());
            assertEquals("lerobot", spec.naming());
        }
        double worst = VlaFixtures.error(FIXTURE, Pi05ParityTest::run);
        System.out.printf("pi0.5 vs LeRobot, worst layer: %.2e of its largest value%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    @Test
    void aWrongTimeEmbeddingIsCaught() throws Exception {
        Path edited = copy(config -> config.put("min_period", 4e-2));
        assertTrue(VlaFixtures.error(edited, Pi05ParityTest::run) > 1e-3,
                "a time embedding with another min_period must show in the expert");
    }

    /**
     * Plateau's export of the fixture without layer 2 (VLM and expert), loaded by LeRobot's own PI05Policy with the
     * export's start-up hook on PYTHONPATH (strict: no missing or unexpected key; parity/make_pi05_pruned_fixture.py),
     * computes what Plateau's forward of that export computes.
     */
    @Test
    void aPrunedExportRunsInLeRobotAsInPlateau() throws Exception {
        double worst = VlaFixtures.prunedError(FIXTURE, TransformersFixtures.FOLDER.resolve("pi05-pruned"),
                dir.resolve("pruned"), Pi05ParityTest::run);
        System.out.printf("pruned pi0.5 export, Plateau vs LeRobot: %.2e%n", worst);
        assertTrue(worst < 1e-5, "worst layer's relative error " + worst);
    }

    private Path copy(UnaryOperator<ObjectNode> editConfig) throws Exception {
        return VlaFixtures.copy(FIXTURE, dir.resolve("edited"), editConfig);
    }

    private static void run(Checkpoint c, List<VlaSample> samples, LayerSink sink, NDManager manager) {
        new Pi05Forward(c, ModelDetector.detect(c)).run(samples, Set.of(), sink, manager, () -> false,
                DecoderStack.Progress.NONE);
    }
}
