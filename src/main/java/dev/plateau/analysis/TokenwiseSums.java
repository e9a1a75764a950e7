package dev.plateau.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
     * Adds a batch: {@code rows.get(l)} is layer l's [n, d] states, {@code oneHot} the [n, types] float64 indicator of
     * each token's type.
     */
    void add(List<NDArray> rows, NDArray oneHot) {
        try (NDManager step = oneHot.getManager().newSubManager()) {
            List<NDArray> norms = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                NDArray norm = Scoped.apply(rows.get(l), step, x -> x.toType(DataType.FLOAT64, false)
                        .norm(new int[] {1}));
                norms.add(norm);
                addTo(zero, l, perType(Scoped.apply(norm, step, v -> v.eq(0).toType(DataType.FLOAT64, false)),
                        oneHot));
            }
            double[] n = Scoped.doubles(oneHot, h -> h.sum(new int[] {0}));
            for (int t = 0; t < types; t++) {
                count[t] += Math.round(n[t]);
            }
            for (int i = 0; i < layers; i++) {
                for (int j = 0; j < i; j++) {
                    NDArray yj = rows.get(j);
                    NDArray normJ = norms.get(j);
                    NDArray normIj = Scoped.apply(norms.get(i), step, a -> a.mul(normJ));
                    NDArray cos = Scoped.apply(rows.get(i), step, x -> {
                        NDArray dot = x.mul(yj).toType(DataType.FLOAT64, false).sum(new int[] {1});
                        return dot.div(normIj.maximum(Double.MIN_NORMAL)).clip(-1, 1);
                    });
                    add(cosine, i, j, perType(cos, oneHot));
                    add(angle, i, j, perType(Scoped.apply(cos, step, c -> c.acos().div(Math.PI)), oneHot));
                    NDArray sq = Scoped.apply(rows.get(i), step, x -> {
                        NDArray d = x.sub(yj);
                        return d.mul(d).toType(DataType.FLOAT64, false).sum(new int[] {1});
                    });
                    add(squared, i, j, perType(sq, oneHot));
                    cos.close();
                    sq.close();
                    normIj.close();
                }
            }
        }
    }

    /** Sums per type of a [n] float64 vector. */
    private static double[] perType(NDArray values, NDArray oneHot) {
        return Scoped.doubles(values, v -> v.reshape(1, -1).matMul(oneHot).reshape(-1));
    }

    private void add(double[][][] sums, int i, int j, double[] byType) {
        for (int t = 0; t < types; t++) {
            sums[t][i][j] += byType[t];
        }
    }

    private static void addTo(long[][] counts, int layer, double[] byType) {
        for (int t = 0; t < byType.length; t++) {
            counts[t][layer] += Math.round(byType[t]);
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
