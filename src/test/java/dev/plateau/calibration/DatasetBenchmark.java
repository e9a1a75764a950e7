package dev.plateau.calibration;

import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Benchmark (run by bench/read-dataset.sh, not by the tests): reading calibration samples from a LeRobot v3.0 dataset
 * of two 640 x 480 cameras (20 episodes of 90 frames), as LeRobot records them (SVT-AV1, a key frame every 2 frames) and as H.264 with
 * 1-second key-frame intervals: the time to open the dataset (every data file), and per decoded frame when drawing
 * samples. Then a calibration of a real-size SmolVLA from the AV1 dataset: its wall time against its forward pass,
 * which says whether reading the data is a bottleneck. The reference for the per-frame time, in the same run: every
 * frame of a file decoded in order. Arguments: WORK SMOLVLA_CHECKPOINT SAMPLES [--no-calibration].
 */
public final class DatasetBenchmark {
    private static final List<String> CAMERAS = List.of("observation.images.top", "observation.images.wrist");

    private DatasetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path checkpoint = Path.of(args[1]);
        int samples = Integer.parseInt(args[2]);
        int[] lengths = new int[20];
        Arrays.fill(lengths, 90);
        List<String> results = new ArrayList<>();
        for (TestVideos.Codec codec : List.of(TestVideos.Codec.SVT_AV1, TestVideos.Codec.H264)) {
            int gop = codec == TestVideos.Codec.SVT_AV1 ? 2 : 30;
            Path data = TestDatasets.v30(work.resolve(codec.name()), CAMERAS, lengths, codec, 640, 480, gop);
            long t0 = System.nanoTime();
            LeRobotDataset dataset = LeRobotDataset.open(data, DatasetInputs.DEFAULT, List.of());
            double open = (System.nanoTime() - t0) / 1e6;
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long t1 = System.nanoTime();
                for (CalibrationSample s : dataset.draw(samples, round)) {
                    for (CameraImage image : s.images().values()) {
                        image.rgb();
                    }
                }
                best = Math.min(best, (System.nanoTime() - t1) / 1e6);
            }
            // the reference in the same run: every frame of one camera's file decoded in order, no seeking
            Path video = data.resolve("videos/" + CAMERAS.getFirst() + "/chunk-000/file-000.mp4");
            double sequential = Double.MAX_VALUE;
            for (int round = 0; round < 2; round++) {
                long t2 = System.nanoTime();
                try (VideoFrames frames = VideoFrames.open(video, TestDatasets.FPS)) {
                    for (int f = 0; f < 20 * 90; f++) {
                        frames.at(f / (double) TestDatasets.FPS).image().rgb();
                    }
                }
                sequential = Math.min(sequential, (System.nanoTime() - t2) / 1e6 / (20 * 90));
            }
            double perFrame = best / (samples * CAMERAS.size());
            results.add(String.format(Locale.ROOT, "{\"codec\": \"%s\", \"gop\": %d, \"frames_in_dataset\": %d, "
                            + "\"open_ms\": %.1f, \"samples\": %d, \"decoded_frames\": %d, \"draw_ms\": %.1f, "
                            + "\"ms_per_frame\": %.2f, \"sequential_ms_per_frame\": %.2f, \"ratio\": %.2f}",
                    codec.encoder, gop, 20 * 90, open, samples, samples * CAMERAS.size(), best, perFrame, sequential,
                    perFrame / sequential));
        }
        results.forEach(System.out::println);
        if (args.length > 3 && args[3].equals("--no-calibration")) {
            return;
        }
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            ModelSpec spec = ModelDetector.detect(c);
            long t0 = System.nanoTime();
            Calibrator.Result r = Calibrator.calibrate(c, spec, work.resolve("SVT_AV1"), DatasetInputs.DEFAULT, samples,
                    0, OptionalDouble.empty(), "cpu", Map.of(), new Calibrator.Settings(Calibrator.BATCH,
                    StatisticsSettings.of(0, 1L << 30)), Calibrator.Outputs.run(work.resolve("run.json")), () -> false,
                    Calibrator.Progress.NONE);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "{\"calibration_samples\": %d, \"wall_s\": %.2f, \"forward_s\": %.2f, "
                    + "\"outside_forward_s\": %.2f, \"forward_share\": %.3f}%n", r.samples(), wall,
                    r.forwardNanos() / 1e9, wall - r.forwardNanos() / 1e9, r.forwardNanos() / 1e9 / wall);
        }
    }
}
