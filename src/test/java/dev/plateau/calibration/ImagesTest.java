package dev.plateau.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GR00T's frame pipeline against an independent numpy reference, downscaling and upscaling. */
class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void gr00tFramesMatchTheReference() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        for (int[] size : new int[][] {{100, 80, 56}, {40, 30, 56}}) {
            BufferedImage image = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            StringBuilder json = new StringBuilder("[");
            for (int y = 0; y < size[1]; y++) {
                json.append(y == 0 ? "[" : ", [");
                for (int x = 0; x < size[0]; x++) {
                    int red = r.nextInt(256);
                    int green = (x * 7 + y * 3) % 256;
                    int blue = (x * y) % 256;
                    image.setRGB(x, y, (red << 16) | (green << 8) | blue);
                    json.append(x == 0 ? "" : ", ").append("[").append(red).append(", ").append(green).append(", ")
                            .append(blue).append("]");
                }
                json.append("]");
            }
            Path file = dir.resolve("frame.png");
            ImageIO.write(image, "png", file.toFile());
            Path pixels = Files.writeString(dir.resolve("pixels.json"), json.append("]").toString());
            Process p = new ProcessBuilder("python3", "src/test/resources/gr00t_frame_reference.py", pixels.toString(),
                    Integer.toString(size[2])).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            JsonNode ref = new ObjectMapper().readTree(new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
            assertEquals(0, p.waitFor());
            float[][][] ours = Images.gr00tFrame(Images.read(file), size[2]);
            int differing = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size[2]; y++) {
                    for (int x = 0; x < size[2]; x++) {
                        double diff = Math.abs(ours[c][y][x] - ref.get(c).get(y).get(x).asDouble());
                        // 8-bit truncation can flip one level where float32 and float64 sums straddle an integer
                        assertTrue(diff <= 1 / 127.5 + 1e-6, "pixel " + c + "," + y + "," + x + " off by " + diff);
                        differing += diff > 1e-6 ? 1 : 0;
                    }
                }
            }
            assertTrue(differing <= 3 * size[2] * size[2] / 100, differing + " pixels differ by one level");
        }
    }
}
