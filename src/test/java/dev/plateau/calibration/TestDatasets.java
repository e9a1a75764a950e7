package dev.plateau.calibration;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;

/**
 * Small LeRobot datasets written the way LeRobot and Isaac-GR00T lay them out: parquet files written by DuckDB (an
 * independent writer), mp4 videos whose frames carry their own number ({@link TestVideos}). Frame f of episode e has
 * state[i] = e * 100 + f + i / 10 and action[i] = -(e * 100 + f) - i / 10, so a test can tell which rows it got.
 */
public final class TestDatasets {
    public static final int FPS = 10;
    public static final int DIMS = 6;
    public static final String[] TASKS = {"pick up the red cube", "put the cube in the bowl"};

    private TestDatasets() {
    }

    public static float state(int episode, int frame, int i) {
        return episode * 100 + frame + i / 10f;
    }

    public static float action(int episode, int frame, int i) {
        return -(episode * 100 + frame) - i / 10f;
    }

    /**
     * LeRobot v2.1: one parquet file and one mp4 per camera per episode, meta/episodes.jsonl and tasks.jsonl.
     */
    public static Path v21(Path dir, List<String> cameras, int[] lengths, TestVideos.Codec codec) {
        try {
            write(dir.resolve("meta/info.json"), info("v2.1", cameras, "float32",
                    "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
                    "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4", lengths));
            int index = 0;
            for (int e = 0; e < lengths.length; e++) {
                parquet(dir.resolve(String.format("data/chunk-000/episode_%06d.parquet", e)),
                        rows(e, lengths[e], index, true, "FLOAT", "task_index"));
                index += lengths[e];
                for (String camera : cameras) {
                    TestVideos.write(dir.resolve(String.format("videos/chunk-000/%s/episode_%06d.mp4", camera, e)),
                            codec, lengths[e], FPS, 4);
                }
            }
            writeV2Meta(dir, lengths);
            return dir;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * LeRobot v3.0: every episode in one data file and, per camera, one concatenated mp4 (so an episode's frames sit
     * at its from_timestamp onwards); meta/episodes/chunk-000/file-000.parquet and meta/tasks.parquet.
     */
    public static Path v30(Path dir, List<String> cameras, int[] lengths, TestVideos.Codec codec) {
        return v30(dir, cameras, lengths, codec, TestVideos.WIDTH, TestVideos.HEIGHT, 4);
    }

    /** The same with videos of another size and key-frame interval (benchmarks). */
    public static Path v30(Path dir, List<String> cameras, int[] lengths, TestVideos.Codec codec, int width,
                           int height, int gop) {
        try {
            write(dir.resolve("meta/info.json"), info("v3.0", cameras, "float32",
                    "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
                    "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4", lengths));
            List<String> rows = new ArrayList<>();
            List<String> episodes = new ArrayList<>();
            int index = 0;
            for (int e = 0; e < lengths.length; e++) {
                rows.addAll(rows(e, lengths[e], index, true, "FLOAT", "task_index"));
                StringBuilder episode = new StringBuilder(String.format(Locale.ROOT,
                        "SELECT %d AS episode_index, ['%s'] AS tasks, %d AS length, 0 AS \"data/chunk_index\", "
                                + "0 AS \"data/file_index\", %d AS dataset_from_index, %d AS dataset_to_index",
                        e, TASKS[e % 2], lengths[e], index, index + lengths[e]));
                for (String camera : cameras) {
                    episode.append(String.format(Locale.ROOT, ", 0 AS \"videos/%1$s/chunk_index\", 0 AS "
                            + "\"videos/%1$s/file_index\", %2$f::DOUBLE AS \"videos/%1$s/from_timestamp\", %3$f::DOUBLE "
                            + "AS \"videos/%1$s/to_timestamp\"", camera, index / (double) FPS,
                            (index + lengths[e]) / (double) FPS));
                }
                episodes.add(episode.toString());
                index += lengths[e];
            }
            parquet(dir.resolve("data/chunk-000/file-000.parquet"), rows);
            copy(dir.resolve("meta/episodes/chunk-000/file-000.parquet"), String.join(" UNION ALL ", episodes));
            copy(dir.resolve("meta/tasks.parquet"), String.format("SELECT '%s' AS task, 0::BIGINT AS task_index "
                    + "UNION ALL SELECT '%s', 1", TASKS[0], TASKS[1]));
            for (String camera : cameras) {
                TestVideos.write(dir.resolve("videos/" + camera + "/chunk-000/file-000.mp4"), codec, index, FPS, gop,
                        width, height);
            }
            return dir;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * GR00T's layout: LeRobot v2.0 files, float64 lists, no frame_index column, the task in an annotation column,
     * and meta/modality.json naming state and action slices and the camera.
     */
    public static Path gr00t(Path dir, String camera, int[] lengths, TestVideos.Codec codec) {
        try {
            write(dir.resolve("meta/info.json"), info("v2.0", List.of(camera), "float64",
                    "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
                    "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4", lengths)
                    .replace("\"task_index\"", "\"annotation.human.action.task_description\": {\"dtype\": "
                            + "\"int64\", \"shape\": [1]}, \"task_index\""));
            write(dir.resolve("meta/modality.json"), """
                    {"state": {"single_arm": {"start": 0, "end": 5}, "gripper": {"start": 5, "end": 6}},
                     "action": {"single_arm": {"start": 0, "end": 5}, "gripper": {"start": 5, "end": 6}},
                     "video": {"front": {"original_key": "%s"}},
                     "annotation": {"human.action.task_description": {}}}
                    """.formatted(camera));
            int index = 0;
            for (int e = 0; e < lengths.length; e++) {
                parquet(dir.resolve(String.format("data/chunk-000/episode_%06d.parquet", e)),
                        rows(e, lengths[e], index, false, "DOUBLE", "annotation.human.action.task_description"));
                index += lengths[e];
                TestVideos.write(dir.resolve(String.format("videos/chunk-000/%s/episode_%06d.mp4", camera, e)),
                        codec, lengths[e], FPS, 4);
            }
            writeV2Meta(dir, lengths);
            return dir;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * LeRobot v2.1 with an image-dtype camera: each frame's picture (its number in stripes, as PNG) stored in the
     * parquet file as the {bytes, path} struct that Hugging Face datasets write.
     */
    public static Path v21Images(Path dir, String camera, int[] lengths) {
        try {
            write(dir.resolve("meta/info.json"), info("v2.1", List.of(), "float32",
                    "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet", null, lengths)
                    .replace("\"video_path\": \"null\"", "\"video_path\": null")
                    .replace("\"features\": {", "\"features\": {\"" + camera + "\": {\"dtype\": \"image\", \"shape\": ["
                            + TestVideos.HEIGHT + ", " + TestVideos.WIDTH + ", 3]}, "));
            int index = 0;
            for (int e = 0; e < lengths.length; e++) {
                List<String> rows = rows(e, lengths[e], index, true, "FLOAT", "task_index");
                for (int f = 0; f < rows.size(); f++) {
                    rows.set(f, rows.get(f) + ", {'bytes': from_hex('" + HexFormat.of().formatHex(png(f))
                            + "'), 'path': 'frame_" + f + ".png'} AS \"" + camera + "\"");
                }
                parquet(dir.resolve(String.format("data/chunk-000/episode_%06d.parquet", e)), rows);
                index += lengths[e];
            }
            writeV2Meta(dir, lengths);
            return dir;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] png(int frame) throws IOException {
        BufferedImage image = new BufferedImage(TestVideos.WIDTH, TestVideos.HEIGHT, BufferedImage.TYPE_INT_RGB);
        byte[] rgb = TestVideos.pixels(frame, TestVideos.WIDTH, TestVideos.HEIGHT);
        for (int y = 0; y < TestVideos.HEIGHT; y++) {
            for (int x = 0; x < TestVideos.WIDTH; x++) {
                int i = (y * TestVideos.WIDTH + x) * 3;
                image.setRGB(x, y, ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** LeRobot v2's meta/episodes.jsonl (episode e does task e % 2) and meta/tasks.jsonl. */
    private static void writeV2Meta(Path dir, int[] lengths) throws IOException {
        StringBuilder episodes = new StringBuilder();
        for (int e = 0; e < lengths.length; e++) {
            episodes.append(String.format(Locale.ROOT, "{\"episode_index\": %d, \"tasks\": [\"%s\"], \"length\": %d}%n",
                    e, TASKS[e % 2], lengths[e]));
        }
        write(dir.resolve("meta/episodes.jsonl"), episodes.toString());
        write(dir.resolve("meta/tasks.jsonl"), String.format("{\"task_index\": 0, \"task\": \"%s\"}%n"
                + "{\"task_index\": 1, \"task\": \"%s\"}%n", TASKS[0], TASKS[1]));
    }

    private static String info(String version, List<String> cameras, String dtype, String dataPath, String videoPath,
                               int[] lengths) {
        StringBuilder features = new StringBuilder();
        for (String camera : cameras) {
            features.append(String.format("\"%s\": {\"dtype\": \"video\", \"shape\": [%d, %d, 3], \"names\": "
                    + "[\"height\", \"width\", \"channels\"], \"info\": {\"video.fps\": %d, \"video.codec\": \"av1\"}}, ",
                    camera, TestVideos.HEIGHT, TestVideos.WIDTH, FPS));
        }
        int total = Arrays.stream(lengths).sum();
        return String.format(Locale.ROOT, """
                {"codebase_version": "%s", "robot_type": "so100", "total_episodes": %d, "total_frames": %d,
                 "total_tasks": 2, "chunks_size": 1000, "fps": %d, "splits": {"train": "0:%d"},
                 "data_path": "%s", "video_path": "%s",
                 "features": {%s"observation.state": {"dtype": "%s", "shape": [%d]},
                   "action": {"dtype": "%s", "shape": [%d]},
                   "timestamp": {"dtype": "float32", "shape": [1]}, "frame_index": {"dtype": "int64", "shape": [1]},
                   "episode_index": {"dtype": "int64", "shape": [1]}, "index": {"dtype": "int64", "shape": [1]},
                   "task_index": {"dtype": "int64", "shape": [1]}}}
                """, version, lengths.length, total, FPS, lengths.length, dataPath, videoPath, features, dtype, DIMS,
                dtype, DIMS);
    }

    /** SELECTs of one episode's rows; the task is episode % 2. */
    private static List<String> rows(int episode, int length, int firstIndex, boolean frameIndex, String type,
                                     String taskColumn) {
        List<String> out = new ArrayList<>();
        for (int f = 0; f < length; f++) {
            int frame = f;
            out.add(String.format(Locale.ROOT, "SELECT %s::%s[] AS \"observation.state\", %s::%s[] AS action, "
                            + "%f::FLOAT AS timestamp, %s%d::BIGINT AS episode_index, %d::BIGINT AS \"index\", "
                            + "%d::BIGINT AS \"%s\"",
                    list(i -> state(episode, frame, i)), type, list(i -> action(episode, frame, i)), type,
                    f / (double) FPS, frameIndex ? f + "::BIGINT AS frame_index, " : "", episode, firstIndex + f,
                    episode % 2, taskColumn));
        }
        return out;
    }

    private static String list(IntFunction<Float> value) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < DIMS; i++) {
            s.append(i == 0 ? "" : ", ").append(value.apply(i));
        }
        return s.append("]").toString();
    }

    private static void parquet(Path file, List<String> rows) throws SQLException, IOException {
        copy(file, String.join(" UNION ALL ", rows) + " ORDER BY \"index\"");
    }

    /** Writes a query's result to a parquet file with DuckDB. */
    static void copy(Path file, String query) throws SQLException, IOException {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET autoinstall_known_extensions=false");
            s.execute("COPY (" + query + ") TO '" + file + "' (FORMAT parquet)");
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
