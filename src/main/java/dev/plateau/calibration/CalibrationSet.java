package dev.plateau.calibration;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A calibration set: {@code manifest.jsonl} in a folder, one JSON object per line with {@code instruction} (the task
 * in words, required), {@code images} (camera name to an image path relative to the folder), {@code state} (numbers)
 * and {@code actions} (optional).
 */
public record CalibrationSet(Path folder, List<CalibrationSample> samples) implements CalibrationData {
    public static final String MANIFEST = "manifest.jsonl";

    public CalibrationSet {
        samples = List.copyOf(samples);
    }

    @Override
    public String summary() {
        return MANIFEST + ": " + samples.size() + " samples; cameras "
                + (cameras().isEmpty() ? "none" : String.join(", ", cameras()));
    }

    /** The cameras of the first sample (each sample names its own). */
    @Override
    public List<String> cameras() {
        return List.copyOf(samples.getFirst().images().keySet());
    }

    /** A manifest carries no statistics: its state and actions go to the model as written. */
    @Override
    public Optional<FeatureStats> stateStats() {
        return Optional.empty();
    }

    @Override
    public Optional<FeatureStats> actionStats() {
        return Optional.empty();
    }

    /** Reads and checks the manifest; image files are checked to exist (they are decoded when used). */
    public static CalibrationSet read(Path folder) {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new CalibrationException(folder + ": no " + MANIFEST + " (one JSON object per line: instruction, "
                    + "images, state)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new CalibrationException(manifest + ": cannot be read: " + e.getMessage());
        }
        List<CalibrationSample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                samples.add(sample(folder, manifest, i + 1, lines.get(i)));
            }
        }
        if (samples.isEmpty()) {
            throw new CalibrationException(manifest + ": holds no samples");
        }
        return new CalibrationSet(folder, samples);
    }

    private static CalibrationSample sample(Path folder, Path manifest, int line, String text) {
        String where = manifest + " line " + line + ": ";
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new CalibrationException(where + "not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new CalibrationException(where + "not a JSON object");
        }
        JsonNode instruction = node.get("instruction");
        if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
            throw new CalibrationException(where + "no instruction (the task in words, e.g. \"pick up the red cube\")");
        }
        Map<String, CameraImage> images = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.path("images").properties()) {
            Path image = folder.resolve(e.getValue().asText()).normalize();
            if (!Files.isRegularFile(image)) {
                throw new CalibrationException(where + "image " + e.getKey() + " (" + image + ") does not exist");
            }
            images.put(e.getKey(), CameraImage.file(image));
        }
        JsonNode stateNode = node.path("state");
        double[] state = new double[stateNode.size()];
        for (int i = 0; i < state.length; i++) {
            if (!stateNode.get(i).isNumber()) {
                throw new CalibrationException(where + "state entry " + i + " is not a number");
            }
            state[i] = stateNode.get(i).asDouble();
        }
        JsonNode actionsNode = node.path("actions");
        double[][] actions = new double[actionsNode.size()][];
        for (int i = 0; i < actions.length; i++) {
            JsonNode row = actionsNode.get(i);
            actions[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                if (!row.get(j).isNumber()) {
                    throw new CalibrationException(where + "actions[" + i + "][" + j + "] is not a number");
                }
                actions[i][j] = row.get(j).asDouble();
            }
        }
        return new CalibrationSample(MANIFEST + " line " + line, instruction.asText(), images, state, actions);
    }

    /** {@code count} samples drawn without replacement in a seeded order (all of them when there are fewer). */
    @Override
    public List<CalibrationSample> draw(int count, long seed) {
        List<CalibrationSample> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, Math.min(count, shuffled.size())));
    }
}
