package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Our decoder layers against hidden states that transformers itself computed (fixtures made by
 * parity/make_fixtures.py where torch and transformers exist): max abs error 1e-4 in float32. Skipped while the
 * fixtures are absent; hidden_states[i + 1] of transformers is the output of layer i (the last one is after the final
 * norm and is not compared).
 */
class ParityFixturesTest {
    private static final Path FIXTURES = Path.of("src/test/resources/parity");

    @Test
    void decoderLayersMatchTransformers() throws Exception {
        assumeTrue(Files.isDirectory(FIXTURES.resolve("llama")), "no parity fixtures: run parity/make_fixtures.py");
        for (String name : List.of("llama", "qwen2", "qwen3", "gemma")) {
            Path folder = FIXTURES.resolve(name);
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
                new DecoderStack(c, DecoderConfig.ofHuggingFace(c.config()), "decoder", "layers.", depth,
                        "embed_tokens.weight").run(tokens, Set.of(), (mod, layer, s) -> ours.put(layer,
                        s.toFloatArray()), m, () -> false, DecoderStack.Progress.NONE);
            }
            try (SafetensorsFile reference = SafetensorsFile.open(folder.resolve("hidden_states.safetensors"))) {
                int compared = 0;
                for (int layer = -1; layer < ours.size() - 2; layer++) {
                    float[] want = reference.floats(reference.tensor("hidden." + (layer + 1)).orElseThrow());
                    float[] got = ours.get(layer);
                    assertEquals(want.length, got.length, name + " layer " + layer);
                    double worst = 0;
                    for (int i = 0; i < got.length; i++) {
                        worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    }
                    assertTrue(worst <= 1e-4, name + " layer " + layer + ": max abs error " + worst);
                    compared++;
                }
                assertTrue(compared > 1, name);
            }
        }
    }
}
