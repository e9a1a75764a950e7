package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (run by bench/cka-all-pairs.sh, not by the tests): all-pairs exact CKA of L random layers of n tokens and
 * width d in float32, best of several runs, with the float32 GEMM peak measured in the same process and the error
 * against a float64 computation. Also writes the layers as a .npy file for the numpy side of the comparison.
 * Arguments: LAYERS TOKENS WIDTH NPY_PATH RUNS.
 */
public final class CkaBenchmark {
    private CkaBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int layers = Integer.parseInt(args[0]);
        int tokens = Integer.parseInt(args[1]);
        int width = Integer.parseInt(args[2]);
        Path npy = Path.of(args[3]);
        int runs = Integer.parseInt(args[4]);
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            List<NDArray> states = new ArrayList<>();
            NDArray x = manager.randomNormal(new Shape(tokens, width));
            for (int l = 0; l < layers; l++) {
                x = x.add(manager.randomNormal(0, 0.5f, new Shape(tokens, width), DataType.FLOAT32));
                states.add(x);
            }
            writeNpy(npy, states, layers, tokens, width);

            double peak = gemmPeak(manager);
            LinearCka.allPairs(states.subList(0, 2), LinearCka.Space.TOKEN);
            double best = Double.MAX_VALUE;
            double[][] single = null;
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                single = LinearCka.allPairs(states, LinearCka.Space.TOKEN).values();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            List<NDArray> doubles = states.stream().map(s -> s.toType(DataType.FLOAT64, true)).toList();
            double[][] reference = LinearCka.allPairs(doubles, LinearCka.Space.TOKEN).values();
            double error = 0;
            for (int i = 0; i < layers; i++) {
                for (int j = 0; j < layers; j++) {
                    error = Math.max(error, Math.abs(single[i][j] - reference[i][j]));
                }
            }
            double gramStackFlops = 2.0 * layers * tokens * (double) tokens * width;
            System.out.printf(Locale.ROOT, "{\"plateau_s\": %.4f, \"plateau_gemm_peak_gflops\": %.1f, "
                    + "\"plateau_equivalent_gflops\": %.1f, \"max_abs_error_vs_float64\": %.3e, \"space\": \"%s\"}%n",
                    best, peak, gramStackFlops / best / 1e9, error,
                    LinearCka.cheaperSpace(layers, tokens, width));
        }
    }

    private static double gemmPeak(NDManager manager) {
        NDArray a = manager.randomNormal(new Shape(2048, 2048));
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 6; r++) {
            try (NDManager step = manager.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(a);
                c.attach(step);
                c.getFloat(0, 0);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }

    private static void writeNpy(Path file, List<NDArray> states, int layers, int tokens, int width)
            throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + layers + ", " + tokens + ", " + width
                + "), }";
        int headerLength = 10 + dict.length() + 1;
        int padded = (headerLength + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - headerLength) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            prefix.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                    .putShort((short) header.length());
            out.write(prefix.array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            for (NDArray s : states) {
                float[] values = s.toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values);
                out.write(b.array());
            }
        }
    }
}
