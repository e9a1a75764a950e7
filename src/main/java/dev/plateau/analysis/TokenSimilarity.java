package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * The token-wise criteria of the paper's ablation and of LLM layer pruning, between every pair of layers:
 * cosine (mean over tokens of cos(h_i[t], h_j[t])), Block Influence (1 - that mean, ShortGPT), angular distance
 * (mean over tokens of arccos(cos) / pi, Gromov et al.) and MSE (mean over tokens and features of the squared
 * difference). A token whose vector is zero in either layer has no direction: its cosine counts as 0, with a note.
 */
public final class TokenSimilarity {
    private TokenSimilarity() {
    }

    public static SimilarityMatrix allPairs(List<NDArray> layers, Metric metric) {
        Layers.check(layers);
        return switch (metric) {
            case COSINE, BI, ANGULAR -> cosineFamily(layers, metric);
            case MSE -> mse(layers);
            default -> throw new IllegalArgumentException(metric + " is not a token-wise metric");
        };
    }

    private static SimilarityMatrix cosineFamily(List<NDArray> layers, Metric metric) {
        int count = layers.size();
        double[][] out = new double[count][count];
        List<String> notes = new ArrayList<>();
        try (NDManager scope = layers.getFirst().getManager().newSubManager()) {
            List<NDArray> unit = new ArrayList<>();
            for (int l = 0; l < count; l++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = layers.get(l).toType(DataType.FLOAT64, true);
                    x.attach(step);
                    NDArray norm = x.norm(new int[] {1}, true);
                    long zero = norm.eq(0).sum().getLong();
                    if (zero > 0) {
                        notes.add("layer " + l + " has " + zero + " zero token vectors: their cosine counts as 0");
                    }
                    NDArray u = x.div(norm.maximum(Double.MIN_NORMAL));
                    if (layers.get(l).getDataType() != DataType.FLOAT64) {
                        u = u.toType(DataType.FLOAT32, false);
                    }
                    u.attach(scope);
                    unit.add(u);
                }
            }
            for (int i = 0; i < count; i++) {
                for (int j = 0; j <= i; j++) {
                    try (NDManager step = scope.newSubManager()) {
                        NDArray product = unit.get(i).mul(unit.get(j));
                        product.attach(step);
                        NDArray cos = product.toType(DataType.FLOAT64, false).sum(new int[] {1}).clip(-1, 1);
                        double value = switch (metric) {
                            case COSINE -> cos.mean().getDouble();
                            case BI -> 1 - cos.mean().getDouble();
                            default -> cos.acos().mean().getDouble() / Math.PI;
                        };
                        out[i][j] = i == j && metric != Metric.COSINE ? 0 : i == j ? 1 : value;
                        out[j][i] = out[i][j];
                    }
                }
            }
        }
        return new SimilarityMatrix(metric, out, notes);
    }

    private static SimilarityMatrix mse(List<NDArray> layers) {
        int count = layers.size();
        long elements = layers.getFirst().getShape().size();
        try (NDManager scope = layers.getFirst().getManager().newSubManager()) {
            List<NDArray> flat = new ArrayList<>();
            for (NDArray layer : layers) {
                NDArray f = layer.reshape(-1);
                f.attach(scope);
                flat.add(f);
            }
            double[][] gram = LinearCka.innerProducts(flat, scope);
            double[][] out = new double[count][count];
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < count; j++) {
                    out[i][j] = i == j ? 0 : Math.max(0, gram[i][i] + gram[j][j] - 2 * gram[i][j]) / elements;
                }
            }
            return new SimilarityMatrix(Metric.MSE, out, List.of());
        }
    }
}
