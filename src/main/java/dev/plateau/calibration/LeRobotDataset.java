package dev.plateau.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hardwood.row.PqStruct;
import dev.plateau.calibration.EpisodeIndex.Episode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
    private final FrameTable frames;
    private final String taskColumn;
    private final Optional<FeatureStats> stateStats;
    private final Optional<FeatureStats> actionStats;

    private LeRobotDataset(DatasetInfo info, List<String> cameras, Map<Integer, String> tasks,
                           Map<Integer, Episode> episodes, FrameTable frames, String taskColumn) {
        this.info = info;
        this.cameras = cameras;
        this.tasks = tasks;
        this.episodes = episodes;
        this.frames = frames;
        this.taskColumn = taskColumn;
        this.stateStats = frames.size() == 0 ? Optional.empty() : Optional.of(FeatureStats.of(frames.state()));
        this.actionStats = frames.size() == 0 ? Optional.empty() : Optional.of(FeatureStats.of(frames.action()));
    }

    /** Reads the dataset's metadata and every data file; fails with one message naming the file and the problem. */
    public static LeRobotDataset open(Path folder, DatasetInputs inputs, List<String> modelCameras) {
        DatasetInfo info = DatasetInfo.read(folder);
        FrameTable.Column state = FrameTable.Column.of(info, "state", inputs.state());
        FrameTable.Column action = FrameTable.Column.of(info, "action", inputs.action());
        List<String> cameras = cameras(info, inputs, modelCameras);
        String taskColumn = FrameTable.taskColumn(info);
        Map<Integer, String> tasks = EpisodeIndex.tasks(info);
        FrameTable frames = FrameTable.read(info, state, action, taskColumn);
        Map<Integer, Episode> episodes = EpisodeIndex.episodes(info, cameras, frames.rowsByEpisode());
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
                frames.size(), new DecimalFormat("0.##").format(info.fps()),
                cameras.isEmpty() ? "none" : String.join(", ", cameras));
    }

    @Override
    public List<String> cameras() {
        return cameras;
    }

    @Override
    public Optional<FeatureStats> stateStats() {
        return stateStats;
    }

    @Override
    public Optional<FeatureStats> actionStats() {
        return actionStats;
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
        int total = frames.size();
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
                    instruction(row), images, doubles(frames.state()[row]), chunk(e, position)));
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
        double[][] out = new double[CHUNK][];
        for (int s = 0; s < CHUNK; s++) {
            out[s] = doubles(frames.action()[e.rows().get(Math.min(position + s, e.rows().size() - 1))]);
        }
        return out;
    }

    private static double[] doubles(float[] values) {
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
                List<Integer> rows = new ArrayList<>();
                for (int[] d : drawn) {
                    rows.add(episodes.get(d[0]).rows().get(d[1]));
                }
                List<CameraImage> images = embedded(camera, rows);
                for (int i = 0; i < drawn.size(); i++) {
                    pictures.put(i, images.get(i));
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

    /**
     * An image-dtype camera's pictures of {@code rows}: the PNG or JPEG bytes stored in the data files' {bytes, path}
     * struct, each file read once.
     */
    private List<CameraImage> embedded(String camera, List<Integer> rows) {
        Map<Integer, Map<Integer, byte[]>> byFile = new HashMap<>();
        for (int row : rows) {
            byFile.computeIfAbsent(frames.file()[row], f -> new HashMap<>()).put(frames.rowInFile()[row], null);
        }
        byFile.forEach((file, wanted) -> {
            int[] position = {0};
            ParquetRows.forEach(frames.files().get(file), r -> {
                if (wanted.containsKey(position[0])) {
                    PqStruct image = r.getStruct(camera);
                    wanted.put(position[0], image == null ? null : image.getBinary("bytes"));
                }
                position[0]++;
            });
        });
        List<CameraImage> out = new ArrayList<>();
        for (int row : rows) {
            out.add(decodeEmbedded(camera, row, byFile.get(frames.file()[row]).get(frames.rowInFile()[row])));
        }
        return out;
    }

    private CameraImage decodeEmbedded(String camera, int row, byte[] bytes) {
        Path file = frames.files().get(frames.file()[row]);
        if (bytes == null) {
            throw new CalibrationException(file + ": camera " + camera + " of frame " + frames.frameIndex()[row]
                    + " holds no image bytes");
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new CalibrationException(file + ": camera " + camera + " of frame " + frames.frameIndex()[row]
                        + " is not an image Plateau can decode");
            }
            return CameraImage.of(image);
        } catch (IOException e) {
            throw new CalibrationException(file + ": camera " + camera + ": " + e.getMessage());
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
}
