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
import dev.plateau.prune.Surgery;
import dev.plateau.prune.Verifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.Map;

/** The prune and verify steps. */
final class Exports {
    private Exports() {
    }

    static Exporter.Result prune(Path checkpoint, Path planFile, Path out, boolean force) {
        return prune(checkpoint, planFile, out, force, (done, total) -> { }, () -> false);
    }

    static Exporter.Result prune(Path checkpoint, Path planFile, Path out, boolean force,
                                 Workbench.ByteProgress progress, BooleanSupplier cancelled) {
        try {
            return prune(checkpoint, PlanFile.read(planFile), planFile + ": ", out, force, progress, cancelled);
        } catch (PlanException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /** {@code where} prefixes the message of a plan that breaks a rule (the plan file's name, or nothing). */
    static Exporter.Result prune(Path checkpoint, Plan plan, String where, Path out, boolean force) {
        return prune(checkpoint, plan, where, out, force, (done, total) -> { }, () -> false);
    }

    /** The same with byte progress, stopped (writing nothing) when {@code cancelled} says so. */
    static Exporter.Result prune(Path checkpoint, Plan plan, String where, Path out, boolean force,
                                 Workbench.ByteProgress progress, BooleanSupplier cancelled) {
        try (Checkpoint source = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            ModelSpec spec = ModelDetector.detect(source);
            List<String> problems = PlanCheck.problems(plan, spec);
            if (!problems.isEmpty()) {
                throw new PlateauException(where + String.join("; and ", problems));
            }
            return Exporter.export(source, spec, plan, out, force, (done, total) -> {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException();
                }
                progress.bytes(done, total);
            });
        } catch (CancellationException e) {
            throw new PlateauException("export cancelled; nothing was written to " + out, e);
        } catch (CheckpointException | PlanException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }

    static ExportPreview preview(Path checkpoint, Plan plan) {
        try (Checkpoint source = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            ModelSpec spec = ModelDetector.detect(source);
            List<String> problems = new ArrayList<>(PlanCheck.problems(plan, spec));
            if (problems.isEmpty()) {
                Exporter.refusal(spec, plan).ifPresent(problems::add);
            }
            if (!problems.isEmpty()) {
                return new ExportPreview(spec.tensorCount(), spec.tensorCount(), Map.of(), Map.of(), List.of(),
                        problems);
            }
            Surgery surgery = Surgery.of(source, spec, plan);
            Map<String, String> changes = new LinkedHashMap<>();
            surgery.configChanges().forEach((key, values) -> changes.put(key, values.get(0) + " \u2192 "
                    + values.get(1)));
            return new ExportPreview(spec.tensorCount(), surgery.tensors().size(), changes, surgery.layerMaps(),
                    Exporter.notes(spec, surgery), List.of());
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
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
