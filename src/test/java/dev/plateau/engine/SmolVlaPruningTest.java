package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.SyntheticModels;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.PlanFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SmolVLA exported with the paper's plan computes, bit for bit, what the base computes with that skip set. */
class SmolVlaPruningTest {
    @TempDir
    Path dir;

    @Test
    void exportEqualsBaseWithSkipSet() throws Exception {
        Path base = CheckpointBuilder.write(SyntheticModels.named("smolvla", false).orElseThrow(), dir.resolve("base"),
                CheckpointBuilder.Fill.RANDOM, 6, 0, false);
        Path pruned = dir.resolve("pruned");
        try (Checkpoint c = Checkpoint.open(base)) {
            Exporter.export(c, ModelDetector.detect(c), PlanFile.read(Path.of("sample-configs/smolvla-table5.plan"
                    + ".json")), pruned, false);
        }
        List<Integer> removed = List.of(1, 2, 5, 6, 14, 15);
        var samples = SmolVlaReferenceTest.samples(9);
        Map<String, Map<Integer, float[]>> skipped = SmolVlaReferenceTest.run(base, samples, Set.copyOf(removed));
        Map<String, Map<Integer, float[]>> exported = SmolVlaReferenceTest.run(pruned, samples, Set.of());
        int position = 0;
        for (int layer = 0; layer < 16; layer++) {
            if (removed.contains(layer)) {
                continue;
            }
            for (String module : List.of("vlm", "expert")) {
                assertArrayEquals(skipped.get(module).get(layer), exported.get(module).get(position),
                        module + " layer " + layer + " is the export's layer " + position);
            }
            position++;
        }
        assertArrayEquals(skipped.get("expert").get(-1), exported.get("expert").get(-1));
    }
}
