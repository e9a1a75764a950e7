package dev.plateau.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LeRobot v2.1, v3.0 and GR00T datasets written by DuckDB and FFmpeg, read back frame by frame. */
class LeRobotDatasetTest {
    private static final Pattern WHERE = Pattern.compile("episode (\\d+) frame (\\d+)");
    private static final int[] LENGTHS = {12, 9, 15};

    @TempDir
    Path dir;

    @Test
    void v21SamplesCarryTheirFramesStateActionsAndTask() {
        Path data = TestDatasets.v21(dir.resolve("v21"), List.of("observation.images.top",
                "observation.images.wrist"), LENGTHS, TestVideos.Codec.AV1);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        assertEquals(List.of("observation.images.top", "observation.images.wrist"), dataset.cameras());
        assertTrue(dataset.summary().startsWith("LeRobot v2.1 dataset: 3 episodes, 36 frames at 10 fps"),
                dataset.summary());
        checkSamples(dataset.draw(7, 5), false, dataset.cameras());
    }

    @Test
    void v30FramesAreFoundInTheConcatenatedVideoAtTheEpisodesOffset() {
        Path data = TestDatasets.v30(dir.resolve("v30"), List.of("observation.images.front"), LENGTHS,
                TestVideos.Codec.H264);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        checkSamples(dataset.draw(9, 11), true, dataset.cameras());
    }

    @Test
    void gr00tLayoutTakesModalitySlicesTheAnnotationTaskAndRowOrder() {
        Path data = TestDatasets.gr00t(dir.resolve("gr00t"), "observation.images.ego_view", LENGTHS,
                TestVideos.Codec.AV1);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        assertTrue(dataset.summary().contains("GR00T modality.json"), dataset.summary());
        checkSamples(dataset.draw(5, 2), false, dataset.cameras());
    }

    @Test
    void imageCamerasStoredInTheParquetFilesAreDecoded() {
        Path data = TestDatasets.v21Images(dir.resolve("images"), "observation.images.top", LENGTHS);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        assertEquals(List.of("observation.images.top"), dataset.cameras());
        checkSamples(dataset.draw(6, 3), false, dataset.cameras());
    }

    @Test
    void drawsSpreadOverEpisodesAndRepeatWithTheSeed() {
        Path data = TestDatasets.v21(dir.resolve("spread"), List.of("observation.images.top"), LENGTHS,
                TestVideos.Codec.H264);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        Set<String> episodes = new HashSet<>();
        for (CalibrationSample s : dataset.draw(3, 9)) {
            episodes.add(s.where().split(" frame")[0]);
        }
        assertEquals(3, episodes.size(), "three draws from three episodes take one frame of each");
        assertEquals(dataset.draw(6, 4).stream().map(CalibrationSample::where).toList(),
                dataset.draw(6, 4).stream().map(CalibrationSample::where).toList());
        assertEquals(36, dataset.draw(100, 1).stream().map(CalibrationSample::where).distinct().count(),
                "asking for more frames than there are gives each frame once");
    }

    @Test
    void statisticsAreTheMeanStdMinMaxOverEveryFrame() {
        Path data = TestDatasets.v21(dir.resolve("stats"), List.of("observation.images.top"), LENGTHS,
                TestVideos.Codec.H264);
        FeatureStats stats = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of()).stateStats().orElseThrow();
        // by hand: dimension 2 takes the values e*100 + f + 0.2 over every (e, f)
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        int n = 0;
        for (int e = 0; e < LENGTHS.length; e++) {
            for (int f = 0; f < LENGTHS[e]; f++) {
                double v = TestDatasets.state(e, f, 2);
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                n++;
            }
        }
        double mean = sum / n;
        double squares = 0;
        for (int e = 0; e < LENGTHS.length; e++) {
            for (int f = 0; f < LENGTHS[e]; f++) {
                squares += Math.pow(TestDatasets.state(e, f, 2) - mean, 2);
            }
        }
        assertEquals(mean, stats.mean()[2], 1e-4);
        assertEquals(Math.sqrt(squares / n), stats.std()[2], 1e-4);
        assertEquals(min, stats.min()[2], 1e-4);
        assertEquals(max, stats.max()[2], 1e-4);
        double[] x = new double[TestDatasets.DIMS];
        for (double[] expected : new double[][] {{min, -1}, {(min + max) / 2, 0}, {max, 1}, {max + 50, 1}}) {
            x[2] = expected[0];
            assertEquals(expected[1], stats.minMax(x)[2], 1e-9, "GR00T's min_max of " + expected[0]);
        }
    }

    @Test
    void theUsersCamerasComeInTheirOrderAndAnUnknownOneIsNamed() {
        Path data = TestDatasets.v21(dir.resolve("cams"), List.of("observation.images.top",
                "observation.images.wrist"), new int[] {5}, TestVideos.Codec.H264);
        DatasetInputs wristFirst = new DatasetInputs(List.of("observation.images.wrist", "observation.images.top"),
                "observation.state", "action");
        assertEquals(List.of("observation.images.wrist", "observation.images.top"),
                LeRobotDataset.open(data, wristFirst, List.of()).cameras());
        assertEquals(List.of("observation.images.wrist"), LeRobotDataset.open(data, DatasetInputs.DEFAULT,
                List.of("observation.images.wrist")).cameras(), "the checkpoint's cameras, when the data has them");
        assertEquals(List.of("observation.images.top", "observation.images.wrist"), LeRobotDataset.open(data,
                DatasetInputs.DEFAULT, List.of("observation.images.camera1")).cameras());
        CalibrationException e = assertThrows(CalibrationException.class, () -> LeRobotDataset.open(data,
                new DatasetInputs(List.of("observation.images.side"), "observation.state", "action"), List.of()));
        assertEquals(data + ": has no camera observation.images.side; its cameras are observation.images.top, "
                + "observation.images.wrist", e.getMessage());
    }

    @Test
    void aMissingVideoIsNamed() throws IOException {
        Path data = TestDatasets.v21(dir.resolve("novideo"), List.of("observation.images.top"), new int[] {5, 5},
                TestVideos.Codec.H264);
        Path video = data.resolve("videos/chunk-000/observation.images.top/episode_000001.mp4");
        Files.delete(video);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        CalibrationException e = assertThrows(CalibrationException.class, () -> dataset.draw(10, 0));
        assertEquals(video + ": the video does not exist", e.getMessage());
    }

    @Test
    void aTruncatedParquetFileIsNamed() throws IOException {
        Path data = TestDatasets.v21(dir.resolve("truncated"), List.of("observation.images.top"), new int[] {5, 5},
                TestVideos.Codec.H264);
        Path file = data.resolve("data/chunk-000/episode_000001.parquet");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        CalibrationException e = assertThrows(CalibrationException.class,
                () -> LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of()));
        assertTrue(e.getMessage().startsWith(file + ": not a readable parquet file"), e.getMessage());
    }

    @Test
    void aFeatureInInfoJsonThatTheDataLacksIsNamed() throws IOException {
        Path data = TestDatasets.v21(dir.resolve("absent"), List.of("observation.images.top"), new int[] {5},
                TestVideos.Codec.H264);
        Path info = data.resolve("meta/info.json");
        Files.writeString(info, Files.readString(info).replace("\"action\": {", "\"action.joints\": {"));
        DatasetInputs joints = new DatasetInputs(List.of(), "observation.state", "action.joints");
        CalibrationException e = assertThrows(CalibrationException.class,
                () -> LeRobotDataset.open(data, joints, List.of()));
        assertTrue(e.getMessage().startsWith(data.resolve("data/chunk-000/episode_000000.parquet")
                + ": has no column \"action.joints\""), e.getMessage());
        CalibrationException unlisted = assertThrows(CalibrationException.class,
                () -> LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of()));
        assertTrue(unlisted.getMessage().startsWith(info + ": lists no feature \"action\""), unlisted.getMessage());
    }

    @Test
    void aFramePastTheEndOfItsVideoIsNamed() {
        Path data = TestDatasets.v21(dir.resolve("short"), List.of("observation.images.top"), new int[] {8},
                TestVideos.Codec.H264);
        Path video = data.resolve("videos/chunk-000/observation.images.top/episode_000000.mp4");
        TestVideos.write(video, TestVideos.Codec.H264, 3, TestDatasets.FPS, 4);
        LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
        CalibrationException e = assertThrows(CalibrationException.class, () -> dataset.draw(8, 0));
        assertTrue(e.getMessage().startsWith(video + ": no frame at "), e.getMessage());
        assertTrue(e.getMessage().contains("the video ends at 0.300 s"), e.getMessage());
    }

    /** Every sample's frame, state, action chunk and task against the formulas the test data was written with. */
    private static void checkSamples(List<CalibrationSample> samples, boolean concatenated, List<String> cameras) {
        assertTrue(samples.size() > 1);
        for (CalibrationSample s : samples) {
            Matcher m = WHERE.matcher(s.where());
            assertTrue(m.matches(), s.where());
            int e = Integer.parseInt(m.group(1));
            int f = Integer.parseInt(m.group(2));
            assertEquals(TestDatasets.TASKS[e % 2], s.instruction());
            for (int i = 0; i < TestDatasets.DIMS; i++) {
                assertEquals(TestDatasets.state(e, f, i), s.state()[i], 1e-4, s.where());
            }
            assertEquals(LeRobotDataset.CHUNK, s.actions().length);
            for (int step = 0; step < LeRobotDataset.CHUNK; step++) {
                int frame = Math.min(f + step, LENGTHS[e] - 1);
                assertEquals(TestDatasets.action(e, frame, 1), s.actions()[step][1], 1e-4, s.where() + " step " + step);
            }
            int offset = concatenated ? Arrays.stream(LENGTHS, 0, e).sum() : 0;
            assertEquals(cameras, List.copyOf(s.images().keySet()));
            for (CameraImage image : s.images().values()) {
                assertEquals(offset + f, TestVideos.number(image.rgb()), s.where());
            }
        }
    }
}
