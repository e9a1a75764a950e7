package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.SyntheticModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our decoder forward against an independent numpy implementation of the transformers math
 * (src/test/resources/decoder_reference.py), on tiny random Llama, Mistral, Qwen2, Qwen3 and Gemma checkpoints with
 * samples of different lengths (so padding and masking are exercised): max abs error 1e-4 in float32.
 */
class DecoderReferenceTest {
    static final List<int[]> SEQUENCES = List.of(new int[] {1, 17, 42, 5, 300, 7, 7, 9}, new int[] {1, 250},
            new int[] {1, 3, 511, 64, 128});

    @TempDir
    Path dir;

    /** Runs the stack and collects every layer's states: layer -1 is the embedding output. */
    static Map<Integer, float[]> run(Path folder, Set<Integer> skip) {
        Map<Integer, float[]> out = new TreeMap<>();
        try (Checkpoint c = Checkpoint.open(folder); NDManager manager = NDManager.newBaseManager()) {
            DecoderConfig config = DecoderConfig.ofHuggingFace(c.config());
            int depth = c.config().get("num_hidden_layers").asInt();
            new DecoderStack(c, config, "decoder", "model.layers.", depth, "model.embed_tokens.weight")
                    .run(SEQUENCES, skip, (module, layer, states) -> out.put(layer, states.toFloatArray()), manager,
                            () -> false, DecoderStack.Progress.NONE);
        }
        return out;
    }

    @Test
    void everyDecoderFamilyMatchesTheNumpyReference() throws Exception {
        Path sequences = dir.resolve("sequences.json");
        Files.writeString(sequences, new ObjectMapper().writeValueAsString(SEQUENCES));
        for (String model : List.of("llama", "mistral", "qwen2", "qwen3", "gemma")) {
            Path folder = CheckpointBuilder.write(SyntheticModels.named(model, false).orElseThrow(),
                    dir.resolve(model), CheckpointBuilder.Fill.RANDOM, 11, 0, false);
            Process p = new ProcessBuilder("python3", "src/test/resources/decoder_reference.py", folder.toString(),
                    sequences.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), model);
            JsonNode ref = new ObjectMapper().readTree(json);
            Map<Integer, float[]> ours = run(folder, Set.of());
            assertEquals(ref.get("layers").size() + 1, ours.size(), model);
            double worst = 0;
            for (int layer = -1; layer < ref.get("layers").size(); layer++) {
                JsonNode rows = layer < 0 ? ref.get("input") : ref.get("layers").get(layer);
                List<Float> flat = new ArrayList<>();
                rows.forEach(row -> row.forEach(v -> flat.add(v.floatValue())));
                float[] mine = ours.get(layer);
                assertEquals(flat.size(), mine.length, model + " layer " + layer);
                for (int i = 0; i < mine.length; i++) {
                    worst = Math.max(worst, Math.abs(mine[i] - flat.get(i)));
                }
            }
            assertTrue(worst <= 1e-4, model + ": max abs error " + worst);
        }
    }
}
