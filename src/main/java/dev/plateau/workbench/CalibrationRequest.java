package dev.plateau.workbench;

import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * One calibration of a checkpoint: which data, how many samples, drawn how, run where.
 *
 * @param checkpoint the checkpoint folder
 * @param data       the calibration set folder (manifest.jsonl and its images)
 * @param samples    samples drawn from the set
 * @param seed       the seed of the draw, the noise and the flow-matching times
 * @param time       one flow-matching time for every sample, or empty to draw it per sample as in training
 * @param device     auto, cpu or gpu
 */
public record CalibrationRequest(Path checkpoint, Path data, int samples, long seed, OptionalDouble time,
                                 String device) {

    public CalibrationRequest {
        checkpoint = checkpoint.toAbsolutePath().normalize();
        data = data.toAbsolutePath().normalize();
    }
}
