package dev.plateau.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Two layers of a module, {@code later >= earlier}, as the statistics of their similarity are kept.
 *
 * @param later   the later layer's index
 * @param earlier the earlier layer's index (equal to {@code later} for a layer with itself)
 */
record LayerPair(int later, int earlier) {

    LayerPair {
        if (earlier < 0 || later < earlier) {
            throw new IllegalArgumentException("layer pair (" + later + ", " + earlier + ")");
        }
    }

    /** Every layer with itself and with its predecessor: what the adjacent profile and its normalisation need. */
    static List<LayerPair> profile(int layers) {
        List<LayerPair> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            if (i > 0) {
                out.add(new LayerPair(i, i - 1));
            }
            out.add(new LayerPair(i, i));
        }
        return out;
    }

    /** The pairs at least two layers apart: what the heatmap needs beyond the profile. */
    static List<LayerPair> distant(int layers) {
        List<LayerPair> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < i - 1; j++) {
                out.add(new LayerPair(i, j));
            }
        }
        return out;
    }

    /** The tensor name suffix in a statistics file, e.g. {@code 3_2}. */
    String key() {
        return later + "_" + earlier;
    }
}
