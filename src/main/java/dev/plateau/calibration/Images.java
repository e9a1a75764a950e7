package dev.plateau.calibration;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Camera images as the VLA preprocessors see them: RGB in [0, 1], channel-first, resized and padded. */
public final class Images {
    private Images() {
    }

    /** An image file as [3][height][width] floats in [0, 1]; unreadable files are a clear error. */
    public static float[][][] read(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new CalibrationException(file + ": cannot be read as an image: " + e.getMessage());
        }
        if (image == null) {
            throw new CalibrationException(file + ": not an image Plateau can decode (PNG, JPEG, BMP, GIF)");
        }
        int h = image.getHeight();
        int w = image.getWidth();
        float[][][] out = new float[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                out[0][y][x] = ((rgb >> 16) & 0xff) / 255f;
                out[1][y][x] = ((rgb >> 8) & 0xff) / 255f;
                out[2][y][x] = (rgb & 0xff) / 255f;
            }
        }
        return out;
    }

    /**
     * LeRobot's resize-with-pad: scale by 1 / max(W / width, H / height) (sizes truncated), bilinear with
     * align_corners false and no antialiasing, then pad with {@code padValue} on the left and top only. An image of
     * the target size is returned unchanged.
     */
    public static float[][][] resizeWithPad(float[][][] image, int width, int height, float padValue) {
        return resize(image, width, height, padValue, false);
    }

    /**
     * pi0's resize-with-pad: the same resize, values clamped to [0, 1], the padding centred (the odd pixel at the
     * bottom and right).
     */
    public static float[][][] resizeWithCentredPad(float[][][] image, int width, int height, float padValue) {
        return resize(image, width, height, padValue, true);
    }

    private static float[][][] resize(float[][][] image, int width, int height, float padValue, boolean centred) {
        int h = image[0].length;
        int w = image[0][0].length;
        if (h == height && w == width) {
            return image;
        }
        double ratio = Math.max((double) w / width, (double) h / height);
        int rh = (int) (h / ratio);
        int rw = (int) (w / ratio);
        float[][][] out = new float[3][height][width];
        int padTop = centred ? Math.max(0, height - rh) / 2 : Math.max(0, height - rh);
        int padLeft = centred ? Math.max(0, width - rw) / 2 : Math.max(0, width - rw);
        for (int c = 0; c < 3; c++) {
            for (float[] row : out[c]) {
                Arrays.fill(row, padValue);
            }
            for (int y = 0; y < rh; y++) {
                double sy = source(y, h, rh);
                int y0 = (int) Math.floor(sy);
                int y1 = Math.min(y0 + 1, h - 1);
                double wy = sy - y0;
                for (int x = 0; x < rw; x++) {
                    double sx = source(x, w, rw);
                    int x0 = (int) Math.floor(sx);
                    int x1 = Math.min(x0 + 1, w - 1);
                    double wx = sx - x0;
                    double top = image[c][y0][x0] * (1 - wx) + image[c][y0][x1] * wx;
                    double bottom = image[c][y1][x0] * (1 - wx) + image[c][y1][x1] * wx;
                    float value = (float) (top * (1 - wy) + bottom * wy);
                    out[c][padTop + y][padLeft + x] = centred ? Math.min(1f, Math.max(0f, value)) : value;
                }
            }
        }
        return out;
    }

    /** PyTorch's source coordinate for align_corners false: (dst + 0.5) * in / out - 0.5, not below 0. */
    private static double source(int dst, int in, int out) {
        return Math.max(0, (dst + 0.5) * in / out - 0.5);
    }
}
