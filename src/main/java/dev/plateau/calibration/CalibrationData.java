package dev.plateau.calibration;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where calibration samples come from: a folder with manifest.jsonl ({@link CalibrationSet}) or a LeRobot dataset on
 * disk, v2.1, v3.0 or GR00T's layout ({@link LeRobotDataset}).
 */
public interface CalibrationData {
    Path folder();

    /** One line for people: the format, its size and the cameras used. */
    String summary();

    /** The cameras the samples carry, in the order the model gets them. */
    List<String> cameras();

    /** {@code count} samples drawn with {@code seed} (all of them when there are fewer), their images decoded. */
    List<CalibrationSample> draw(int count, long seed);

    /** Statistics of the state over the whole data, for the trainer's normalisation; empty when unknown. */
    Optional<FeatureStats> stateStats();

    /** Statistics of the actions over the whole data; empty when unknown. */
    Optional<FeatureStats> actionStats();

    /**
     * Opens a calibration folder: a LeRobot dataset when it has meta/info.json, else a manifest folder.
     *
     * @param modelCameras the checkpoint's camera names, taken (in their order) when a dataset has them all
     */
    static CalibrationData open(Path folder, DatasetInputs inputs, List<String> modelCameras) {
        return DatasetInfo.isDataset(folder) ? LeRobotDataset.open(folder, inputs, modelCameras)
                : CalibrationSet.read(folder);
    }
}
