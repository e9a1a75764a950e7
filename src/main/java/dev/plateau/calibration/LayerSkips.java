package dev.plateau.calibration;

import dev.plateau.model.ModelSpec;
import java.util.Map;
import java.util.Set;

/** The layers a pruned run skips per module, and the wall time of its forward passes. */
final class LayerSkips {
    private final ModelSpec spec;
    private final Map<String, Set<Integer>> skip;
    private long started;
    private long elapsed;

    LayerSkips(ModelSpec spec, Map<String, Set<Integer>> skip) {
        this.spec = spec;
        this.skip = skip;
        for (String module : skip.keySet()) {
            if (spec.module(module).isEmpty()) {
                throw new CalibrationException("cannot skip layers of '" + module + "': the model has "
                        + String.join(", ", spec.depths().keySet()));
            }
        }
    }

    Set<Integer> of(String module) {
        return skip.getOrDefault(module, Set.of());
    }

    /** SmolVLA and pi0 run VLM layer i and expert layer i together: one skip set for both. */
    Set<Integer> joint() {
        if (!of("vlm").equals(of("expert"))) {
            throw new CalibrationException(spec.family().displayName() + " runs VLM and expert layers together, "
                    + "so a pruned run must skip the same layers of both (vlm " + of("vlm") + ", expert "
                    + of("expert") + ")");
        }
        return of("vlm");
    }

    void requireNone(String module) {
        if (!of(module).isEmpty()) {
            throw new CalibrationException("a pruned run of " + spec.family().displayName() + " keeps every "
                    + module + " layer; Plateau does not skip " + module + " layers");
        }
    }

    void start() {
        started = System.nanoTime();
    }

    void stop() {
        elapsed += System.nanoTime() - started;
    }

    long forwardNanos() {
        return elapsed;
    }
}
