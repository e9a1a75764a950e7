package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Computes the requested similarity metrics for every module of an activation file. */
public final class Analyzer {
    /** Tokens per batch of the unbiased minibatch estimator. */
    public static final int DEFAULT_BATCH = 1024;

    private Analyzer() {
    }

    /** Analyses every module on the default device (the GPU when DJL finds one). */
    public static Analysis analyze(ActivationFile activations, Set<Metric> metrics, int batchSize, long seed) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return analyze(activations, metrics, batchSize, seed, manager);
        }
    }

    public static Analysis analyze(ActivationFile activations, Set<Metric> metrics, int batchSize, long seed,
                                   NDManager manager) {
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("no metric asked for");
        }
        Map<String, ModuleAnalysis> modules = new LinkedHashMap<>();
        for (ActivationFile.Module module : activations.modules().values()) {
            try (NDManager scope = manager.newSubManager()) {
                List<NDArray> layers = new ArrayList<>();
                for (int i = 0; i < module.layers().size(); i++) {
                    layers.add(activations.layer(module.name(), i, scope));
                }
                Map<Metric, SimilarityMatrix> results = new EnumMap<>(Metric.class);
                for (Metric metric : metrics) {
                    results.put(metric, compute(metric, layers, batchSize, seed));
                }
                modules.put(module.name(), new ModuleAnalysis(module.name(), module.tokens(), module.width(),
                        results));
            }
        }
        return new Analysis(activations.path().toAbsolutePath().toString(), activations.metadata(), modules);
    }

    static SimilarityMatrix compute(Metric metric, List<NDArray> layers, int batchSize, long seed) {
        return switch (metric) {
            case CKA -> LinearCka.allPairs(layers);
            case CKA_MINIBATCH -> MinibatchCka.allPairs(layers, Math.max(4, batchSize), seed);
            case COSINE, MSE, ANGULAR, BI -> TokenSimilarity.allPairs(layers, metric);
        };
    }
}
