package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.model.RopeScaling;

/**
 * A decoder's rotary embedding under its config's scaling, as transformers 4.51 computes it
 * ({@code modeling_rope_utils}, then {@code LlamaRotaryEmbedding.forward}): the inverse frequencies in float32, the
 * angle position x inv_freq in float32, and cos and sin multiplied by the scaling's attention factor (YaRN's; 1
 * otherwise). Where torch combines a float32 tensor with a Python number, the number is rounded to float32 first, as
 * torch's CPU kernels do, so the tables agree to the last bit or two.
 */
final class Rotary {
    private Rotary() {
    }

    /** [cos; sin] tables [2, positions, headDim] for a sequence of {@code positions} tokens. */
    static NDArray tables(NDManager manager, int positions, int headDim, double theta, RopeScaling scaling) {
        float[] inv = inverseFrequencies(headDim, theta, scaling, positions);
        float attention = (float) attentionFactor(scaling);
        NDArray tables = Blocks.rotaryTables(manager, positions, headDim, (p, k) -> (float) p * inv[k]);
        return attention == 1f ? tables : tables.mul(attention);
    }

    /** The factor cos and sin are multiplied by. */
    static double attentionFactor(RopeScaling scaling) {
        return scaling instanceof RopeScaling.Yarn y ? y.attentionFactor() : 1.0;
    }

    /** inv_freq_k for k < headDim / 2, for a sequence of {@code positions} tokens (dynamic NTK depends on it). */
    static float[] inverseFrequencies(int headDim, double theta, RopeScaling scaling, int positions) {
        return switch (scaling) {
            case RopeScaling.None n -> plain(headDim, theta);
            case RopeScaling.Linear l -> divided(plain(headDim, theta), (float) l.factor());
            case RopeScaling.Dynamic d -> {
                int length = Math.max(positions, d.maxPositions());
                double base = theta * Math.pow(d.factor() * length / d.maxPositions() - (d.factor() - 1),
                        (double) headDim / (headDim - 2));
                yield plain(headDim, (float) base);
            }
            case RopeScaling.Llama3 l -> llama3(plain(headDim, theta), l);
            case RopeScaling.Yarn y -> yarn(headDim, theta, y);
        };
    }

    /** 1 / theta^(2k / d), the exponent in float32. */
    private static float[] plain(int headDim, double theta) {
        float[] inv = new float[headDim / 2];
        for (int k = 0; k < inv.length; k++) {
            inv[k] = (float) (1.0 / Math.pow(theta, (float) (2 * k) / headDim));
        }
        return inv;
    }

    private static float[] divided(float[] inv, float factor) {
        for (int k = 0; k < inv.length; k++) {
            inv[k] /= factor;
        }
        return inv;
    }

    /**
     * Wavelengths 2 pi / inv_freq longer than original / low_freq_factor are divided by the factor, shorter than
     * original / high_freq_factor kept, and the band between blended with s = (original / wavelength - low) / (high -
     * low): (1 - s) inv / factor + s inv.
     */
    private static float[] llama3(float[] inv, RopeScaling.Llama3 l) {
        float factor = (float) l.factor();
        float lowWavelength = (float) (l.originalMaxPositions() / l.lowFreqFactor());
        float highWavelength = (float) (l.originalMaxPositions() / l.highFreqFactor());
        float[] out = new float[inv.length];
        for (int k = 0; k < inv.length; k++) {
            float wavelength = (float) (2 * Math.PI) / inv[k];
            float scaled = wavelength > lowWavelength ? inv[k] / factor : inv[k];
            if (!(wavelength < highWavelength) && !(wavelength > lowWavelength)) {
                float smooth = ((float) l.originalMaxPositions() / wavelength - (float) l.lowFreqFactor())
                        / (float) (l.highFreqFactor() - l.lowFreqFactor());
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            out[k] = scaled;
        }
        return out;
    }

    /**
     * Interpolated (inv / factor) and extrapolated (inv) frequencies blended by a ramp over the dimensions between
     * floor(c(beta_fast)) and ceil(c(beta_slow)), c(r) = d ln(original / (2 pi r)) / (2 ln theta).
     */
    private static float[] yarn(int headDim, double theta, RopeScaling.Yarn y) {
        int low = Math.max((int) Math.floor(correctionDim(y.betaFast(), headDim, theta, y.originalMaxPositions())), 0);
        int high = Math.min((int) Math.ceil(correctionDim(y.betaSlow(), headDim, theta, y.originalMaxPositions())),
                headDim - 1);
        float span = (float) (low == high ? 0.001 : high - low);
        float factor = (float) y.factor();
        float[] out = new float[headDim / 2];
        for (int k = 0; k < out.length; k++) {
            float position = (float) Math.pow(theta, (float) (2 * k) / headDim);
            float extrapolated = 1f / position;
            float interpolated = 1f / (factor * position);
            float ramp = Math.min(1f, Math.max(0f, ((float) k - low) / span));
            float extrapolation = 1f - ramp;
            out[k] = interpolated * (1f - extrapolation) + extrapolated * extrapolation;
        }
        return out;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }
}
