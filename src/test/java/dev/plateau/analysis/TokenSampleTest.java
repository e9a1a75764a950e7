package dev.plateau.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How the token sample holds its states: float32 while it holds every token, float16 once it drops some. */
class TokenSampleTest {
    private static final int SLOTS = 3;
    private static final int WIDTH = 8;
    private static final int QUOTA = 50;

    private static void offer(TokenSample sample, NDManager manager, double[][] rows, long first) {
        NDArray states = RandomLayers.array(manager, rows).toType(DataType.FLOAT32, false);
        byte[] types = new byte[rows.length];
        Arrays.fill(types, TokenType.IMAGE.code());
        SplittableRandom keys = new SplittableRandom(first);
        double[] tokenKeys = IntStream.range(0, rows.length).mapToDouble(r -> keys.nextDouble()).toArray();
        sample.add(List.of(states, states, states), types, tokenKeys);
        states.close();
    }

    @Test
    void aCompleteTypeIsHeldExactlyAndADroppingOneInHalfTheBytes() {
        try (NDManager manager = NDManager.newBaseManager(); TokenSample sample = new TokenSample(SLOTS, QUOTA,
                manager)) {
            double[][] first = RandomLayers.gaussian(30, WIDTH, new SplittableRandom(1));
            offer(sample, manager, first, 1);
            assertEquals(30L * SLOTS * WIDTH * Float.BYTES, sample.bytes(), "30 of 30 tokens kept: float32");
            float[] held = sample.states(0, List.of(TokenType.IMAGE), manager).toFloatArray();
            float[] sorted = held.clone();
            float[] expected = flat(first);
            Arrays.sort(sorted);
            Arrays.sort(expected);
            assertArrayEquals(expected, sorted, "every token kept, each value exactly");

            offer(sample, manager, RandomLayers.gaussian(40, WIDTH, new SplittableRandom(2)), 2);
            assertEquals(QUOTA, sample.kept(TokenType.IMAGE));
            assertEquals(70, sample.seen(TokenType.IMAGE));
            assertEquals((long) QUOTA * SLOTS * WIDTH * 2, sample.bytes(), "50 of 70 kept: float16");
        }
    }

    @Test
    void statesBeyondFloat16sRangeKeepTheSampleInFloat32() {
        try (NDManager manager = NDManager.newBaseManager(); TokenSample sample = new TokenSample(SLOTS, QUOTA,
                manager)) {
            double[][] rows = RandomLayers.gaussian(80, WIDTH, new SplittableRandom(3));
            for (double[] row : rows) {
                row[2] *= 1e5;
            }
            offer(sample, manager, rows, 3);
            assertEquals((long) QUOTA * SLOTS * WIDTH * Float.BYTES, sample.bytes());
            float[] held = sample.states(1, List.of(TokenType.IMAGE), manager).toFloatArray();
            assertTrue(IntStream.range(0, held.length).allMatch(i -> Float.isFinite(held[i])), "no infinities");
            double largest = IntStream.range(0, held.length).mapToDouble(i -> Math.abs(held[i])).max().orElseThrow();
            assertTrue(largest > 65504, "the massive values are kept as they are: " + largest);
        }
    }

    private static float[] flat(double[][] rows) {
        float[] out = new float[rows.length * WIDTH];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < WIDTH; c++) {
                out[r * WIDTH + c] = (float) rows[r][c];
            }
        }
        return out;
    }
}
