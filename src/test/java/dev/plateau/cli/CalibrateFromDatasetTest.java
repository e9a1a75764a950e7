package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.analysis.ActivationFile;
import dev.plateau.calibration.TestDatasets;
import dev.plateau.calibration.TestVideos;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plateau calibrate on LeRobot datasets (v2.1, v3.0, GR00T's layout) with the matching builder checkpoints. */
class CalibrateFromDatasetTest {
    private static final int[] LENGTHS = {8, 6, 10};
    private static final List<String> TWO_CAMERAS = List.of("observation.images.top", "observation.images.wrist");

    @TempDir
    Path dir;

    private Path synth(String model) {
        Path ckpt = dir.resolve(model);
        assertEquals(0, plateau("synth", model, "--out", ckpt.toString()).code());
        return ckpt;
    }

    private Map<String, String> calibrate(Path ckpt, Path data, int samples, Path acts, String... more) {
        List<String> args = new ArrayList<>(List.of("calibrate", ckpt.toString(), "--data", data.toString(),
                "--samples", Integer.toString(samples), "--seed", "7", "--out", run(acts).toString(), "--states",
                acts.toString()));
        args.addAll(List.of(more));
        Cli.Result r = plateau(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + run(acts) + ": " + samples + " samples"), r.out());
        try (ActivationFile file = ActivationFile.open(acts)) {
            return file.metadata();
        }
    }

    /** The run's analysis beside an activation file. */
    private static Path run(Path acts) {
        return acts.resolveSibling(acts.getFileName() + ".json");
    }

    private static long imageTokens(Path acts, String module) {
        try (ActivationFile file = ActivationFile.open(acts)) {
            byte[] types = file.tokenTypes(module).orElseThrow();
            return IntStream.range(0, types.length).filter(i -> types[i] == 0).count();
        }
    }

    @Test
    void smolVlaFromAV3Dataset() {
        Path data = TestDatasets.v30(dir.resolve("v30"), TWO_CAMERAS, LENGTHS, TestVideos.Codec.AV1);
        Path acts = dir.resolve("smolvla.safetensors");
        Path ckpt = synth("smolvla");
        Map<String, String> meta = calibrate(ckpt, data, 4, acts);
        assertTrue(meta.get("data_format").startsWith("LeRobot v3.0 dataset: 3 episodes, 24 frames"),
                meta.get("data_format"));
        assertEquals(String.join(",", TWO_CAMERAS), meta.get("cameras"));
        assertEquals("state and actions MEAN_STD with the dataset's statistics", meta.get("normalisation"));
        assertEquals(4, meta.get("drawn").split("; ").length);
        assertTrue(meta.get("drawn").matches("(episode \\d frame \\d+(; )?)+"), meta.get("drawn"));
        assertEquals(4 * 2 * 4, imageTokens(acts, "vlm"), "4 samples x 2 cameras x 4 image tokens");

        Path oneCamera = dir.resolve("one-camera.safetensors");
        calibrate(ckpt, data, 4, oneCamera, "--cameras", "observation.images.wrist");
        assertEquals(4 * 4, imageTokens(oneCamera, "vlm"), "--cameras chooses which cameras feed the model");
        Cli.Result analyzed = plateau("analyze", acts.toString(), "--out", dir.resolve("a.json").toString());
        assertEquals(0, analyzed.code(), analyzed.err());
    }

    @Test
    void pi0FromAV21Dataset() {
        Path data = TestDatasets.v21(dir.resolve("v21"), TWO_CAMERAS, LENGTHS, TestVideos.Codec.H264);
        Path acts = dir.resolve("pi0.safetensors");
        Map<String, String> meta = calibrate(synth("pi0"), data, 3, acts);
        assertTrue(meta.get("data_format").startsWith("LeRobot v2.1 dataset"), meta.get("data_format"));
        assertEquals(3 * 2 * 16, imageTokens(acts, "vlm"), "3 samples x 2 cameras x 16 patches");
    }

    @Test
    void gr00tFromItsModalityLayout() {
        Path data = TestDatasets.gr00t(dir.resolve("gr00t-data"), "observation.images.ego_view", LENGTHS,
                TestVideos.Codec.AV1);
        Path acts = dir.resolve("gr00t.safetensors");
        Map<String, String> meta = calibrate(synth("gr00t"), data, 3, acts);
        assertTrue(meta.get("data_format").contains("GR00T modality.json"), meta.get("data_format"));
        assertEquals("state and actions min_max to [-1, 1] with the dataset's statistics", meta.get("normalisation"));
        try (ActivationFile file = ActivationFile.open(acts)) {
            assertEquals(List.of("vision", "vlm", "vl_self_attention", "dit"), List.copyOf(file.modules().keySet()));
        }
    }

    @Test
    void aCameraTheDatasetLacksIsOneLine() {
        Path data = TestDatasets.v21(dir.resolve("cams"), TWO_CAMERAS, new int[] {4}, TestVideos.Codec.H264);
        Cli.Result r = plateau("calibrate", synth("smolvla").toString(), "--data", data.toString(), "--cameras",
                "observation.images.side", "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, r.code());
        assertEquals("plateau: " + data.toAbsolutePath() + ": has no camera observation.images.side; its cameras are "
                + "observation.images.top, observation.images.wrist", r.err().strip());
    }
}
