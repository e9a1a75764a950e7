package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.workbench.CalibrationRequest;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plateau calibrate on builder checkpoints, its bad inputs, and cancellation. */
class CalibrateCommandTest {
    @TempDir
    Path dir;

    private Path synth(String model) {
        Path ckpt = dir.resolve(model);
        assertEquals(0, plateau("synth", model, "--out", ckpt.toString()).code());
        return ckpt;
    }

    @Test
    void calibrationOfEveryDecoderTypeFeedsAnalyze() {
        for (String model : new String[] {"llama", "qwen2", "qwen3", "gemma", "mistral"}) {
            Path ckpt = synth(model);
            Path acts = dir.resolve(model + ".safetensors");
            Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "5",
                    "--seed", "3", "--out", run(acts), "--states", acts.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("5 samples"), r.out());
            Cli.Result analyzed = plateau("analyze", acts.toString(), "--out", dir.resolve(model + ".json").toString());
            assertEquals(0, analyzed.code(), analyzed.err());
            assertTrue(analyzed.out().startsWith("decoder: "), analyzed.out());
        }
    }

    @Test
    void askingForMoreSamplesThanTheDataHoldsSaysSoAndBadNumbersGetOneLine() {
        Path ckpt = synth("llama");
        // assets/demo-calibration lists 12 samples
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "16",
                "--out", run(dir.resolve("capped.safetensors")));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("the data holds 12 samples, fewer than the 16 asked for: all 12 drawn"), r.out());
        for (String bad : new String[] {"0", "-3", "many"}) {
            Cli.Result refused = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration",
                    "--samples", bad, "--out", run(dir.resolve("bad.safetensors")));
            assertEquals(Main.EXIT_BAD_INPUT, refused.code());
            assertEquals(1, refused.err().lines().count(), refused.err());
            assertTrue(refused.err().contains("--samples"), refused.err());
        }
    }

    /** SmolVLA settings whose forward Plateau does not run are refused in one line, not computed differently. */
    @Test
    void smolVlaSettingsPlateauDoesNotRunAreRefusedByName() throws Exception {
        Path ckpt = synth("smolvla");
        Path config = ckpt.resolve("config.json");
        String original = java.nio.file.Files.readString(config);
        for (String[] setting : new String[][] {{"add_image_special_tokens", "true"},
                {"attention_mode", "\"self_attn\""}, {"self_attn_every_n_layers", "0"}}) {
            com.fasterxml.jackson.databind.node.ObjectNode c = dev.plateau.checkpoint.Json.readObject(config);
            c.set(setting[0], dev.plateau.checkpoint.Json.MAPPER.readTree(setting[1]));
            dev.plateau.checkpoint.Json.write(config, c);
            Cli.Result refused = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration",
                    "--samples", "1", "--out", run(dir.resolve("refused.safetensors")));
            assertEquals(Main.EXIT_BAD_INPUT, refused.code(), refused.err());
            assertEquals(1, refused.err().lines().count(), refused.err());
            assertTrue(refused.err().contains(setting[0]), refused.err());
            java.nio.file.Files.writeString(config, original);
        }
    }

    @Test
    void theSameSeedDrawsTheSameSamples() throws Exception {
        Path ckpt = synth("llama");
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "4", "--out",
                run(a), "--states", a.toString());
        plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "4", "--out",
                run(b), "--states", b.toString());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
    }

    @Test
    void gr00tCalibrationRecordsAllFourModules() throws Exception {
        Path ckpt = synth("gr00t");
        Path acts = dir.resolve("gr00t.safetensors");
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "2",
                "--out", run(acts), "--states", acts.toString());
        assertEquals(0, r.code(), r.err());
        try (dev.plateau.analysis.ActivationFile file = dev.plateau.analysis.ActivationFile.open(acts)) {
            assertEquals(java.util.List.of("vision", "vlm", "vl_self_attention", "dit"),
                    java.util.List.copyOf(file.modules().keySet()));
            assertEquals(12, file.modules().get("vlm").layers().size());
            assertEquals(2 * 49, file.modules().get("dit").tokens(), "state, 32 future, 16 action tokens");
            byte[] vlm = file.tokenTypes("vlm").orElseThrow();
            assertEquals(2 * 2 * 16, java.util.stream.IntStream.range(0, vlm.length).filter(i -> vlm[i] == 0).count(),
                    "one image-context token per patch: 2 samples x 2 cameras x 16 patches");
        }
        Cli.Result analyzed = plateau("analyze", acts.toString(), "--out", dir.resolve("gr00t.json").toString());
        assertEquals(0, analyzed.code(), analyzed.err());
        assertTrue(analyzed.out().contains("dit: 16 layers, 98 tokens"), analyzed.out());
        Path tokenizerless = dir.resolve("no-eagle");
        assertEquals(0, plateau("synth", "gr00t", "--out", tokenizerless.toString()).code());
        Files.copy(Path.of(synth("llama").resolve("tokenizer.json").toString()), tokenizerless.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertBad(plateau("calibrate", tokenizerless.toString(), "--data", "assets/demo-calibration", "--out", out()),
                "the tokenizer has no <IMG_CONTEXT> token");
    }

    @Test
    void smolVlaCalibrationRecordsVisionVlmAndExpertWithTokenTypes() throws Exception {
        Path ckpt = synth("smolvla");
        Path acts = dir.resolve("smolvla.safetensors");
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "3",
                "--out", run(acts), "--states", acts.toString());
        assertEquals(0, r.code(), r.err());
        try (dev.plateau.analysis.ActivationFile file = dev.plateau.analysis.ActivationFile.open(acts)) {
            assertEquals(java.util.List.of("vision", "vlm", "expert"), java.util.List.copyOf(file.modules().keySet()));
            assertEquals(16, file.modules().get("vlm").layers().size());
            assertEquals(3 * 50, file.modules().get("expert").tokens(), "50 action tokens per sample");
            byte[] types = file.tokenTypes("vlm").orElseThrow();
            // each sample: 2 cameras x 4 image tokens, its instruction's tokens, 1 state token
            assertEquals(0, types[0]);
            assertEquals(2, types[types.length - 1]);
            assertEquals(3, java.util.stream.IntStream.range(0, types.length).filter(i -> types[i] == 2).count());
            assertEquals("smolvla", file.metadata().get("family"));
        }
        Cli.Result analyzed = plateau("analyze", acts.toString(), "--out", dir.resolve("a.json").toString());
        assertEquals(0, analyzed.code(), analyzed.err());
        assertTrue(analyzed.out().contains("expert: 16 layers, 150 tokens"), analyzed.out());
    }

    @Test
    void pi0CalibrationRecordsTheStateInTheExpertStream() throws Exception {
        Path ckpt = synth("pi0");
        Path acts = dir.resolve("pi0.safetensors");
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "2",
                "--out", run(acts), "--states", acts.toString());
        assertEquals(0, r.code(), r.err());
        try (dev.plateau.analysis.ActivationFile file = dev.plateau.analysis.ActivationFile.open(acts)) {
            assertEquals(18, file.modules().get("vlm").layers().size());
            assertEquals(2 * 51, file.modules().get("expert").tokens(), "state and 50 actions per sample");
            byte[] expert = file.tokenTypes("expert").orElseThrow();
            assertEquals(2, expert[0]);
            assertEquals(3, expert[1]);
            assertEquals(2, expert[51]);
            byte[] vlm = file.tokenTypes("vlm").orElseThrow();
            assertEquals(2 * 2 * 16, java.util.stream.IntStream.range(0, vlm.length).filter(i -> vlm[i] == 0).count(),
                    "2 samples x 2 cameras x 16 patches (56 x 56 images, patch 14)");
        }
        Cli.Result analyzed = plateau("analyze", acts.toString(), "--out", dir.resolve("pi0.json").toString());
        assertEquals(0, analyzed.code(), analyzed.err());
        assertTrue(analyzed.out().contains("expert: 18 layers, 102 tokens"), analyzed.out());
    }

    @Test
    void pi05CalibrationPutsTheStateInThePromptAndOnlyActionsInTheExpert() throws Exception {
        Path ckpt = synth("pi05");
        Path acts = dir.resolve("pi05.safetensors");
        Cli.Result r = plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "2",
                "--out", run(acts), "--states", acts.toString());
        assertEquals(0, r.code(), r.err());
        try (dev.plateau.analysis.ActivationFile file = dev.plateau.analysis.ActivationFile.open(acts)) {
            assertEquals(18, file.modules().get("expert").layers().size());
            assertEquals(2 * 50, file.modules().get("expert").tokens(), "50 action tokens per sample, no state");
            byte[] expert = file.tokenTypes("expert").orElseThrow();
            assertTrue(java.util.stream.IntStream.range(0, expert.length).allMatch(i -> expert[i] == 3));
            byte[] vlm = file.tokenTypes("vlm").orElseThrow();
            long language = java.util.stream.IntStream.range(0, vlm.length).filter(i -> vlm[i] == 1).count();
            assertTrue(language > 2 * 12, "the prompt holds 'Task: ..., State: <bins>;' for each sample: " + language);
            assertEquals("pi05", file.metadata().get("family"));
        }
    }

    @Test
    void aFixedTimeIsRecordedAndChangesOnlyTheActionSide() throws Exception {
        Path ckpt = synth("smolvla");
        Path early = dir.resolve("early.safetensors");
        Path late = dir.resolve("late.safetensors");
        assertEquals(0, plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "2",
                "--time", "0.1", "--out", run(early), "--states", early.toString()).code());
        assertEquals(0, plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--samples", "2",
                "--time", "0.9", "--out", run(late), "--states", late.toString()).code());
        try (var a = dev.plateau.analysis.ActivationFile.open(early);
             var b = dev.plateau.analysis.ActivationFile.open(late);
             var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertTrue(a.metadata().get("timestep_sampling").startsWith("t = 0.1 for every sample"));
            assertTrue(java.util.Arrays.equals(a.layer("vlm", 5, m).toFloatArray(), b.layer("vlm", 5, m).toFloatArray()),
                    "the VLM never sees the actions");
            assertTrue(!java.util.Arrays.equals(a.layer("expert", 5, m).toFloatArray(),
                    b.layer("expert", 5, m).toFloatArray()), "the expert does");
        }
        assertBad(plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--time", "1.5",
                "--out", out()), "--time must be between 0 and 1");
    }

    @Test
    void smolVlaRefusesUnusableSamples() throws Exception {
        Path ckpt = synth("smolvla");
        Path data = Files.createDirectory(dir.resolve("vla-data"));
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open the drawer\"}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "line 1: SmolVLA needs at least one camera image");
        Files.writeString(data.resolve("broken.png"), "not a png");
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open\", \"images\": {\"top\": "
                + "\"broken.png\"}}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "broken.png: not an image Plateau can decode");
        Files.copy(Path.of("assets/demo-calibration/images/scene-00-top.png"), data.resolve("ok.png"));
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open\", \"images\": {\"top\": "
                + "\"ok.png\"}, \"state\": [" + "0.1, ".repeat(40) + "0.1]}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "state has 41 values, more than max_state_dim = 32");
    }

    @Test
    void badCalibrationInputGetsOneClearLine() throws Exception {
        Path ckpt = synth("llama");
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open the drawer\"}\n{\"state\": [1]}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "manifest.jsonl line 2: no instruction");
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open\", \"images\": {\"top\": "
                + "\"missing.png\"}}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "image top (" + data.resolve("missing.png") + ") does not exist");
        Files.writeString(data.resolve("manifest.jsonl"), "{\"instruction\": \"open\", \"state\": [\"x\"]}\n");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", data.toString(), "--out", out()),
                "line 1: state entry 0 is not a number");
        Files.delete(ckpt.resolve("tokenizer.json"));
        assertBad(plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--out", out()),
                "no tokenizer.json for");
        assertBad(plateau("calibrate", ckpt.toString(), "--data", "assets/demo-calibration", "--device", "tpu",
                "--out", out()), "");
    }

    @Test
    void aCancelledCalibrationWritesNothing() throws Exception {
        Path ckpt = synth("qwen3");
        Path out = dir.resolve("cancelled.json");
        AtomicInteger layers = new AtomicInteger();
        PlateauException e = assertThrows(PlateauException.class, () -> new Workbench(dir).calibrate(
                new CalibrationRequest(ckpt, Path.of("assets/demo-calibration"), 8, 0, OptionalDouble.empty(), "cpu"), out,
                java.util.Optional.empty(), () -> layers.get() >= 5,
                (module, layer, depth) -> layers.incrementAndGet()));
        assertEquals("calibration cancelled; nothing was written", e.getMessage());
        assertEquals(5, layers.get());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("cancelled")));
        }
    }

    private String out() {
        return dir.resolve("out.json").toString();
    }

    /** The run's analysis beside an activation file. */
    private static String run(Path acts) {
        return acts.resolveSibling(acts.getFileName() + ".json").toString();
    }

    private void assertBad(Cli.Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(Files.exists(dir.resolve("out.json")));
        assertFalse(Files.exists(dir.resolve("out.sample.safetensors")));
        assertFalse(Files.exists(dir.resolve("out.statistics.safetensors")));
    }
}
