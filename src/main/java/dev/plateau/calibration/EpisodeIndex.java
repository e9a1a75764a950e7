package dev.plateau.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A LeRobot dataset's task list and episodes: v2.x from meta/tasks.jsonl and one video per episode and camera
 * (found by the video_path template), v3.0 from meta/tasks.parquet and meta/episodes/*.parquet, whose rows say which
 * shared video file holds each episode and from which timestamp.
 */
final class EpisodeIndex {
    /** One episode: its rows in the frame table, and per camera the video file and the episode's start in it. */
    record Episode(int index, List<Integer> rows, Map<String, Path> videos, Map<String, Double> videoStart) {
    }

    private EpisodeIndex() {
    }

    /** Task index to the task in words. */
    static Map<Integer, String> tasks(DatasetInfo info) {
        return info.isV3() ? tasksV3(info.folder()) : tasksV2(info.folder());
    }

    /** The episodes the frame table holds, with their cameras' videos. */
    static Map<Integer, Episode> episodes(DatasetInfo info, List<String> cameras, Map<Integer, List<Integer>> rows) {
        return info.isV3() ? episodesV3(info, cameras, rows) : episodesV2(info, cameras, rows);
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
