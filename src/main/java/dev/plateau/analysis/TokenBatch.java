package dev.plateau.analysis;

/**
 * The tokens of one batch of calibration samples in one module, in the order the module's states list them: the
 * type code of each, and its identity {@code (sample << 24) | position} (the sample's index in the whole draw, the
 * token's position among that sample's tokens in the module), which fixes its place in the seeded token sample.
 */
public record TokenBatch(byte[] types, long[] ids) {

    public TokenBatch {
        if (types.length != ids.length) {
            throw new IllegalArgumentException(types.length + " token types for " + ids.length + " tokens");
        }
    }

    /** The identity of position {@code position} of sample {@code sample}. */
    public static long id(long sample, int position) {
        return (sample << 24) | position;
    }

    /** {@code rows} tokens of one type, split evenly over {@code samples} samples from {@code firstSample} on. */
    public static TokenBatch uniform(TokenType type, long firstSample, int samples, int rows) {
        if (samples < 1 || rows % samples != 0) {
            throw new IllegalArgumentException(rows + " tokens do not split over " + samples + " samples");
        }
        int each = rows / samples;
        byte[] types = new byte[rows];
        long[] ids = new long[rows];
        java.util.Arrays.fill(types, type.code());
        for (int r = 0; r < rows; r++) {
            ids[r] = id(firstSample + r / each, r % each);
        }
        return new TokenBatch(types, ids);
    }
}
