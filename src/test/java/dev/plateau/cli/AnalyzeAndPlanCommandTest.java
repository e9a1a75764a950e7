package dev.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.analysis.ActivationFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze then plan then plan --check, as a researcher runs them, and what each says about bad input. */
class AnalyzeAndPlanCommandTest {
    @TempDir
    Path dir;

    /**
     * 16 layers whose states sit on plateaus: within a plateau each layer is the previous one plus a little noise,
     * a new plateau starts from fresh random states. Plateaus start at the given layers.
     */
    static List<float[][]> plateaus(int tokens, int width, long seed, int... starts) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[][]> layers = new ArrayList<>();
        float[][] current = null;
        for (int l = 0; l < 16; l++) {
            final int layer = l;
            boolean fresh = current == null || java.util.Arrays.stream(starts).anyMatch(s -> s == layer);
            float[][] next = new float[tokens][width];
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < width; c++) {
                    double noise = random.nextDouble(-1, 1);
                    next[t][c] = (float) (fresh ? noise : current[t][c] + 0.15 * noise);
                }
            }
            layers.add(next);
            current = next;
        }
        return layers;
    }

    private Path smolVlaActivations() throws IOException {
        Path acts = dir.resolve("acts.safetensors");
        ActivationFile.write(acts, Map.of("family", "smolvla", "samples", "8"), List.of(
                new ActivationFile.ModuleStates("vlm", plateaus(96, 24, 1, 4, 9), null, null),
                new ActivationFile.ModuleStates("expert", plateaus(64, 16, 2, 4, 9), null, null)));
        return acts;
    }

    @Test
    void analyzePlanAndCheckAgainstACheckpoint() throws Exception {
        Path acts = smolVlaActivations();
        Path analysis = dir.resolve("analysis.json");
        Cli.Result analyzed = plateau("analyze", acts.toString(), "--metric", "cka,cosine", "--out", analysis.toString());
        assertEquals(0, analyzed.code(), analyzed.err());
        assertTrue(analyzed.out().contains("vlm: 16 layers, 96 tokens, width 24"), analyzed.out());
        JsonNode a = new ObjectMapper().readTree(analysis.toFile());
        JsonNode cka = a.get("modules").get("vlm").get("metrics").get("cka");
        assertTrue(cka.get("adjacent").get(0).isNull());
        assertTrue(cka.get("adjacent").get(4).asDouble() < 0.2, "a new plateau starts at layer 4");
        assertTrue(cka.get("adjacent").get(5).asDouble() > 0.8, "layer 5 continues it");

        Path plan = dir.resolve("plan.json");
        Cli.Result planned = plateau("plan", analysis.toString(), "--k", "vlm=5", "--out", plan.toString());
        assertEquals(0, planned.code(), planned.err());
        JsonNode p = new ObjectMapper().readTree(plan.toFile());
        assertEquals("smolvla", p.get("family").asText());
        List<Integer> vlm = ints(p.get("modules").get("vlm").get("remove"));
        List<Integer> expert = ints(p.get("modules").get("expert").get("remove"));
        assertEquals(5, vlm.size());
        assertEquals(5, expert.size(), "the expert's depth is tied to the VLM's: it inherits k");
        assertFalse(vlm.contains(4) || vlm.contains(9), "plateau starts are anchors, never removed: " + vlm);

        Path checkpoint = dir.resolve("smolvla");
        assertEquals(0, plateau("synth", "smolvla", "--out", checkpoint.toString()).code());
        Cli.Result checked = plateau("plan", "--check", plan.toString(), checkpoint.toString());
        assertEquals(0, checked.code(), checked.err());
        assertTrue(checked.out().contains("is a valid plan"), checked.out());
    }

    @Test
    void aTopKThatBreaksParityIsRepairedAndExplained() throws Exception {
        Path acts = smolVlaActivations();
        Path analysis = dir.resolve("analysis.json");
        assertEquals(0, plateau("analyze", acts.toString(), "--out", analysis.toString()).code());
        Path plan = dir.resolve("plan.json");
        Cli.Result planned = plateau("plan", analysis.toString(), "--k", "vlm=3", "--untie", "--out",
                plan.toString());
        assertEquals(0, planned.code(), planned.err());
        JsonNode p = new ObjectMapper().readTree(plan.toFile());
        for (String module : List.of("vlm", "expert")) {
            List<Integer> removed = ints(p.get("modules").get(module).get("remove"));
            List<Integer> kept = ints(p.get("modules").get(module).get("kept"));
            for (int position = 0; position < kept.size(); position++) {
                assertEquals(kept.get(position) % 2 == 0, position % 2 == 0, module + " keeps parity: " + removed);
            }
        }
        // the expert's TopK here is [8, 12, 14]: layer 9 would move to position 8
        String note = p.get("modules").get("expert").get("notes").get(0).asText();
        assertTrue(note.startsWith("removing [8, 12, 14] breaks the layer parity of expert"), note);
        assertTrue(note.contains("Removing [12, 13, 15] instead is the best valid choice of 3"), note);

        Path tied = dir.resolve("tied.json");
        assertEquals(0, plateau("plan", analysis.toString(), "--k", "vlm=3", "--out", tied.toString()).code());
        JsonNode t = new ObjectMapper().readTree(tied.toFile());
        assertEquals(ints(t.get("modules").get("vlm").get("remove")), ints(t.get("modules").get("expert")
                .get("remove")), "tied by default: the expert removes the VLM's layers");
    }

    @Test
    void thePapersPlansAreValidForTheirFamilies() {
        for (String[] pair : new String[][] {{"smolvla", "smolvla"}, {"pi0", "pi0"}, {"gr00t", "gr00t"}}) {
            Path checkpoint = dir.resolve(pair[0]);
            assertEquals(0, plateau("synth", pair[0], "--out", checkpoint.toString()).code());
            Cli.Result r = plateau("plan", "--check", "sample-configs/" + pair[1] + "-table5.plan.json",
                    checkpoint.toString());
            assertEquals(0, r.code(), pair[0] + ": " + r.err());
        }
    }

    @Test
    void aPlanBreakingDitParityIsRefusedWithTheNearestValidChoice() throws IOException {
        Path checkpoint = dir.resolve("gr00t");
        assertEquals(0, plateau("synth", "gr00t", "--out", checkpoint.toString()).code());
        Path plan = dir.resolve("bad.json");
        Files.writeString(plan, "{\"family\": \"gr00t_n1_5\", \"modules\": {\"dit\": {\"remove\": [1, 3]}}}");
        Cli.Result r = plateau("plan", "--check", plan.toString(), checkpoint.toString());
        assertAll(
                () -> assertEquals(2, r.code()),
                () -> assertEquals(1, r.err().lines().count(), r.err()),
                () -> assertTrue(r.err().contains("dit layer 2 (cross-attention to the VL features) would move to "
                        + "position 1, which is self-attention"), r.err()),
                () -> assertTrue(r.err().contains("the nearest valid choice of 2 is [1, 2]"), r.err()));
        Files.writeString(plan, "{\"family\": \"pi0\", \"modules\": {\"vlm\": {\"remove\": [1]}}}");
        Cli.Result family = plateau("plan", "--check", plan.toString(), checkpoint.toString());
        assertTrue(family.err().contains("the plan is for pi0 but the checkpoint is gr00t_n1_5"), family.err());
        Files.writeString(plan, "{\"family\": \"gr00t_n1_5\",\n \"modules\": {\"dit\": {\"remove\": [1, 2,]}}}");
        Cli.Result broken = plateau("plan", "--check", plan.toString(), checkpoint.toString());
        assertEquals(1, broken.err().lines().count(), broken.err());
        assertTrue(broken.err().contains("bad.json: is not valid JSON (line 2, column 38)"), broken.err());
        assertFalse(broken.err().contains("Source:") || broken.err().contains("StreamReadFeature"),
                "no parser internals: " + broken.err());
    }

    @Test
    void badActivationFilesGetOneClearLine() throws IOException {
        Path uneven = dir.resolve("uneven.safetensors");
        ActivationFile.write(uneven, Map.of(), List.of(new ActivationFile.ModuleStates("vlm",
                List.of(new float[8][4], new float[6][4]), null, null)));
        assertBadInput(uneven, "tensor 'vlm.layer1' has 6 tokens but 'vlm.layer0' has 8");

        Path nan = dir.resolve("nan.safetensors");
        float[][] states = plateaus(8, 4, 3).getFirst();
        states[2][1] = Float.NaN;
        ActivationFile.write(nan, Map.of(), List.of(new ActivationFile.ModuleStates("vlm",
                List.of(plateaus(8, 4, 3).get(1), states), null, null)));
        assertBadInput(nan, "tensor 'vlm.layer1' holds 1 NaN or infinite values");

        Path empty = dir.resolve("empty.safetensors");
        ActivationFile.write(empty, Map.of(), List.of());
        assertBadInput(empty, "holds no activations");

        Path stray = dir.resolve("stray.safetensors");
        Files.write(stray, safetensorsWithOneTensor("weights.0"));
        assertBadInput(stray, "tensor 'weights.0' is not named <module>.layer<i>");
    }

    @Test
    void aSingleLayerAndAConstantLayerHaveDefinedResults() throws Exception {
        Path acts = dir.resolve("odd.safetensors");
        float[][] constant = new float[10][3];
        for (float[] row : constant) {
            java.util.Arrays.fill(row, 1.5f);
        }
        ActivationFile.write(acts, Map.of(), List.of(
                new ActivationFile.ModuleStates("single", List.<float[][]>of(plateaus(10, 3, 4).getFirst()), null, null),
                new ActivationFile.ModuleStates("flat", List.of(plateaus(10, 3, 5).getFirst(), constant), null,
                        null)));
        Path analysis = dir.resolve("a.json");
        Cli.Result r = plateau("analyze", acts.toString(), "--metric", "all", "--out", analysis.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode a = new ObjectMapper().readTree(analysis.toFile());
        assertEquals("[[1.0]]", a.get("modules").get("single").get("metrics").get("cka").get("matrix").toString());
        JsonNode flat = a.get("modules").get("flat").get("metrics").get("cka");
        assertEquals(0.0, flat.get("adjacent").get(1).asDouble());
        assertTrue(flat.get("notes").get(0).asText().startsWith("layer 1 has zero variance"));
        assertTrue(r.out().contains("note: layer 1 has zero variance"), r.out());
        Cli.Result plan = plateau("plan", analysis.toString(), "--k", "single=1", "--out", dir.resolve("p.json").toString());
        assertEquals(2, plan.code());
        assertTrue(plan.err().contains("single: k = 1 is outside 0..0"), plan.err());
    }

    private void assertBadInput(Path acts, String expected) {
        Cli.Result r = plateau("analyze", acts.toString(), "--out", dir.resolve("out.json").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(acts.getFileName().toString()) && r.err().contains(expected), r.err());
        assertFalse(Files.exists(dir.resolve("out.json")), "nothing written");
    }

    private static byte[] safetensorsWithOneTensor(String name) {
        byte[] header = ("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                .getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
                .put(header).array();
    }

    private static List<Integer> ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asInt).toList();
    }
}
