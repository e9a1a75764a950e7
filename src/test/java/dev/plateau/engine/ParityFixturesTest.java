package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Our decoder layers against hidden states that transformers itself computed (fixtures made by
 * parity/make_fixtures.py with the original code, realistic weights, two prompts of 160 tokens): every layer within
 * 1e-5 of its largest magnitude, in float32; and the SigLIP vision tower the same way (two 56 x 56 images).
 */
class ParityFixturesTest {

    @Test
    void decoderLayersMatchTransformers() throws Exception {
        for (String name : List.of("llama", "qwen2", "qwen3", "gemma")) {
            double error = TransformersFixtures.decoderError(name, c -> c);
            assertTrue(error <= 1e-5, name + ": largest error " + error + " of the layer's magnitude");
        }
    }

    @Test
    void siglipLayersMatchTransformers() throws Exception {
        Path folder = TransformersFixtures.FOLDER.resolve("siglip");
        JsonNode pixels = new ObjectMapper().readTree(folder.resolve("inputs.json").toFile()).get("pixels");
        int images = pixels.size();
        int side = pixels.get(0).get(0).size();
        float[] values = new float[images * 3 * side * side];
        int at = 0;
        for (JsonNode image : pixels) {
            for (JsonNode channel : image) {
                for (JsonNode row : channel) {
                    for (JsonNode v : row) {
                        values[at++] = (float) v.asDouble();
                    }
                }
            }
        }
        Map<Integer, float[]> ours = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            JsonNode config = c.config();
            new SigLipEncoder(c, "vision_model.", config.get("num_attention_heads").asInt(),
                    config.get("layer_norm_eps").asDouble(), config.get("num_hidden_layers").asInt())
                    .run(m.create(values, new Shape(images, 3, side, side)), (module, layer, states) -> ours.put(layer,
                            states.toFloatArray()), m);
        }
        try (SafetensorsFile reference = SafetensorsFile.open(folder.resolve("hidden_states.safetensors"))) {
            // hidden.0 is the embedding (our layer -1), hidden.(l + 1) layer l's output, all before post_layernorm
            for (int layer = -1; layer < ours.size() - 1; layer++) {
                float[] want = reference.floats(reference.tensor("hidden." + (layer + 1)).orElseThrow());
                float[] got = ours.get(layer);
                assertEquals(want.length, got.length, "siglip layer " + layer);
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < got.length; i++) {
                    worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                assertTrue(worst <= 1e-5 * scale, "siglip layer " + layer + ": max abs error " + worst + " of "
                        + scale);
            }
        }
    }
}
