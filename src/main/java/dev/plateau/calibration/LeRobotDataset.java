package dev.plateau.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hardwood.row.PqStruct;
import dev.hardwood.row.StructAccessor;
import dev.plateau.checkpoint.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A LeRobot dataset on disk as calibration data: v2.0/v2.1 (a parquet file and an mp4 per episode, episodes.jsonl,
 * tasks.jsonl), v3.0 (episodes concatenated into chunked files, meta/episodes/*.parquet, meta/tasks.parquet), and
 * GR00T's v2 layout with meta/modality.json (state and action as slices of one vector, cameras and the task
 * annotation renamed). Every data file is read on open (the frame table, and the statistics of state and action);
 * camera frames are decoded only for the frames drawn.
 *
 * <p>A drawn frame becomes a sample as the trainer's data loader would make it: the frame's task as instruction, its
 * state, the {@code chunk} actions that follow within the episode (the last one repeated past the episode's end, as
 * LeRobot clamps), and each camera's picture at the frame's timestamp.
 */
public final class LeRobotDataset implements CalibrationData {
    /** Action steps per sample: SmolVLA's and pi0's chunk_size; GR00T takes the first 16 of them. */
    static final int CHUNK = 50;

    private final DatasetInfo info;
    private final List<String> cameras;
    private final Map<Integer, String> tasks;
    private final Map<Integer, Episode> episodes;
    private final Frames frames;
    private final String taskColumn;

    /** One episode: its frames' rows in the frame table, and per camera the video file and start time. */
    private record Episode(int index, List<Integer> rows, Map<String, Path> videos, Map<String, Double> videoStart) {
    }

    /** The frame table: one row per frame of the dataset, in file order. */
    private record Frames(List<Path> files, int[] file, int[] rowInFile, int[] episode, int[] frameIndex,
                          double[] timestamp, int[] task, float[][] state, float[][] action) {
    }

    private LeRobotDataset(DatasetInfo info, List<String> cameras, Map<Integer, String> tasks,
                           Map<Integer, Episode> episodes, Frames frames, String taskColumn) {
        this.info = info;
        this.cameras = cameras;
        this.tasks = tasks;
        this.episodes = episodes;
        this.frames = frames;
        this.taskColumn = taskColumn;
    }

    /** Reads the dataset's metadata and every data file; fails with one message naming the file and the problem. */
    public static LeRobotDataset open(Path folder, DatasetInputs inputs, List<String> modelCameras) {
        DatasetInfo info = DatasetInfo.read(folder);
        Slices state = Slices.of(info, "state", inputs.state());
        Slices action = Slices.of(info, "action", inputs.action());
        List<String> cameras = cameras(info, inputs, modelCameras);
        String taskColumn = taskColumn(info);
        Map<Integer, String> tasks = info.isV3() ? tasksV3(folder) : tasksV2(folder);
        Frames frames = readFrames(info, state, action, taskColumn);
        Map<Integer, List<Integer>> rows = new TreeMap<>();
        for (int r = 0; r < frames.episode().length; r++) {
            rows.computeIfAbsent(frames.episode()[r], e -> new ArrayList<>()).add(r);
        }
        rows.values().forEach(list -> list.sort(Comparator.comparingInt(r -> frames.frameIndex()[r])));
        Map<Integer, Episode> episodes = info.isV3() ? episodesV3(info, cameras, rows) : episodesV2(info, cameras,
                rows);
        return new LeRobotDataset(info, cameras, tasks, episodes, frames, taskColumn);
    }

    @Override
    public Path folder() {
        return info.folder();
    }

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "LeRobot %s dataset%s: %d episodes, %d frames at %s fps; cameras %s",
                info.version(), info.modality() != null ? " (GR00T modality.json)" : "", episodes.size(),
                frames.episode().length, new DecimalFormat("0.##").format(info.fps()),
                cameras.isEmpty() ? "none" : String.join(", ", cameras));
    }

    @Override
    public List<String> cameras() {
        return cameras;
    }

    @Override
    public Optional<FeatureStats> stateStats() {
        return frames.state().length == 0 ? Optional.empty() : Optional.of(FeatureStats.of(frames.state()));
    }

    @Override
    public Optional<FeatureStats> actionStats() {
        return frames.action().length == 0 ? Optional.empty() : Optional.of(FeatureStats.of(frames.action()));
    }

    /**
     * Draws frames spread across episodes: the episodes in a seeded order, one frame from each in turn (at a seeded
     * position, never twice), until {@code count} frames are drawn or none is left.
     */
    @Override
    public List<CalibrationSample> draw(int count, long seed) {
        Random random = new Random(seed);
        List<Episode> order = new ArrayList<>(episodes.values());
        Collections.shuffle(order, random);
        Map<Integer, List<Integer>> left = new HashMap<>();
        for (Episode e : order) {
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < e.rows().size(); i++) {
                positions.add(i);
            }
            Collections.shuffle(positions, random);
            left.put(e.index(), positions);
        }
        List<int[]> drawn = new ArrayList<>();
        int total = frames.episode().length;
        while (drawn.size() < Math.min(count, total)) {
            for (Episode e : order) {
                List<Integer> positions = left.get(e.index());
                if (!positions.isEmpty() && drawn.size() < count) {
                    drawn.add(new int[] {e.index(), positions.removeLast()});
                }
            }
        }
        Map<String, Map<Integer, CameraImage>> pictures = decode(drawn);
        List<CalibrationSample> out = new ArrayList<>();
        for (int i = 0; i < drawn.size(); i++) {
            Episode e = episodes.get(drawn.get(i)[0]);
            int position = drawn.get(i)[1];
            int row = e.rows().get(position);
            Map<String, CameraImage> images = new LinkedHashMap<>();
            for (String camera : cameras) {
                images.put(camera, pictures.get(camera).get(i));
            }
            out.add(new CalibrationSample("episode " + e.index() + " frame " + frames.frameIndex()[row],
                    instruction(row), images, doubles(frames.state().length == 0 ? null : frames.state()[row]),
                    chunk(e, position)));
        }
        return out;
    }

    private String instruction(int row) {
        int task = frames.task()[row];
        String text = tasks.get(task);
        if (text == null) {
            throw new CalibrationException(frames.files().get(frames.file()[row]) + ": " + taskColumn + " " + task
                    + " of episode " + frames.episode()[row] + " is not in the dataset's task list");
        }
        return text;
    }

    /** The actions of the frame and the ones after it in its episode, the last repeated past the end. */
    private double[][] chunk(Episode e, int position) {
        if (frames.action().length == 0) {
            return new double[0][];
        }
        double[][] out = new double[CHUNK][];
        for (int s = 0; s < CHUNK; s++) {
            out[s] = doubles(frames.action()[e.rows().get(Math.min(position + s, e.rows().size() - 1))]);
        }
        return out;
    }

    private static double[] doubles(float[] values) {
        if (values == null) {
            return new double[0];
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Every camera's picture of every drawn frame: videos opened once each, frames decoded in time order. */
    private Map<String, Map<Integer, CameraImage>> decode(List<int[]> drawn) {
        Map<String, Map<Integer, CameraImage>> out = new LinkedHashMap<>();
        for (String camera : cameras) {
            Map<Integer, CameraImage> pictures = new HashMap<>();
            out.put(camera, pictures);
            if (!info.isVideo(camera)) {
                for (int i = 0; i < drawn.size(); i++) {
                    pictures.put(i, embedded(camera, episodes.get(drawn.get(i)[0]).rows().get(drawn.get(i)[1])));
                }
                continue;
            }
            Map<Path, List<Integer>> byVideo = new LinkedHashMap<>();
            for (int i = 0; i < drawn.size(); i++) {
                byVideo.computeIfAbsent(episodes.get(drawn.get(i)[0]).videos().get(camera), p -> new ArrayList<>())
                        .add(i);
            }
            byVideo.forEach((video, indices) -> {
                indices.sort(Comparator.comparingDouble(i -> videoTime(camera, drawn.get(i))));
                try (VideoFrames decoder = VideoFrames.open(video, info.fps())) {
                    for (int i : indices) {
                        pictures.put(i, decoder.at(videoTime(camera, drawn.get(i))).image());
                    }
                }
            });
        }
        return out;
    }

    private double videoTime(String camera, int[] drawn) {
        Episode e = episodes.get(drawn[0]);
        return e.videoStart().get(camera) + frames.timestamp()[e.rows().get(drawn[1])];
    }

    /** An image-dtype camera: the PNG or JPEG bytes stored in the data file's {bytes, path} struct. */
    private CameraImage embedded(String camera, int row) {
        Path file = frames.files().get(frames.file()[row]);
        byte[][] bytes = new byte[1][];
        int[] seen = {0};
        int target = frames.rowInFile()[row];
        ParquetRows.forEach(file, r -> {
            if (seen[0]++ == target) {
                PqStruct image = r.getStruct(camera);
                bytes[0] = image == null ? null : image.getBinary("bytes");
            }
        });
        if (bytes[0] == null) {
            throw new CalibrationException(file + ": camera " + camera + " of frame " + frames.frameIndex()[row]
                    + " holds no image bytes");
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes[0]));
            if (image == null) {
                throw new CalibrationException(file + ": camera " + camera + " of frame " + frames.frameIndex()[row]
                        + " is not an image Plateau can decode");
            }
            return CameraImage.of(image);
        } catch (IOException e) {
            throw new CalibrationException(file + ": camera " + camera + ": " + e.getMessage());
        }
    }

    // ---- reading the metadata and the frame table ----

    /** Where a model input comes from: a column, and the part of it (GR00T's modality.json slices). */
    private record Slices(String column, List<int[]> ranges) {
        static Slices of(DatasetInfo info, String modality, String column) {
            JsonNode keys = info.modality() == null ? null : info.modality().path(modality);
            if (keys == null || keys.isMissingNode() || keys.isEmpty()) {
                if (!info.features().containsKey(column)) {
                    throw new CalibrationException(info.folder().resolve(DatasetInfo.INFO) + ": lists no feature \""
                            + column + "\" for the " + modality + "; its features are "
                            + String.join(", ", info.features().keySet()));
                }
                return new Slices(column, List.of());
            }
            List<int[]> ranges = new ArrayList<>();
            String original = null;
            for (Map.Entry<String, JsonNode> e : keys.properties()) {
                String from = e.getValue().path("original_key").asText("observation." + modality);
                if (modality.equals("action")) {
                    from = e.getValue().path("original_key").asText("action");
                }
                if (original != null && !original.equals(from)) {
                    throw new CalibrationException(info.folder().resolve(DatasetInfo.MODALITY) + ": " + modality
                            + " keys come from more than one column (" + original + ", " + from + "); Plateau reads "
                            + "one");
                }
                original = from;
                ranges.add(new int[] {e.getValue().path("start").asInt(), e.getValue().path("end").asInt()});
            }
            return new Slices(original, ranges);
        }

        float[] pick(float[] row) {
            if (ranges.isEmpty()) {
                return row;
            }
            int n = ranges.stream().mapToInt(r -> r[1] - r[0]).sum();
            float[] out = new float[n];
            int at = 0;
            for (int[] r : ranges) {
                System.arraycopy(row, r[0], out, at, r[1] - r[0]);
                at += r[1] - r[0];
            }
            return out;
        }
    }

    /** The user's cameras (each checked), else the model's when the dataset has them all, else the default. */
    private static List<String> cameras(DatasetInfo info, DatasetInputs inputs, List<String> modelCameras) {
        List<String> all = info.cameras();
        for (String camera : inputs.cameras()) {
            if (!all.contains(camera)) {
                throw new CalibrationException(info.folder() + ": has no camera " + camera + "; its cameras are "
                        + (all.isEmpty() ? "none" : String.join(", ", all)));
            }
        }
        if (!inputs.cameras().isEmpty()) {
            return inputs.cameras();
        }
        if (!modelCameras.isEmpty() && all.containsAll(modelCameras)) {
            return List.copyOf(modelCameras);
        }
        if (info.modality() != null && info.modality().has("video")) {
            List<String> ordered = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : info.modality().path("video").properties()) {
                String key = e.getValue().path("original_key").asText("observation.images." + e.getKey());
                if (!all.contains(key)) {
                    throw new CalibrationException(info.folder().resolve(DatasetInfo.MODALITY) + ": video " + e.getKey()
                            + " names " + key + ", which meta/info.json does not list");
                }
                ordered.add(key);
            }
            return List.copyOf(ordered);
        }
        return all;
    }

    private static String taskColumn(DatasetInfo info) {
        if (info.modality() != null) {
            for (Map.Entry<String, JsonNode> e : info.modality().path("annotation").properties()) {
                if (e.getKey().contains("task_description")) {
                    return e.getValue().path("original_key").asText("annotation." + e.getKey());
                }
            }
        }
        return "task_index";
    }

    private static Frames readFrames(DatasetInfo info, Slices state, Slices action, String taskColumn) {
        List<Path> files;
        Path data = info.folder().resolve("data");
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new CalibrationException(data + ": cannot be listed (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new CalibrationException(data + ": holds no parquet files");
        }
        List<Integer> file = new ArrayList<>();
        List<Integer> rowInFile = new ArrayList<>();
        List<Integer> episode = new ArrayList<>();
        List<Integer> frameIndex = new ArrayList<>();
        List<Double> timestamp = new ArrayList<>();
        List<Integer> task = new ArrayList<>();
        List<float[]> states = new ArrayList<>();
        List<float[]> actions = new ArrayList<>();
        Map<Integer, Integer> seen = new HashMap<>();
        for (int f = 0; f < files.size(); f++) {
            Path path = files.get(f);
            Set<String> columns = ParquetRows.columns(path);
            List<String> needed = new ArrayList<>(List.of("episode_index", "timestamp", taskColumn));
            if (state.column() != null) {
                needed.add(state.column());
            }
            if (action.column() != null) {
                needed.add(action.column());
            }
            ParquetRows.require(path, columns, needed, "meta/info.json or meta/modality.json names it");
            int fileIndex = f;
            int[] position = {0};
            boolean hasFrameIndex = columns.contains("frame_index");
            ParquetRows.forEach(path, (StructAccessor row) -> {
                file.add(fileIndex);
                rowInFile.add(position[0]++);
                int ep = (int) ParquetRows.number(row, "episode_index");
                episode.add(ep);
                // GR00T's datasets have no frame_index: rows of an episode are in frame order
                frameIndex.add(hasFrameIndex ? (int) ParquetRows.number(row, "frame_index")
                        : seen.merge(ep, 1, Integer::sum) - 1);
                timestamp.add(ParquetRows.number(row, "timestamp"));
                task.add((int) ParquetRows.number(row, taskColumn));
                if (state.column() != null) {
                    states.add(state.pick(ParquetRows.floats(row, state.column())));
                }
                if (action.column() != null) {
                    actions.add(action.pick(ParquetRows.floats(row, action.column())));
                }
            });
        }
        return new Frames(files, ints(file), ints(rowInFile), ints(episode), ints(frameIndex),
                timestamp.stream().mapToDouble(Double::doubleValue).toArray(), ints(task),
                states.toArray(float[][]::new), actions.toArray(float[][]::new));
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Map<Integer, String> tasksV2(Path folder) {
        Path file = folder.resolve("meta/tasks.jsonl");
        Map<Integer, String> tasks = new HashMap<>();
        for (JsonNode line : jsonLines(file)) {
            tasks.put(line.path("task_index").asInt(), line.path("task").asText());
        }
        return tasks;
    }

    private static Map<Integer, String> tasksV3(Path folder) {
        Path file = folder.resolve("meta/tasks.parquet");
        Set<String> columns = ParquetRows.columns(file);
        String text = columns.contains("task") ? "task" : "__index_level_0__";
        ParquetRows.require(file, columns, List.of(text, "task_index"), "LeRobot v3.0 stores the tasks there");
        Map<Integer, String> tasks = new HashMap<>();
        ParquetRows.forEach(file, row -> tasks.put((int) ParquetRows.number(row, "task_index"), row.getString(text)));
        return tasks;
    }

    private static List<JsonNode> jsonLines(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new CalibrationException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    out.add(Json.MAPPER.readTree(lines.get(i)));
                } catch (IOException e) {
                    throw new CalibrationException(file + " line " + (i + 1) + ": not valid JSON");
                }
            }
        }
        return out;
    }

    private static Map<Integer, Episode> episodesV2(DatasetInfo info, List<String> cameras,
                                                    Map<Integer, List<Integer>> rows) {
        Map<Integer, Episode> out = new TreeMap<>();
        rows.forEach((index, list) -> {
            Map<String, Path> videos = new HashMap<>();
            Map<String, Double> start = new HashMap<>();
            for (String camera : cameras) {
                if (info.isVideo(camera)) {
                    videos.put(camera, info.folder().resolve(DatasetInfo.fill(info.videoPath(), Map.of(
                            "episode_chunk", index / info.chunksSize(), "episode_index", index, "video_key", camera))));
                }
                start.put(camera, 0.0);
            }
            out.put(index, new Episode(index, list, videos, start));
        });
        return out;
    }

    private static Map<Integer, Episode> episodesV3(DatasetInfo info, List<String> cameras,
                                                    Map<Integer, List<Integer>> rows) {
        Path meta = info.folder().resolve("meta/episodes");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(meta)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new CalibrationException(meta + ": cannot be listed (" + e.getMessage() + ")");
        }
        Map<Integer, Episode> out = new TreeMap<>();
        for (Path file : files) {
            List<String> needed = new ArrayList<>(List.of("episode_index"));
            for (String camera : cameras) {
                if (info.isVideo(camera)) {
                    needed.addAll(List.of("videos/" + camera + "/chunk_index", "videos/" + camera + "/file_index",
                            "videos/" + camera + "/from_timestamp"));
                }
            }
            ParquetRows.require(file, ParquetRows.columns(file), needed, "LeRobot v3.0 episodes metadata");
            ParquetRows.forEach(file, row -> {
                int index = (int) ParquetRows.number(row, "episode_index");
                Map<String, Path> videos = new HashMap<>();
                Map<String, Double> start = new HashMap<>();
                for (String camera : cameras) {
                    start.put(camera, 0.0);
                    if (info.isVideo(camera)) {
                        String prefix = "videos/" + camera + "/";
                        videos.put(camera, info.folder().resolve(DatasetInfo.fill(info.videoPath(), Map.of(
                                "video_key", camera,
                                "chunk_index", (long) ParquetRows.number(row, prefix + "chunk_index"),
                                "file_index", (long) ParquetRows.number(row, prefix + "file_index")))));
                        start.put(camera, ParquetRows.number(row, prefix + "from_timestamp"));
                    }
                }
                List<Integer> list = rows.get(index);
                if (list != null) {
                    out.put(index, new Episode(index, list, videos, start));
                }
            });
        }
        for (int index : rows.keySet()) {
            if (!out.containsKey(index)) {
                throw new CalibrationException(meta + ": has no entry for episode " + index + ", which the data "
                        + "files hold");
            }
        }
        return out;
    }
}
