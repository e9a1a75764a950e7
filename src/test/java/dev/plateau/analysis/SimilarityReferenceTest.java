package dev.plateau.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreement with an independent numpy implementation of the papers' formulas (src/test/resources/
 * similarity_reference.py), on random layers with fewer tokens than features and more: max abs error 1e-9 for exact
 * CKA in both spaces, unbiased minibatch CKA, cosine, angular distance and MSE, and 1e-9 for PCA's explained variance.
 */
class SimilarityReferenceTest {
    private static final double TOLERANCE = 1e-9;
    private static final int BATCH = 16;
    private static final int PCA_K = 4;

    @TempDir
    Path dir;

    record Case(int layers, int n, int d, long seed) {
    }

    private static final List<Case> CASES = List.of(
            new Case(4, 40, 120, 1), new Case(3, 64, 300, 2), new Case(4, 96, 96, 3),
            new Case(4, 500, 30, 4), new Case(3, 300, 64, 5), new Case(5, 2000, 12, 6));

    private JsonNode reference(List<double[][]> layers) throws Exception {
        return NumpyReference.of(dir, layers, BATCH, PCA_K);
    }

    private static double maxError(JsonNode expected, double[][] actual) {
        return NumpyReference.maxError(expected, actual, true);
    }

    /**
     * The diagonal can be skipped where the reference's own rounding dominates (arccos of 1 - 1e-16 is 1.4e-8: numpy's
     * angular self-distance is not 0, Plateau's is exactly 0).
     */
    private static double maxError(JsonNode expected, double[][] actual, boolean diagonal) {
        return NumpyReference.maxError(expected, actual, diagonal);
    }

    @Test
    void everyCriterionAgreesWithNumpy() throws Exception {
        for (Case c : CASES) {
            List<double[][]> data = RandomLayers.layers(c.layers(), c.n(), c.d(), c.seed());
            JsonNode ref = reference(data);
            try (NDManager manager = NDManager.newBaseManager()) {
                List<NDArray> layers = RandomLayers.arrays(manager, data);
                String label = c.toString();
                double token = maxError(ref.get("cka"), LinearCka.allPairs(layers, LinearCka.Space.TOKEN).values());
                double feature = maxError(ref.get("cka"),
                        LinearCka.allPairs(layers, LinearCka.Space.FEATURE).values());
                assertTrue(token <= TOLERANCE, label + " token-space CKA error " + token);
                assertTrue(feature <= TOLERANCE, label + " feature-space CKA error " + feature);
                assertTrue(maxError(ref.get("cka_feature"), LinearCka.allPairs(layers).values()) <= TOLERANCE, label);

                double unbiased = maxError(ref.get("cka_unbiased"), minibatchInOrder(layers, c.n()).values());
                assertTrue(unbiased <= TOLERANCE, label + " unbiased CKA error " + unbiased);
                double stacked = maxError(ref.get("cka_unbiased"), minibatchStackedInOrder(layers, c.n()).values());
                assertTrue(stacked <= TOLERANCE, label + " unbiased CKA error, all layers at once " + stacked);
                for (Metric m : List.of(Metric.COSINE, Metric.ANGULAR, Metric.MSE)) {
                    double e = maxError(ref.get(m.code()), TokenSimilarity.allPairs(layers, m).values(),
                            m != Metric.ANGULAR);
                    assertTrue(e <= TOLERANCE, label + " " + m + " error " + e);
                }
                try (Pca pca = Pca.fit(layers.getFirst(), PCA_K, 7)) {
                    double[] ratio = pca.explainedVarianceRatio();
                    for (int k = 0; k < PCA_K; k++) {
                        assertEquals(ref.get("pca_ratio").get(k).asDouble(), ratio[k], TOLERANCE, label + " PC" + k);
                    }
                }
            }
        }
    }

    /** The same, each minibatch of every layer fed at once. */
    private static SimilarityMatrix minibatchStackedInOrder(List<NDArray> layers, int n) {
        try (MinibatchCka acc = new MinibatchCka(layers.size(), layers.getFirst().getManager())) {
            for (int start = 0; start + 4 <= n; start += BATCH) {
                String range = start + ":" + Math.min(n, start + BATCH);
                acc.addAll(layers.stream().map(l -> l.get(new NDIndex(range))).toList());
            }
            return acc.result();
        }
    }

    /** Minibatch CKA over consecutive batches, as the reference script forms them. */
    private static SimilarityMatrix minibatchInOrder(List<NDArray> layers, int n) {
        try (MinibatchCka acc = new MinibatchCka(layers.size(), layers.getFirst().getManager())) {
            int batch = 0;
            for (int start = 0; start + 4 <= n; start += BATCH, batch++) {
                for (int l = 0; l < layers.size(); l++) {
                    acc.add(l, batch, layers.get(l).get(new NDIndex(start + ":" + Math.min(n, start + BATCH))));
                }
            }
            return acc.result();
        }
    }
}
