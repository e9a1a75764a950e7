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
        return rgb(image);
    }

    /** A decoded picture as [3][height][width] floats in [0, 1]. */
    static float[][][] rgb(BufferedImage image) {
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

    /**
     * GR00T's evaluation video pipeline for one frame: centre crop to 95 % (sizes floored, offsets rounded half to
     * even as Python rounds), resize to size x size with antialiased bilinear interpolation (torchvision, antialias
     * true), back to 8 bits by truncation, then Eagle's normalisation (v - 127.5) / 127.5.
     */
    public static float[][][] gr00tFrame(float[][][] image, int size) {
        int h = image[0].length;
        int w = image[0][0].length;
        int ch = (int) Math.floor(0.95 * h);
        int cw = (int) Math.floor(0.95 * w);
        int top = (int) Math.rint((h - ch) / 2.0);
        int left = (int) Math.rint((w - cw) / 2.0);
        float[][][] out = new float[3][size][size];
        for (int c = 0; c < 3; c++) {
            float[][] cropped = new float[ch][];
            for (int y = 0; y < ch; y++) {
                cropped[y] = Arrays.copyOfRange(image[c][top + y], left, left + cw);
            }
            float[][] resized = antialiased(cropped, size, size);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int v = (int) (resized[y][x] * 255f);
                    out[c][y][x] = (Math.min(255, Math.max(0, v)) - 127.5f) / 127.5f;
                }
            }
        }
        return out;
    }

    /**
     * Antialiased bilinear resize of one channel as PyTorch computes it (antialias true): output i of a dimension
     * scaled by s = in / out averages the inputs within s (at least 1) of its centre s (i + 0.5), weighted by a
     * triangle of that half-width, the weights normalised.
     */
    static float[][] antialiased(float[][] channel, int height, int width) {
        float[][] rows = new float[channel.length][];
        for (int y = 0; y < channel.length; y++) {
            rows[y] = resample(channel[y], width);
        }
        float[][] out = new float[height][width];
        float[] column = new float[channel.length];
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < channel.length; y++) {
                column[y] = rows[y][x];
            }
            float[] resized = resample(column, height);
            for (int y = 0; y < height; y++) {
                out[y][x] = resized[y];
            }
        }
        return out;
    }

    private static float[] resample(float[] in, int size) {
        double scale = (double) in.length / size;
        double support = scale >= 1 ? scale : 1;
        double inverse = scale >= 1 ? 1 / scale : 1;
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            double centre = scale * (i + 0.5);
            int from = Math.max((int) (centre - support + 0.5), 0);
            int to = Math.min((int) (centre + support + 0.5), in.length);
            double total = 0;
            double sum = 0;
            for (int j = from; j < to; j++) {
                double weight = Math.max(0, 1 - Math.abs((j - centre + 0.5) * inverse));
                total += weight;
                sum += weight * in[j];
            }
            out[i] = (float) (total > 0 ? sum / total : 0);
        }
        return out;
    }

    /** PyTorch's source coordinate for align_corners false: (dst + 0.5) * in / out - 0.5, not below 0. */
    private static double source(int dst, int in, int out) {
        return Math.max(0, (dst + 0.5) * in / out - 0.5);
    }
}
