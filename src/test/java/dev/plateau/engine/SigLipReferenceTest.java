package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.calibration.Images;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.SyntheticModels;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image preprocessing, the SigLIP encoder and SmolVLM's pixel shuffle against an independent numpy implementation
 * (src/test/resources/siglip_reference.py; the shuffle in its closed form), on the vision tower of a tiny SmolVLA
 * checkpoint and two images that need resizing and padding: max abs error 1e-4.
 */
class SigLipReferenceTest {
    private static final String PREFIX = "model.vlm_with_expert.vlm.model.vision_model.";

    @TempDir
    Path dir;

    @Test
    void visionTowerMatchesTheNumpyReference() throws Exception {
        Path ckpt = CheckpointBuilder.write(SyntheticModels.named("smolvla", false).orElseThrow(), dir.resolve("m"),
                CheckpointBuilder.Fill.RANDOM, 2, 0, false);
        SplittableRandom random = new SplittableRandom(8);
        int[][] sizes = {{100, 60}, {70, 90}};
        List<Path> files = new ArrayList<>();
        StringBuilder json = new StringBuilder("{\"images\": [");
        for (int i = 0; i < sizes.length; i++) {
            BufferedImage image = new BufferedImage(sizes[i][0], sizes[i][1], BufferedImage.TYPE_INT_RGB);
            json.append(i == 0 ? "[" : ", [");
            for (int y = 0; y < sizes[i][1]; y++) {
                json.append(y == 0 ? "[" : ", [");
                for (int x = 0; x < sizes[i][0]; x++) {
                    int r = random.nextInt(256);
                    int g = (x * 255) / sizes[i][0];
                    int b = (y * 255) / sizes[i][1];
                    image.setRGB(x, y, (r << 16) | (g << 8) | b);
                    json.append(x == 0 ? "" : ", ").append("[").append(r).append(", ").append(g).append(", ")
                            .append(b).append("]");
                }
                json.append("]");
            }
            json.append("]");
            Path file = dir.resolve("image" + i + ".png");
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        Path pixelsJson = Files.writeString(dir.resolve("pixels.json"), json.append("]}").toString());

        Process p = new ProcessBuilder("python3", "src/test/resources/siglip_reference.py", ckpt.toString(), PREFIX, "2",
                pixelsJson.toString(), "128", "4").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        JsonNode ref = new ObjectMapper().readTree(new String(p.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor());

        List<float[]> layers = new ArrayList<>();
        try (Checkpoint c = Checkpoint.open(ckpt); NDManager m = NDManager.newBaseManager()) {
            float[] pixels = new float[files.size() * 3 * 128 * 128];
            for (int i = 0; i < files.size(); i++) {
                float[][][] image = Images.resizeWithPad(Images.read(files.get(i)), 128, 128, 0f);
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < 128; y++) {
                        for (int x = 0; x < 128; x++) {
                            pixels[((i * 3 + ch) * 128 + y) * 128 + x] = image[ch][y][x] * 2 - 1;
                        }
                    }
                }
            }
            NDArray post = new SigLipEncoder(c, PREFIX, 2, SigLipEncoder.EPS, 12).run(
                    m.create(pixels, new Shape(files.size(), 3, 128, 128)),
                    (module, layer, states) -> {
                        if (layer >= 0) {
                            layers.add(states.toFloatArray());
                        }
                    }, m);
            assertEquals(12, layers.size());
            for (int l = 0; l < 12; l++) {
                VlaReference.assertClose(ref.get("layers").get(l), layers.get(l), "layer " + l, 1e-4);
            }
            VlaReference.assertClose(ref.get("post"), post.toFloatArray(), "post-LayerNorm", 1e-4);
            VlaReference.assertClose(ref.get("shuffled"), SigLipEncoder.pixelShuffle(post, 4).toFloatArray(),
                    "pixel shuffle", 1e-4);
        }
    }
}
