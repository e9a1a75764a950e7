package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The fixtures parity/make_fixtures.py and parity/make_rope_fixtures.py made with the original transformers code
 * (src/test/resources/parity/NAME: config.json, model.safetensors, inputs.json, hidden_states.safetensors), and how far
 * Plateau's decoder is from them.
 */
final class TransformersFixtures {
    static final Path FOLDER = Path.of("src/test/resources/parity");

    private TransformersFixtures() {
    }

    /**
     * The largest |ours - transformers| over every compared layer of fixture {@code fixture}, relative to that layer's
     * largest |value|, with the fixture's config.json edited by {@code editConfig} first (to inject a mistake).
     */
    static double decoderError(String fixture, UnaryOperator<ObjectNode> editConfig) throws Exception {
        Path folder = FOLDER.resolve(fixture);
        JsonNode inputs = new ObjectMapper().readTree(folder.resolve("inputs.json").toFile());
        List<int[]> tokens = new ArrayList<>();
        inputs.get("tokens").forEach(seq -> {
            int[] ids = new int[seq.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = seq.get(i).asInt();
            }
            tokens.add(ids);
        });
        Map<Integer, float[]> ours = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager m = NDManager.newBaseManager()) {
            int depth = c.config().get("num_hidden_layers").asInt();
            DecoderConfig config = DecoderConfig.ofHuggingFace(editConfig.apply(c.config().deepCopy()));
            new DecoderStack(c, config, "decoder", "layers.", depth, "embed_tokens.weight").run(tokens, Set.of(),
                    (module, layer, states) -> ours.put(layer, states.toFloatArray()), m, () -> false,
                    DecoderStack.Progress.NONE);
        }
        double worst = 0;
        try (SafetensorsFile reference = SafetensorsFile.open(folder.resolve("hidden_states.safetensors"))) {
            // hidden.0 is the embedding (our layer -1), hidden.(l + 1) layer l's output; the last one is after the
            // final norm and is not compared
            for (int layer = -1; layer < ours.size() - 2; layer++) {
                float[] want = reference.floats(reference.tensor("hidden." + (layer + 1)).orElseThrow());
                float[] got = ours.get(layer);
                assertEquals(want.length, got.length, fixture + " layer " + layer);
                double scale = 0;
                double error = 0;
                for (int i = 0; i < got.length; i++) {
                    scale = Math.max(scale, Math.abs(want[i]));
                    error = Math.max(error, Math.abs(want[i] - got[i]));
                }
                worst = Math.max(worst, error / scale);
            }
        }
        return worst;
    }
}
