package dev.plateau.workbench;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.model.ModuleSpec;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import java.util.List;
import java.util.Optional;

/**
 * Parameters from the stored tensor shapes; FLOPs of a layer over T tokens of width d counted as
 * 2 P T (every weight multiplies every token once) plus 4 T^2 d (attention scores and their weighted sum), with T
 * the module's tokens per calibration sample.
 */
final class Estimates {
    private Estimates() {
    }

    static Estimate of(OpenedModel model, Optional<Analysis> analysis, Plan plan) {
        long params = model.spec().totalParams();
        long removed = 0;
        long removedTrainable = 0;
        double flops = 0;
        double prunedFlops = 0;
        boolean counted = analysis.isPresent();
        for (ModuleSpec module : model.spec().modules()) {
            List<Integer> remove = Optional.ofNullable(plan.modules().get(module.name())).map(ModulePlan::remove)
                    .orElse(List.of());
            long moduleRemoved = remove.stream().filter(i -> i >= 0 && i < module.layerCount())
                    .mapToLong(module.paramsPerLayer()::get).sum();
            removed += moduleRemoved;
            if (model.trainableModules().contains(module.name())) {
                removedTrainable += moduleRemoved;
            }
            double tokens = analysis.map(a -> tokensPerSample(a, module.name())).orElse(Double.NaN);
            if (Double.isNaN(tokens)) {
                counted = false;
                continue;
            }
            for (int i = 0; i < module.layerCount(); i++) {
                double layer = 2.0 * module.paramsPerLayer().get(i) * tokens
                        + 4.0 * tokens * tokens * module.hiddenSize();
                flops += layer;
                if (!remove.contains(i)) {
                    prunedFlops += layer;
                }
            }
        }
        return new Estimate(params, params - removed, model.trainableParams(),
                model.trainableParams() - removedTrainable, counted ? flops / 1e9 : Double.NaN,
                counted ? prunedFlops / 1e9 : Double.NaN);
    }

    private static double tokensPerSample(Analysis analysis, String module) {
        ModuleAnalysis m = analysis.modules().get(module);
        String samples = analysis.metadata().get("samples");
        if (m == null || samples == null) {
            return Double.NaN;
        }
        return (double) m.tokens() / Integer.parseInt(samples);
    }
}
