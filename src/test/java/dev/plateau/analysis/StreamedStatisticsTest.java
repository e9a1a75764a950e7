package dev.plateau.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics streamed batch by batch against the whole states at once: exact CKA and the token-wise criteria
 * against the independent numpy reference (over all tokens and over each type's tokens), minibatch CKA against the
 * whole-layer accumulator, merges of disjoint runs against one run, a save and load round trip, and the token sample.
 */
class StreamedStatisticsTest {
    private static final int LAYERS = 5;
    private static final int TOKENS = 600;
    private static final int WIDTH = 24;
    /** Uneven batches, as samples of different lengths give them. */
    private static final int[] CUTS = {0, 170, 420, 600};
    private static final long UNLIMITED = Long.MAX_VALUE;
    /** A float16's relative rounding error is at most 2^-11; twice that allows float32's rounding before it. */
    private static final double FLOAT16 = 0x1p-10;
    /** Below 2^-14 float16 is subnormal: an absolute error of at most 2^-25. */
    private static final double SUBNORMAL = 0x1p-24;

    @TempDir
    static Path dir;

    private static List<double[][]> data;
    private static byte[] types;
    private static JsonNode whole;
    private static JsonNode language;

    @BeforeAll
    static void reference() throws Exception {
        data = RandomLayers.layers(LAYERS, TOKENS, WIDTH, 11);
        for (double[][] layer : data) {
            for (double[] row : layer) {
                row[1] += 1000;
            }
        }
        types = new byte[TOKENS];
        for (int r = 0; r < TOKENS; r++) {
            types[r] = r % 10 < 6 ? TokenType.IMAGE.code() : r % 10 < 9 ? TokenType.LANGUAGE.code()
                    : TokenType.STATE.code();
        }
        whole = NumpyReference.of(dir, data, 16, 2);
        language = NumpyReference.of(dir, rowsOf(data, TokenType.LANGUAGE), 16, 2);
    }

    private static List<double[][]> rowsOf(List<double[][]> layers, TokenType type) {
        int[] rows = IntStream.range(0, TOKENS).filter(r -> types[r] == type.code()).toArray();
        return layers.stream().map(l -> Arrays.stream(rows).mapToObj(r -> l[r]).toArray(double[][]::new)).toList();
    }

    /** Feeds tokens [from, to) of every layer as one batch; token r of the data has identity (r / 10, r % 10). */
    private static void feed(StreamedStatistics stats, NDManager manager, DataType type, int from, int to) {
        for (int l = -1; l < LAYERS; l++) {
            double[][] layer = data.get(Math.max(0, l));
            NDArray rows = RandomLayers.array(manager, Arrays.copyOfRange(layer, from, to)).toType(type, false);
            stats.accept("m", l, rows);
        }
        byte[] batchTypes = Arrays.copyOfRange(types, from, to);
        long[] ids = IntStream.range(from, to).mapToLong(r -> TokenBatch.id(r / 10, r % 10)).toArray();
        stats.finishBatch(Map.of("m", n -> new TokenBatch(batchTypes, ids)), () -> { });
    }

    private static StreamedStatistics run(NDManager manager, DataType type, StatisticsSettings settings, int[] cuts) {
        StreamedStatistics stats = new StreamedStatistics(Map.of("m",
                new StreamedStatistics.ModuleShape(LAYERS, WIDTH, true, settings.exactDistantFits(LAYERS, WIDTH),
                        List.of(TokenType.IMAGE, TokenType.LANGUAGE, TokenType.STATE))),
                settings, manager);
        for (int b = 0; b + 1 < cuts.length; b++) {
            feed(stats, manager, type, cuts[b], cuts[b + 1]);
        }
        return stats;
    }

    private static ModuleAnalysis analyse(StreamedStatistics stats) {
        return stats.analysis("test", Map.of()).modules().get("m");
    }

    @Test
    void exactCkaAndTokenwiseCriteriaEqualNumpyOverAllTokensAndPerType() {
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics stats = run(manager, DataType.FLOAT64, new StatisticsSettings(3, 256, 3000,
                     UNLIMITED), CUTS)) {
            ModuleAnalysis m = analyse(stats);
            assertEquals(TOKENS, m.tokens());
            assertTrue(NumpyReference.maxError(whole.get("cka"), m.metrics().get(Metric.CKA).values(), true) < 1e-9);
            assertTrue(NumpyReference.maxError(whole.get("cosine"), m.metrics().get(Metric.COSINE).values(), true)
                    < 1e-9);
            assertTrue(NumpyReference.maxError(whole.get("angular"), m.metrics().get(Metric.ANGULAR).values(), false)
                    < 1e-9);
            assertTrue(NumpyReference.maxError(whole.get("mse"), m.metrics().get(Metric.MSE).values(), true)
                    < 1e-9 * 1e3);

            ModuleAnalysis lang = m.ofType("language").orElseThrow();
            assertEquals(180, lang.tokens());
            assertEquals(List.of("image", "language", "state"), List.copyOf(m.tokenTypes().keySet()));
            double[][] cka = lang.metrics().get(Metric.CKA).values();
            for (int i = 1; i < LAYERS; i++) {
                assertEquals(language.get("cka").get(i).get(i - 1).asDouble(), cka[i][i - 1], 1e-9,
                        "adjacent pairs of one type are exact over its tokens");
            }
            // the sample keeps all 180 language tokens (1000 per type), so the distant pairs are CKA of the same tokens,
            // from float32 copies (a type whose every token is kept is held in float32)
            assertTrue(NumpyReference.maxError(language.get("cka"), cka, true) < 1e-5);
            assertTrue(NumpyReference.maxError(language.get("cosine"), lang.metrics().get(Metric.COSINE).values(),
                    true) < 1e-9);
        }
    }

    @Test
    void float32StatesMatchTheWholeLayerAnalysis() {
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics stats = run(manager, DataType.FLOAT32, new StatisticsSettings(3, 256, 3000,
                     UNLIMITED), CUTS)) {
            ModuleAnalysis m = analyse(stats);
            List<NDArray> layers = RandomLayers.arrays(manager, data).stream()
                    .map(a -> a.toType(DataType.FLOAT32, false)).toList();
            double worst = maxDifference(LinearCka.allPairs(layers).values(), m.metrics().get(Metric.CKA).values());
            assertTrue(worst < 1e-6, "float32 CKA streamed vs whole: " + worst);
            double exact = NumpyReference.maxError(whole.get("cka"), m.metrics().get(Metric.CKA).values(), true);
            assertTrue(exact < 1e-6, "float32 streamed CKA vs float64 numpy: " + exact);
        }
    }

    @Test
    void minibatchCkaOfOneBatchEqualsTheWholeLayerEstimator() {
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics stats = run(manager, DataType.FLOAT64, new StatisticsSettings(3, 1000, 3000,
                     UNLIMITED), new int[] {0, TOKENS})) {
            List<NDArray> layers = RandomLayers.arrays(manager, data);
            // one minibatch of all tokens: the unbiased estimate does not depend on their order
            double[][] expected = MinibatchCka.allPairs(layers, TOKENS, 5).values();
            assertTrue(maxDifference(expected, analyse(stats).metrics().get(Metric.CKA_MINIBATCH).values()) < 1e-9);
        }
    }

    @Test
    void twoMergedHalvesEqualOneWholeRun() throws Exception {
        StatisticsSettings settings = new StatisticsSettings(3, 64, 150, UNLIMITED);
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics one = run(manager, DataType.FLOAT64, settings, CUTS);
             StreamedStatistics first = run(manager, DataType.FLOAT64, settings, new int[] {0, 170});
             StreamedStatistics second = run(manager, DataType.FLOAT64, settings, new int[] {170, 420, 600})) {
            first.merge(second);
            assertSameAnalysis(analyse(one), analyse(first), 1e-9);
            assertSameSample(one, first);

            Path stats = dir.resolve("half.statistics.safetensors");
            Path sample = dir.resolve("half.sample.safetensors");
            try (StreamedStatistics half = run(manager, DataType.FLOAT64, settings, new int[] {0, 170})) {
                half.save(stats, Map.of());
                half.writeSample(sample, Map.of());
            }
            try (StreamedStatistics loaded = StreamedStatistics.load(stats, sample, manager)) {
                loaded.merge(second);
                // the sample's states are stored in float32, so distant pairs estimated from it move at 1e-7
                assertSameAnalysis(analyse(one), analyse(loaded), 1e-6);
                assertSameSample(one, loaded);
            }
        }
    }

    @Test
    void theTokenSampleIsStratifiedSeededAndIndependentOfBatching() throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics a = run(manager, DataType.FLOAT32, new StatisticsSettings(3, 64, 120, 0), CUTS);
             StreamedStatistics b = run(manager, DataType.FLOAT32, new StatisticsSettings(3, 64, 120, 0),
                     new int[] {0, 50, 51, 300, 600});
             StreamedStatistics c = run(manager, DataType.FLOAT32, new StatisticsSettings(4, 64, 120, 0), CUTS)) {
            Path file = dir.resolve("sample.safetensors");
            a.writeSample(file, Map.of());
            try (ActivationFile sample = ActivationFile.open(file)) {
                byte[] kept = sample.tokenTypes("m").orElseThrow();
                // 360 image, 180 language, 60 state tokens: a budget of 120 keeps 40 of each type
                assertEquals(120, kept.length);
                for (TokenType t : List.of(TokenType.IMAGE, TokenType.LANGUAGE, TokenType.STATE)) {
                    assertEquals(40, IntStream.range(0, kept.length).filter(r -> kept[r] == t.code()).count());
                }
                // every kept row is a row of the data with its own type, in every layer
                NDArray layer2 = sample.layer("m", 2, manager);
                NDArray input = sample.input("m", manager);
                for (int r = 0; r < kept.length; r++) {
                    int source = rowOf(data.get(2), layer2.get(r).toType(DataType.FLOAT64, false).toDoubleArray());
                    assertEquals(types[source], kept[r]);
                    assertSameInFloat16(data.getFirst()[source], input.get(r).toFloatArray());
                }
            }
            assertSameSample(a, b);
            assertNotEquals(Arrays.toString(sampleOf(a)), Arrays.toString(sampleOf(c)), "another seed, other tokens");
        }
    }

    @Test
    void theEstimateOfDistantPairsIsCloseToExact() {
        try (NDManager manager = NDManager.newBaseManager();
             StreamedStatistics exact = run(manager, DataType.FLOAT32, new StatisticsSettings(3, 64, 450,
                     UNLIMITED), CUTS);
             StreamedStatistics estimated = run(manager, DataType.FLOAT32, new StatisticsSettings(3, 64, 450, 0),
                     CUTS)) {
            SimilarityMatrix e = analyse(estimated).metrics().get(Metric.CKA);
            double[][] x = analyse(exact).metrics().get(Metric.CKA).values();
            for (int i = 1; i < LAYERS; i++) {
                assertEquals(x[i][i - 1], e.get(i, i - 1), 1e-12, "adjacent pairs stay exact");
            }
            double worst = maxDifference(x, e.values());
            // each type keeps its 150 smallest keys (state: all 60); every token below the smaller of image's and
            // language's largest kept key is kept, whatever its type: at least 150 tokens, at most all 360 kept
            int used = tokensUsed(e);
            assertTrue(used >= 150 && used <= 360, "uniform sample of " + used + " tokens");
            assertTrue(worst > 0 && worst < 0.05, "estimate from " + used + " of 600 tokens: max error " + worst);
            SimilarityMatrix image = analyse(estimated).ofType("image").orElseThrow().metrics().get(Metric.CKA);
            assertEquals(150, tokensUsed(image), "one type: its own kept tokens");
        }
    }

    private static int tokensUsed(SimilarityMatrix estimate) {
        String note = estimate.notes().stream().filter(n -> n.contains("uniform sample of")).findFirst()
                .orElseThrow(() -> new AssertionError("no estimate note in " + estimate.notes()));
        return Integer.parseInt(note.replaceAll(".*uniform sample of (\\d+) tokens.*", "$1"));
    }

    /** The sample holds float16: each value within its rounding error. */
    private static void assertSameInFloat16(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], FLOAT16 * Math.abs(expected[i]) + SUBNORMAL, "value " + i);
        }
    }

    private static int rowOf(double[][] layer, double[] row) {
        for (int r = 0; r < layer.length; r++) {
            boolean same = true;
            for (int c = 0; c < row.length && same; c++) {
                same = Math.abs(layer[r][c] - row[c]) <= FLOAT16 * Math.abs(layer[r][c]) + SUBNORMAL;
            }
            if (same) {
                return r;
            }
        }
        throw new AssertionError("a sampled row is not in the data");
    }

    private static float[] sampleOf(StreamedStatistics stats) throws Exception {
        Path file = dir.resolve("compare-" + System.nanoTime() + ".safetensors");
        stats.writeSample(file, Map.of());
        try (ActivationFile sample = ActivationFile.open(file); NDManager m = NDManager.newBaseManager()) {
            return sample.layer("m", LAYERS - 1, m).toFloatArray();
        }
    }

    private static void assertSameSample(StreamedStatistics a, StreamedStatistics b) throws Exception {
        assertArrayEquals(sampleOf(a), sampleOf(b));
    }

    private static void assertSameAnalysis(ModuleAnalysis expected, ModuleAnalysis actual, double tolerance) {
        assertEquals(expected.tokens(), actual.tokens());
        assertEquals(expected.tokenTypes().keySet(), actual.tokenTypes().keySet());
        for (Metric metric : Metric.values()) {
            double worst = maxDifference(expected.metrics().get(metric).values(), actual.metrics().get(metric)
                    .values());
            assertTrue(worst <= tolerance, metric + " differs by " + worst);
            for (String type : expected.tokenTypes().keySet()) {
                double t = maxDifference(expected.ofType(type).orElseThrow().metrics().get(metric).values(),
                        actual.ofType(type).orElseThrow().metrics().get(metric).values());
                assertTrue(t <= tolerance, type + " " + metric + " differs by " + t);
            }
        }
    }

    private static double maxDifference(double[][] a, double[][] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                worst = Math.max(worst, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return worst;
    }
}
