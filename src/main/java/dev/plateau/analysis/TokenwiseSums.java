package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Running sums of the token-wise criteria between every pair of a module's layers, per token type: the cosine of a
 * token's two vectors, arccos of it over pi, and their squared distance. Means over any set of types follow exactly
 * from the sums, so {@link TokenSimilarity}'s cosine, Block Influence, angular distance and MSE come out of a stream
 * of batches as they do from whole layers. A token whose vector is zero in either layer has no direction: its cosine
 * counts as 0 (arccos / pi as 1/2), as in {@link TokenSimilarity}.
 */
final class TokenwiseSums {
    private final int layers;
    private final int types;
    private final double[][][] cosine;
    private final double[][][] angle;
    private final double[][][] squared;
    private final long[][] zero;
    private final long[] count;
    /** Tokens per batched Gram product: [chunk, layers, width] at a time. */
    private static final int CHUNK = 512;

    TokenwiseSums(int layers) {
        this.layers = layers;
        this.types = TokenType.values().length;
        this.cosine = new double[types][layers][layers];
        this.angle = new double[types][layers][layers];
        this.squared = new double[types][layers][layers];
        this.zero = new long[types][layers];
        this.count = new long[types];
    }

    /**
     * Adds a batch: {@code rows.get(l)} is layer l's [n, d] states, {@code types} each token's type code. Per token, a
     * chunk of tokens at a time and in the states' precision, two small Gram matrices come from one batched product
     * each: of its layer vectors (their norms) and of its steps between consecutive layers, d_k = h_{k+1} - h_k. A
     * pair's squared distance is the sum of a block of the steps' Gram matrix (h_i - h_j = d_j + ... + d_{i-1}), so
     * it never cancels as g_ii + g_jj - 2 g_ij does for layers that are nearly equal. The angle follows from it and the
     * norms: |u_i - u_j|^2 = (|h_i - h_j|^2 - (|h_i| - |h_j|)^2) / (|h_i| |h_j|) for the unit vectors u, cos = 1 - that
     * / 2, angle = 2 asin(|u_i - u_j| / 2), accurate for near and far pairs alike.
     */
    void add(List<NDArray> rows, byte[] types) {
        int n = types.length;
        try (NDManager step = rows.getFirst().getManager().newSubManager()) {
            for (int c0 = 0; c0 < n; c0 += CHUNK) {
                int c1 = Math.min(n, c0 + CHUNK);
                String range = c0 + ":" + c1;
                double[] grams;
                double[] steps;
                try (NDManager chunk = step.newSubManager()) {
                    NDArray stacked = NDArrays.stack(LinearCka.slices(rows, range, chunk), 1);
                    grams = gram(stacked);
                    steps = layers < 2 ? new double[0] : gram(stacked.get(new NDIndex(":, 1:"))
                            .sub(stacked.get(new NDIndex(":, :-1"))));
                }
                fold(grams, steps, types, c0, c1);
            }
        }
    }

    /** Each token's Gram matrix of {@code stacked} [tokens, k, d]: [tokens][k][k] flattened, in float64. */
    private static double[] gram(NDArray stacked) {
        return stacked.matMul(stacked.transpose(0, 2, 1)).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * Adds tokens [c0, c1) from their Gram matrices of layers ([c1 - c0][layers][layers] flattened) and of steps
     * ([c1 - c0][layers - 1][layers - 1]).
     */
    private void fold(double[] grams, double[] steps, byte[] types, int c0, int c1) {
        int square = layers * layers;
        int k = layers - 1;
        double[][] prefix = new double[layers][layers];
        double[] norms = new double[layers];
        for (int t = c0; t < c1; t++) {
            int type = types[t];
            int base = (t - c0) * square;
            int stepBase = (t - c0) * k * k;
            count[type]++;
            // prefix[a][b]: sum of the steps' Gram entries [0, a) x [0, b)
            for (int a = 1; a < layers; a++) {
                for (int b = 1; b < layers; b++) {
                    prefix[a][b] = steps[stepBase + (a - 1) * k + (b - 1)] + prefix[a - 1][b] + prefix[a][b - 1]
                            - prefix[a - 1][b - 1];
                }
            }
            for (int i = 0; i < layers; i++) {
                double gii = grams[base + i * layers + i];
                norms[i] = Math.sqrt(Math.max(0, gii));
                if (gii == 0) {
                    zero[type][i]++;
                }
                for (int j = 0; j < i; j++) {
                    double distance = Math.max(0, prefix[i][i] - prefix[j][i] - prefix[i][j] + prefix[j][j]);
                    double cos = 0;
                    double arc = 0.5;
                    if (norms[i] > 0 && norms[j] > 0) {
                        double gap = norms[i] - norms[j];
                        double chord = Math.max(0, Math.min(4, (distance - gap * gap) / (norms[i] * norms[j])));
                        cos = 1 - chord / 2;
                        arc = 2 * Math.asin(Math.sqrt(chord) / 2) / Math.PI;
                    }
                    cosine[type][i][j] += cos;
                    angle[type][i][j] += arc;
                    squared[type][i][j] += distance;
                }
            }
        }
    }

    void merge(TokenwiseSums other) {
        for (int t = 0; t < types; t++) {
            count[t] += other.count[t];
            for (int i = 0; i < layers; i++) {
                zero[t][i] += other.zero[t][i];
                for (int j = 0; j < layers; j++) {
                    cosine[t][i][j] += other.cosine[t][i][j];
                    angle[t][i][j] += other.angle[t][i][j];
                    squared[t][i][j] += other.squared[t][i][j];
                }
            }
        }
    }

    /** Tokens seen of the given types. */
    long tokens(List<TokenType> of) {
        return of.stream().mapToLong(t -> count[t.ordinal()]).sum();
    }

    /** The metric over the tokens of the given types, with notes on zero vectors. */
    SimilarityMatrix result(Metric metric, List<TokenType> of, long width) {
        long n = tokens(of);
        double[][] out = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < i; j++) {
                double c = 0;
                double a = 0;
                double s = 0;
                for (TokenType t : of) {
                    c += cosine[t.ordinal()][i][j];
                    a += angle[t.ordinal()][i][j];
                    s += squared[t.ordinal()][i][j];
                }
                double v = switch (metric) {
                    case COSINE -> c / n;
                    case BI -> 1 - c / n;
                    case ANGULAR -> a / n;
                    case MSE -> s / ((double) n * width);
                    default -> throw new IllegalArgumentException(metric + " is not a token-wise metric");
                };
                out[i][j] = v;
                out[j][i] = v;
            }
            out[i][i] = metric == Metric.COSINE ? 1 : 0;
        }
        List<String> notes = new ArrayList<>();
        if (metric != Metric.MSE) {
            for (int l = 0; l < layers; l++) {
                long z = 0;
                for (TokenType t : of) {
                    z += zero[t.ordinal()][l];
                }
                if (z > 0) {
                    notes.add("layer " + l + " has " + z + " zero token vectors: their cosine counts as 0");
                }
            }
        }
        return new SimilarityMatrix(metric, out, notes);
    }

    /** The sums as arrays, for a statistics file: [types][layers][layers] flattened, and the counts. */
    void save(String prefix, Map<String, double[]> out) {
        out.put(prefix + "cosine", flat(cosine));
        out.put(prefix + "angle", flat(angle));
        out.put(prefix + "squared", flat(squared));
        double[] z = new double[types * layers];
        double[] c = new double[types];
        for (int t = 0; t < types; t++) {
            c[t] = count[t];
            for (int l = 0; l < layers; l++) {
                z[t * layers + l] = zero[t][l];
            }
        }
        out.put(prefix + "zero", z);
        out.put(prefix + "count", c);
    }

    void load(String prefix, Map<String, double[]> in) {
        TokenwiseSums other = new TokenwiseSums(layers);
        unflat(in.get(prefix + "cosine"), other.cosine);
        unflat(in.get(prefix + "angle"), other.angle);
        unflat(in.get(prefix + "squared"), other.squared);
        double[] z = in.get(prefix + "zero");
        double[] c = in.get(prefix + "count");
        for (int t = 0; t < types; t++) {
            other.count[t] = Math.round(c[t]);
            for (int l = 0; l < layers; l++) {
                other.zero[t][l] = Math.round(z[t * layers + l]);
            }
        }
        merge(other);
    }

    private double[] flat(double[][][] sums) {
        double[] out = new double[types * layers * layers];
        int k = 0;
        for (double[][] byType : sums) {
            for (double[] row : byType) {
                for (double v : row) {
                    out[k++] = v;
                }
            }
        }
        return out;
    }

    private static void unflat(double[] values, double[][][] into) {
        int k = 0;
        for (double[][] byType : into) {
            for (double[] row : byType) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = values[k++];
                }
            }
        }
    }
}
