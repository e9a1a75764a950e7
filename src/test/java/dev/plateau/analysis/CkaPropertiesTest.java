package dev.plateau.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** CKA's defining properties, for both exact routes, and the unbiased estimator's convergence to exact CKA. */
class CkaPropertiesTest {
    private static final double EXACT = 1e-10;

    private static double cka(NDArray x, NDArray y, LinearCka.Space space) {
        return LinearCka.allPairs(List.of(x, y), space).get(0, 1);
    }

    @Test
    void identicalLayersHaveCkaOneAndPairsAreSymmetric() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> layers = RandomLayers.arrays(m, RandomLayers.layers(4, 60, 20, 11));
            for (LinearCka.Space space : LinearCka.Space.values()) {
                double[][] v = LinearCka.allPairs(List.of(layers.get(0), layers.get(0)), space).values();
                assertEquals(1, v[0][1], EXACT);
                double[][] all = LinearCka.allPairs(layers, space).values();
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        assertEquals(all[i][j], all[j][i], EXACT);
                        assertTrue(all[i][j] >= 0 && all[i][j] <= 1, "in [0, 1]: " + all[i][j]);
                    }
                }
            }
        }
    }

    @Test
    void invariantToOrthogonalTransformsAndIsotropicScaling() {
        SplittableRandom random = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            List<double[][]> data = RandomLayers.layers(2, 80, 24, 12);
            NDArray x = RandomLayers.array(m, data.get(0));
            NDArray y = RandomLayers.array(m, data.get(1));
            NDArray q = RandomLayers.array(m, Pca.orthonormalColumns(RandomLayers.gaussian(24, 24, random)));
            for (LinearCka.Space space : LinearCka.Space.values()) {
                double base = cka(x, y, space);
                assertTrue(base > 0.05 && base < 0.999, "a non-trivial pair: " + base);
                assertEquals(base, cka(x.matMul(q), y, space), EXACT, "rotating X");
                assertEquals(base, cka(x, y.matMul(q.transpose()), space), EXACT, "rotating Y");
                assertEquals(base, cka(x.mul(37.5), y, space), EXACT, "scaling X");
                assertEquals(base, cka(x, y.mul(1e-3), space), EXACT, "scaling Y");
                assertEquals(base, cka(x.add(4.0), y, space), EXACT, "shifting X (centring)");
            }
        }
    }

    @Test
    void rangeStaysInUnitIntervalForUnrelatedAndCollinearLayers() {
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom random = new SplittableRandom(3);
            NDArray x = RandomLayers.array(m, RandomLayers.gaussian(50, 10, random));
            NDArray unrelated = RandomLayers.array(m, RandomLayers.gaussian(50, 10, random));
            double v = cka(x, unrelated, LinearCka.Space.TOKEN);
            assertTrue(v >= 0 && v < 0.5, "independent noise: " + v);
            assertEquals(1, cka(x, x.mul(-2), LinearCka.Space.FEATURE), EXACT, "sign flip and scale");
        }
    }

    @Test
    void unbiasedMinibatchCkaApproachesExactCkaAsTokensGrow() {
        // tolerance: |minibatch - exact| <= 0.02 with 8192 tokens in batches of 512 (the estimator's bias is O(1/b))
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> layers = RandomLayers.arrays(m, RandomLayers.layers(3, 8192, 16, 21));
            double[][] exact = LinearCka.allPairs(layers).values();
            double[][] small = MinibatchCka.allPairs(layers.stream().map(l -> l.get("0:256")).toList(), 16, 1).values();
            double[][] large = MinibatchCka.allPairs(layers, 512, 1).values();
            double smallError = 0;
            double largeError = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    smallError = Math.max(smallError, Math.abs(small[i][j] - exact[i][j]));
                    largeError = Math.max(largeError, Math.abs(large[i][j] - exact[i][j]));
                }
            }
            assertTrue(largeError <= 0.02, "8192 tokens: " + largeError);
            assertTrue(largeError < smallError, "more tokens, closer: " + largeError + " vs " + smallError);
        }
    }

    @Test
    void float32InputsStayWithinOneInAHundredThousandOfFloat64() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> layers64 = RandomLayers.arrays(m, RandomLayers.layers(4, 1024, 96, 8));
            List<NDArray> layers32 = layers64.stream().map(l -> l.toType(DataType.FLOAT32, true)).toList();
            for (LinearCka.Space space : LinearCka.Space.values()) {
                double[][] reference = LinearCka.allPairs(layers64, space).values();
                double[][] single = LinearCka.allPairs(layers32, space).values();
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        assertEquals(reference[i][j], single[i][j], 1e-5, space + " " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void aConstantLayerGetsZeroAndANote() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = RandomLayers.array(m, RandomLayers.layers(1, 30, 5, 2).getFirst());
            NDArray constant = m.full(x.getShape(), 2.5f).toType(DataType.FLOAT64, false);
            SimilarityMatrix s = LinearCka.allPairs(List.of(x, constant));
            assertEquals(0, s.get(0, 1));
            assertEquals(1, s.get(1, 1));
            assertEquals(1, s.notes().size());
            assertTrue(s.notes().getFirst().startsWith("layer 1 has zero variance"), s.notes().getFirst());
            assertTrue(Double.isNaN(s.adjacent()[0]));
            assertEquals(0, s.adjacent()[1]);
        }
    }
}
