package dev.plateau.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hardwood.row.StructAccessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The frames of a LeRobot dataset, one row per frame in file order: where it is stored, its episode, index in the
 * episode, timestamp, task, state and action (GR00T's slices already taken).
 */
record FrameTable(List<Path> files, int[] file, int[] rowInFile, int[] episode, int[] frameIndex, double[] timestamp,
                  int[] task, float[][] state, float[][] action) {

    int size() {
        return episode.length;
    }

    /** Each episode's rows, ordered by frame index. */
    Map<Integer, List<Integer>> rowsByEpisode() {
        Map<Integer, List<Integer>> rows = new TreeMap<>();
        for (int r = 0; r < episode.length; r++) {
            rows.computeIfAbsent(episode[r], e -> new ArrayList<>()).add(r);
        }
        rows.values().forEach(list -> list.sort(Comparator.comparingInt(r -> frameIndex[r])));
        return rows;
    }

    /** The column holding a frame's task index: GR00T's task annotation when modality.json names one. */
    static String taskColumn(DatasetInfo info) {
        if (info.modality() != null) {
            for (Map.Entry<String, JsonNode> e : info.modality().path("annotation").properties()) {
                if (e.getKey().contains("task_description")) {
                    return e.getValue().path("original_key").asText("annotation." + e.getKey());
                }
            }
        }
        return "task_index";
    }

    /**
     * Reads every data file of the dataset (under data/, in name order), checking first that each has the columns
     * the metadata names.
     */
    static FrameTable read(DatasetInfo info, Column state, Column action, String taskColumn) {
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
            List<String> needed = List.of("episode_index", "timestamp", taskColumn, state.column(), action.column());
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
                states.add(state.pick(ParquetRows.floats(row, state.column())));
                actions.add(action.pick(ParquetRows.floats(row, action.column())));
            });
        }
        return new FrameTable(files, ints(file), ints(rowInFile), ints(episode), ints(frameIndex),
                timestamp.stream().mapToDouble(Double::doubleValue).toArray(), ints(task),
                states.toArray(float[][]::new), actions.toArray(float[][]::new));
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Where a model input comes from: a column, and the part of it (GR00T's modality.json slices). */
    record Column(String column, List<int[]> ranges) {
        static Column of(DatasetInfo info, String modality, String column) {
            JsonNode keys = info.modality() == null ? null : info.modality().path(modality);
            if (keys == null || keys.isMissingNode() || keys.isEmpty()) {
                if (!info.features().containsKey(column)) {
                    throw new CalibrationException(info.folder().resolve(DatasetInfo.INFO) + ": lists no feature \""
                            + column + "\" for the " + modality + "; its features are "
                            + String.join(", ", info.features().keySet()));
                }
                return new Column(column, List.of());
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
            return new Column(original, ranges);
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
}
