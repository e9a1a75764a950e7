package dev.plateau.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.checkpoint.DType;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.TensorSource;
import dev.plateau.checkpoint.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The independent numpy implementation of the similarity formulas (src/test/resources/similarity_reference.py), run
 * on float64 layers: its JSON answer holds cka, cka_feature, cka_unbiased (minibatches of {@code batch} consecutive
 * tokens), cosine, angular, mse and pca_ratio.
 */
final class NumpyReference {
    private NumpyReference() {
    }

    static JsonNode of(Path dir, List<double[][]> layers, int batch, int pcaComponents) throws Exception {
        List<TensorSpec> specs = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            double[][] m = layers.get(l);
            ByteBuffer b = ByteBuffer.allocate(m.length * m[0].length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (double[] row : m) {
                for (double v : row) {
                    b.putDouble(v);
                }
            }
            specs.add(new TensorSpec("layer" + l, DType.F64, List.of((long) m.length, (long) m[0].length),
                    new TensorSource.Bytes(b.array())));
        }
        Path folder = Files.createTempDirectory(dir, "case");
        SafetensorsWriter.writeWeights(folder, specs, 0, Map.of());
        Process p = new ProcessBuilder("python3", Path.of("src/test/resources/similarity_reference.py").toString(),
                folder.resolve("model.safetensors").toString(), Integer.toString(batch),
                Integer.toString(pcaComponents)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return new ObjectMapper().readTree(out);
    }

    /** Largest |expected - actual| over a matrix, optionally skipping the diagonal. */
    static double maxError(JsonNode expected, double[][] actual, boolean diagonal) {
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            for (int j = 0; j < actual.length; j++) {
                if (i == j && !diagonal) {
                    continue;
                }
                worst = Math.max(worst, Math.abs(expected.get(i).get(j).asDouble() - actual[i][j]));
            }
        }
        return worst;
    }
}
