package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.LatentProjection;
import dev.plateau.analysis.RunFiles;
import dev.plateau.calibration.Calibrator;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * What a plan does to the model before anything is exported: the engine runs the base model and the pruned one
 * (the same weights, the plan's layers skipped) on the calibration samples. The PCA preview compares the two runs'
 * token samples, which hold the same tokens (the sample is fixed by the seed and each token's place).
 */
final class Previews {
    /** Samples per latency run, and runs of each model (the fastest counts). */
    static final int LATENCY_SAMPLES = 2;
    static final int LATENCY_ROUNDS = 2;

    private Previews() {
    }

    static Latency latency(AnalysedRun run, Plan plan, BooleanSupplier cancelled,
                           Workbench.Progress progress) {
        CalibrationRequest r = run.request();
        int samples = Math.min(LATENCY_SAMPLES, r.samples());
        Map<String, Set<Integer>> skip = plan.removals();
        long base = Long.MAX_VALUE;
        long pruned = Long.MAX_VALUE;
        for (int round = 0; round < LATENCY_ROUNDS; round++) {
            base = Math.min(base, Calibrations.calibrate(r, samples, Map.of(), Calibrator.Outputs.NONE, cancelled,
                    progress).forwardNanos());
            pruned = Math.min(pruned, Calibrations.calibrate(r, samples, skip, Calibrator.Outputs.NONE, cancelled,
                    progress).forwardNanos());
        }
        return new Latency(base / 1e6 / samples, pruned / 1e6 / samples, samples);
    }

    static LatentPreview latent(AnalysedRun run, Plan plan, String module, int layer, int components,
                                BooleanSupplier cancelled, Workbench.Progress progress) {
        CalibrationRequest r = run.request();
        Map<String, Set<Integer>> skip = new TreeMap<>(plan.removals());
        skip.values().removeIf(Set::isEmpty);
        RunFiles pruned = RunFiles.of(run.files().analysis().resolveSibling("pruned-"
                + Sessions.digest(skip.toString(), 8) + ".json"));
        if (!pruned.exist()) {
            Calibrations.calibrate(r, r.samples(), skip, new Calibrator.Outputs(Optional.of(pruned), Optional.empty(),
                    Optional.empty()), cancelled, progress);
        }
        List<Integer> kept = keptLayers(plan, module, run.analysis().modules().get(module).layers());
        int shown = -1;
        for (int i = 0; i < kept.size() && kept.get(i) <= layer; i++) {
            shown = i;
        }
        try {
            LatentProjection projection = LatentProjection.of(run.files().sample(), layer, pruned.sample(), shown,
                    module, components, r.seed());
            return new LatentPreview(module, layer, shown < 0 ? -1 : kept.get(shown), projection.explained(),
                    projection.base(), projection.pruned(), projection.types());
        } catch (ActivationException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    private static List<Integer> keptLayers(Plan plan, String module, int layers) {
        ModulePlan m = plan.modules().get(module);
        return m == null ? IntStream.range(0, layers).boxed().toList() : m.kept();
    }
}
