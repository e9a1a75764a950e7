package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plateau synth} then {@code plateau inspect}, as a user runs them. */
class InspectCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonListsModulesParamsDtypesAndShards() throws Exception {
        Path ckpt = dir.resolve("gr00t");
        assertEquals(0, plateau("synth", "gr00t", "--out", ckpt.toString(), "--shard-mb", "1").code());
        Cli.Result r = plateau("inspect", ckpt.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("gr00t_n1_5", json.get("family").asText());
        assertTrue(json.get("sharded").asBoolean());
        assertTrue(json.get("weightFiles").size() > 1);
        List<String> modules = json.get("modules").findValuesAsText("name");
        assertEquals(List.of("vision", "vlm", "vl_self_attention", "dit"), modules);
        JsonNode dit = json.get("modules").get(3);
        assertEquals(16, dit.get("layers").asInt());
        long sum = 0;
        for (JsonNode p : dit.get("paramsPerLayer")) {
            sum += p.asLong();
        }
        assertEquals(dit.get("params").asLong(), sum);
        assertEquals("action_head_cfg.diffusion_model_cfg.num_layers", dit.get("depthKeys").get(0).asText());
        long byDtype = json.get("paramsByDtype").get("BF16").asLong() + json.get("paramsByDtype").get("F32").asLong();
        assertEquals(json.get("totalParams").asLong(), byDtype);
        assertTrue(json.get("rules").get(0).asText().startsWith("dit:"));
    }

    @Test
    void textNamesFamilyModulesAndRules() {
        Path ckpt = dir.resolve("pi0");
        assertEquals(0, plateau("synth", "pi0-openpi", "--out", ckpt.toString()).code());
        Cli.Result r = plateau("inspect", ckpt.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("pi0 checkpoint"), r.out());
        assertTrue(r.out().contains("openpi naming"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  vlm +18 +64 .*"), r.out());
        assertTrue(r.out().contains("hard-codes the depth"), r.out());
        assertTrue(r.out().contains("vlm and expert must keep the same number of layers"), r.out());
    }

    @Test
    void synthRefusesToOverwriteWithoutForce() {
        Path ckpt = dir.resolve("llama");
        assertEquals(0, plateau("synth", "llama", "--out", ckpt.toString()).code());
        Cli.Result again = plateau("synth", "llama", "--out", ckpt.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists") && again.err().contains("--force"), again.err());
        assertEquals(0, plateau("synth", "qwen3", "--out", ckpt.toString(), "--force").code());
        assertTrue(plateau("inspect", ckpt.toString()).out().contains("qwen3"));
    }

    @Test
    void unknownSynthModelAndUnknownOptionsAreBadInput() {
        Cli.Result unknown = plateau("synth", "bert", "--out", dir.resolve("x").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("choose one of smolvla"), unknown.err());
        assertEquals(2, plateau("inspect").code());
        assertEquals(2, plateau("inspect", dir.toString(), "--no-such-option").code());
    }
}
