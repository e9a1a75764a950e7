package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plateau sweep}: every valid k of each module, its costs checked against parameters counted from the file. */
class SweepCommandTest {
    @TempDir
    Path dir;

    /** Layer prefixes of the synthetic SmolVLA, as LeRobot names its tensors. */
    private static final Map<String, String> PREFIXES = Map.of(
            "vision", "model.vlm_with_expert.vlm.model.vision_model.encoder.layers.",
            "vlm", "model.vlm_with_expert.vlm.model.text_model.layers.",
            "expert", "model.vlm_with_expert.lm_expert.layers.");

    @Test
    void everyBudgetRemovesExactlyTheParametersOfItsLayers() throws Exception {
        Cli.Calibrated calibrated = Cli.calibratedSmolVla(dir, 3);
        Path ckpt = calibrated.checkpoint();
        Path run = calibrated.run();
        Path csv = dir.resolve("sweep.csv");
        Cli.Result r = plateau("sweep", run.toString(), "--checkpoint", ckpt.toString(), "--out", csv.toString());
        assertEquals(0, r.code(), r.err());

        // parameters per layer counted from the safetensors headers, independently of Plateau's model description
        Map<String, Map<Integer, Long>> perLayer = new HashMap<>();
        long total = 0;
        try (Checkpoint c = Checkpoint.open(ckpt)) {
            for (Map.Entry<String, Checkpoint.Entry> t : c.tensors().entrySet()) {
                long n = t.getValue().info().elementCount();
                total += n;
                PREFIXES.forEach((module, prefix) -> {
                    Matcher m = Pattern.compile(Pattern.quote(prefix) + "(\\d+)\\.").matcher(t.getKey());
                    if (m.lookingAt()) {
                        perLayer.computeIfAbsent(module, x -> new HashMap<>())
                                .merge(Integer.parseInt(m.group(1)), n, Long::sum);
                    }
                });
            }
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("module,k,removed,params,trainable_params,gflops,latency_fraction,removed_adjacent_cka,"
                + "cka_change_removed", lines.getFirst());
        List<String> modules = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int k = Integer.parseInt(f[1]);
            long removedParams = 0;
            Matcher sets = Pattern.compile("(\\w+)\\[([\\d ]*)]").matcher(f[2]);
            while (sets.find()) {
                List<Integer> layers = sets.group(2).isBlank() ? List.of()
                        : Arrays.stream(sets.group(2).split(" ")).map(Integer::parseInt).toList();
                assertEquals(k, layers.size(), line);
                for (int layer : layers) {
                    removedParams += perLayer.get(sets.group(1)).get(layer);
                }
            }
            assertEquals(total - removedParams, Long.parseLong(f[3]), line);
            if (k == 0) {
                assertEquals(1.0, Double.parseDouble(f[6]), 1e-9, "k = 0 costs what the base model costs");
            }
            if (!modules.contains(f[0])) {
                modules.add(f[0]);
            }
        }
        assertEquals(List.of("vision", "vlm"), modules, "the expert, tied to the VLM, is swept with it");
        assertEquals(12 + 16, lines.size() - 1, "vision: k 0..11, vlm (with the expert): k 0..15");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("vlm,3,vlm[") && l.contains(" expert[")),
                "removing k VLM layers removes k expert layers too");
    }
}
