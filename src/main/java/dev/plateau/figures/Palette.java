package dev.plateau.figures;

import java.awt.Color;
import org.jfree.chart.renderer.LookupPaintScale;

/** Colours of the charts: a perceptually uniform heat scale (viridis) and one colour per token type. */
public final class Palette {
    /** Viridis at 9 stops, dark (low) to bright (high). */
    private static final int[] VIRIDIS = {0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962,
            0xADDC30, 0xFDE725};
    public static final Color BLOCK = new Color(255, 255, 255, 230);
    public static final Color REMOVED = new Color(0xE4, 0x1A, 0x1C);
    public static final Color SELECTED = new Color(0xFF, 0x7F, 0x00);
    public static final Color PROFILE = new Color(0x37, 0x7E, 0xB8);
    public static final Color TAU = new Color(0x4D, 0xAF, 0x4A);
    /** Token types 0 image, 1 language, 2 state, 3 action, 4 future. */
    public static final Color[] TOKEN_TYPES = {new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E),
            new Color(0x2C, 0xA0, 0x2C), new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD)};
    public static final String[] TOKEN_TYPE_NAMES = {"image", "language", "state", "action", "future"};

    private Palette() {
    }

    /** Viridis over [low, high] in 64 steps. */
    public static LookupPaintScale heat(double low, double high) {
        double top = high > low ? high : low + 1;
        LookupPaintScale scale = new LookupPaintScale(low, top, new Color(VIRIDIS[0]));
        int steps = 64;
        for (int i = 0; i < steps; i++) {
            double t = (double) i / (steps - 1);
            scale.add(low + t * (top - low), viridis(t));
        }
        return scale;
    }

    public static Color viridis(double t) {
        double x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) Math.floor(x));
        double f = x - i;
        Color a = new Color(VIRIDIS[i]);
        Color b = new Color(VIRIDIS[i + 1]);
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }
}
