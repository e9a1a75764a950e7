package dev.plateau.calibration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One calibration sample, as read from the data and before any model's preprocessing.
 *
 * @param where       where it came from, for messages and provenance ("manifest.jsonl line 3", "episode 2 frame 17")
 * @param instruction the task in words
 * @param images      camera name to picture, in the order the model takes them
 * @param state       the robot state (empty when the data has none)
 * @param actions     the action chunk that follows, [steps][dims] (empty when the data has none)
 */
public record CalibrationSample(String where, String instruction, Map<String, CameraImage> images, double[] state,
                                double[][] actions) {
    public CalibrationSample {
        images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
    }
}
