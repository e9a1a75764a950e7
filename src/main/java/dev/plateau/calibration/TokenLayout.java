package dev.plateau.calibration;

import dev.plateau.analysis.TokenBatch;
import dev.plateau.analysis.TokenType;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The tokens a batch of samples gives one module, built sample by sample in the order the forward pass lists them:
 * each token's type and identity (the sample's index in the draw, the token's position in that sample).
 */
final class TokenLayout {
    private final long firstSample;
    private byte[] types = new byte[64];
    private long[] ids = new long[64];
    private int size;
    private long samples;

    /** @param firstSample the batch's first sample's index in the whole draw */
    TokenLayout(long firstSample) {
        this.firstSample = firstSample;
    }

    /** Starts the next sample's tokens. */
    Sample sample() {
        return new Sample(firstSample + samples++);
    }

    /** The tokens as a description of a module's rows, checked against the row count the module gave. */
    IntFunction<TokenBatch> described() {
        TokenBatch batch = new TokenBatch(Arrays.copyOf(types, size), Arrays.copyOf(ids, size));
        return rows -> {
            if (rows != batch.types().length) {
                throw new IllegalStateException("the forward pass gave " + rows + " tokens where the samples have "
                        + batch.types().length);
            }
            return batch;
        };
    }

    /** One sample's tokens. */
    final class Sample {
        private final long index;
        private int position;

        private Sample(long index) {
            this.index = index;
        }

        void add(TokenType type, int count) {
            while (size + count > types.length) {
                types = Arrays.copyOf(types, types.length * 2);
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            for (int i = 0; i < count; i++) {
                types[size] = type.code();
                ids[size++] = TokenBatch.id(index, position++);
            }
        }
    }
}
