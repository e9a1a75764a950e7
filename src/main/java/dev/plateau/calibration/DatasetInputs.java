package dev.plateau.calibration;

import java.util.List;

/**
 * Which of a dataset's features feed the model: the cameras in the model's order, the state and the action columns.
 * Empty cameras means the default: the checkpoint's own camera names when the dataset has them all, else GR00T's
 * modality.json order, else every camera in meta/info.json's order. GR00T's modality.json, when present, decides
 * the state and action slices.
 */
public record DatasetInputs(List<String> cameras, String state, String action) {
    public static final DatasetInputs DEFAULT = new DatasetInputs(List.of(), "observation.state", "action");

    public DatasetInputs {
        cameras = List.copyOf(cameras);
    }
}
