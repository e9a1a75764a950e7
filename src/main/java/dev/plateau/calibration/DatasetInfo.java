package dev.plateau.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LeRobot dataset's meta/info.json (v2.0, v2.1 or v3.0) and, for GR00T's layout, meta/modality.json: the version,
 * frame rate, file templates and features, checked for what calibration needs.
 *
 * @param version   the codebase version, e.g. "v2.1"
 * @param fps       frames per second of the data and the videos
 * @param chunksSize files (v3.0) or episodes (v2.x) per chunk folder
 * @param dataPath  the data file template
 * @param videoPath the video file template (null when the dataset has no video features)
 * @param features  feature name to its dtype ("video", "image", "float32", ...)
 * @param modality  GR00T's modality.json, or null
 */
record DatasetInfo(Path folder, String version, double fps, int chunksSize, String dataPath, String videoPath,
                   Map<String, String> features, JsonNode modality) {
    static final String INFO = "meta/info.json";
    static final String MODALITY = "meta/modality.json";

    static boolean isDataset(Path folder) {
        return Files.isRegularFile(folder.resolve(INFO));
    }

    static DatasetInfo read(Path folder) {
        Path file = folder.resolve(INFO);
        JsonNode info = json(file);
        String version = info.path("codebase_version").asText("");
        if (!version.startsWith("v2.") && !version.startsWith("v3.")) {
            throw new CalibrationException(file + ": codebase_version \"" + version + "\" is not a LeRobot dataset "
                    + "version Plateau reads (v2.0, v2.1, v3.0)");
        }
        double fps = info.path("fps").asDouble(0);
        if (!(fps > 0)) {
            throw new CalibrationException(file + ": no fps");
        }
        String dataPath = info.path("data_path").asText("");
        if (dataPath.isEmpty()) {
            throw new CalibrationException(file + ": no data_path");
        }
        Map<String, String> features = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : info.path("features").properties()) {
            features.put(e.getKey(), e.getValue().path("dtype").asText(""));
        }
        if (features.isEmpty()) {
            throw new CalibrationException(file + ": no features");
        }
        String videoPath = info.path("video_path").isTextual() ? info.path("video_path").asText() : null;
        if (videoPath == null && features.containsValue("video")) {
            throw new CalibrationException(file + ": has video features but no video_path");
        }
        Path modalityFile = folder.resolve(MODALITY);
        JsonNode modality = Files.isRegularFile(modalityFile) ? json(modalityFile) : null;
        return new DatasetInfo(folder, version, fps, info.path("chunks_size").asInt(1000), dataPath, videoPath,
                Collections.unmodifiableMap(features), modality);
    }

    private static JsonNode json(Path file) {
        try {
            return Json.readObject(file);
        } catch (CheckpointException e) {
            throw new CalibrationException(e.getMessage());
        }
    }

    boolean isV3() {
        return version.startsWith("v3.");
    }

    /** The camera features, video or image, in the order info.json lists them. */
    List<String> cameras() {
        List<String> out = new ArrayList<>();
        features.forEach((name, dtype) -> {
            if (dtype.equals("video") || dtype.equals("image")) {
                out.add(name);
            }
        });
        return out;
    }

    boolean isVideo(String feature) {
        return "video".equals(features.get(feature));
    }

    /** Fills a file template's {name} or {name:03d} placeholders. */
    static String fill(String template, Map<String, Object> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            out.append(template, i, open);
            String field = template.substring(open + 1, close);
            String name = field.contains(":") ? field.substring(0, field.indexOf(':')) : field;
            Object value = values.get(name);
            if (value == null) {
                throw new CalibrationException("file template \"" + template + "\" names {" + name + "}, which "
                        + "Plateau does not know");
            }
            out.append(field.contains(":") ? String.format("%" + field.substring(field.indexOf(':') + 1), value)
                    : value.toString());
            i = close + 1;
        }
        return out.toString();
    }
}
