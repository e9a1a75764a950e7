package dev.plateau.calibration;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** One camera's picture of a calibration sample, decoded when the forward pass needs it. */
public interface CameraImage {
    /** The picture as [3][height][width] RGB floats in [0, 1]. */
    float[][][] rgb();

    /** An image file (PNG, JPEG, BMP, GIF), read on use. */
    static CameraImage file(Path file) {
        return () -> Images.read(file);
    }

    /** A decoded picture. */
    static CameraImage of(BufferedImage image) {
        return () -> Images.rgb(image);
    }

    /** Decoded 8-bit RGB pixels, row-major and interleaved ({@code height * width * 3} bytes). */
    static CameraImage pixels(byte[] rgb, int width, int height) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(rgb.length + " bytes for a " + width + "x" + height + " RGB image");
        }
        return () -> {
            float[][][] out = new float[3][height][width];
            for (int y = 0, i = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < 3; c++) {
                        out[c][y][x] = (rgb[i++] & 0xff) / 255f;
                    }
                }
            }
            return out;
        };
    }
}
