package dev.plateau.workbench;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.prune.Exporter;
import dev.plateau.prune.Plan;
import dev.plateau.prune.PlanCheck;
import dev.plateau.prune.PlanException;
import dev.plateau.prune.PlanFile;
import dev.plateau.prune.Verifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The prune and verify steps. */
final class Exports {
    private Exports() {
    }

    static Exporter.Result prune(Path checkpoint, Path planFile, Path out, boolean force) {
        try (Checkpoint source = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            ModelSpec spec = ModelDetector.detect(source);
            Plan plan = PlanFile.read(planFile);
            List<String> problems = PlanCheck.problems(plan, spec);
            if (!problems.isEmpty()) {
                throw new PlateauException(planFile + ": " + String.join("; and ", problems));
            }
            return Exporter.export(source, spec, plan, out, force);
        } catch (CheckpointException | PlanException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }

    static Verifier.Report verify(Path folder) {
        try {
            return Verifier.verify(folder.toAbsolutePath().normalize());
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }
}
