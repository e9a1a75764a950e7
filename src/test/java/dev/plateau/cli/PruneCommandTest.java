package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plateau prune and plateau verify as a user runs them. */
class PruneCommandTest {
    @TempDir
    Path dir;

    @Test
    void pruneWritesAVerifiedExportAndVerifyAgrees() {
        Path ckpt = dir.resolve("smolvla");
        assertEquals(0, plateau("synth", "smolvla", "--out", ckpt.toString()).code());
        Path out = dir.resolve("smolvla-clp");
        Cli.Result pruned = plateau("prune", ckpt.toString(), "--plan", "sample-configs/smolvla-table5.plan.json",
                "--out", out.toString());
        assertEquals(0, pruned.code(), pruned.err());
        assertTrue(pruned.out().contains("config num_vlm_layers: 16 -> 10"), pruned.out());
        assertTrue(pruned.out().contains("verified "), pruned.out());
        Cli.Result verified = plateau("verify", out.toString());
        assertEquals(0, verified.code(), verified.err());
        assertTrue(verified.out().contains("all as the loading code expects"), verified.out());

        Cli.Result again = plateau("prune", ckpt.toString(), "--plan", "sample-configs/smolvla-table5.plan.json",
                "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(0, plateau("prune", ckpt.toString(), "--plan", "sample-configs/smolvla-table5.plan.json",
                "--out", out.toString(), "--force").code());
    }

    @Test
    void aPlanBreakingParityIsRefusedWithTheNearestValidPlan() throws Exception {
        Path ckpt = dir.resolve("smolvla");
        assertEquals(0, plateau("synth", "smolvla", "--out", ckpt.toString()).code());
        Path plan = Files.writeString(dir.resolve("odd.json"), "{\"family\": \"smolvla\", \"modules\": {"
                + "\"vlm\": {\"remove\": [1, 3]}, \"expert\": {\"remove\": [1, 3]}}}");
        Cli.Result r = plateau("prune", ckpt.toString(), "--plan", plan.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("vlm layer 2 (joint attention with the expert) would move to position 1"),
                r.err());
        // {1, 2} and {2, 3} both keep parity and keep one of the plan's layers; the earlier is proposed
        assertTrue(r.err().contains("the nearest valid choice of 2 is [1, 2]"), r.err());
        assertTrue(r.err().contains("expert layer 2 (joint attention (k/v read the expert stream)) would move to "
                + "position 1"), r.err());
        assertTrue(!Files.exists(dir.resolve("x")));
    }

    @Test
    void verifyReportsAMissingLayerOfAHandEditedCheckpoint() throws Exception {
        Path ckpt = dir.resolve("llama");
        assertEquals(0, plateau("synth", "llama", "--out", ckpt.toString()).code());
        String config = Files.readString(ckpt.resolve("config.json")).replace("\"num_hidden_layers\" : 16",
                "\"num_hidden_layers\" : 17");
        Files.writeString(ckpt.resolve("config.json"), config);
        Cli.Result r = plateau("verify", ckpt.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("num_hidden_layers = 17 but the weights hold 16 decoder layers"), r.err());
    }
}
