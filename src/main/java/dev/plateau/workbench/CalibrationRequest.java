package dev.plateau.workbench;

import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.DatasetInputs;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * One calibration of a checkpoint: which data, how many samples, drawn how, run where.
 *
 * @param checkpoint the checkpoint folder
 * @param data       the calibration data: a LeRobot dataset (v2.1, v3.0, GR00T) or a folder with manifest.jsonl
 * @param samples    samples drawn from the set
 * @param seed       the seed of the draw, the noise and the flow-matching times
 * @param time       one flow-matching time for every sample, or empty to draw it per sample as in training
 * @param device     auto, cpu or gpu
 * @param inputs     which of a dataset's cameras, state and action columns feed the model
 * @param batch      samples per forward batch (memory grows with it, not with the sample count)
 * @param memory     bytes the run may use; 0 for the device's memory
 * @param exactHeatmap whether the layer pairs two or more apart get exact statistics too (where they fit the memory;
 *                   about (L + 1) / 24 of the forward's multiply-adds more), rather than an estimate from the token
 *                   sample; the adjacent profile is exact either way
 */
public record CalibrationRequest(Path checkpoint, Path data, int samples, long seed, OptionalDouble time,
                                 String device, DatasetInputs inputs, int batch, long memory, boolean exactHeatmap) {

    public CalibrationRequest {
        checkpoint = checkpoint.toAbsolutePath().normalize();
        data = data.toAbsolutePath().normalize();
    }

    /** A request with the default batch. */
    public CalibrationRequest(Path checkpoint, Path data, int samples, long seed, OptionalDouble time, String device,
                              DatasetInputs inputs) {
        this(checkpoint, data, samples, seed, time, device, inputs, Calibrator.BATCH, 0, false);
    }

    /** A request with the default inputs: the checkpoint's cameras when the data has them, else the data's own. */
    public CalibrationRequest(Path checkpoint, Path data, int samples, long seed, OptionalDouble time, String device) {
        this(checkpoint, data, samples, seed, time, device, DatasetInputs.DEFAULT);
    }

    public CalibrationRequest withDevice(String other) {
        return new CalibrationRequest(checkpoint, data, samples, seed, time, other, inputs, batch, memory, exactHeatmap);
    }

    public CalibrationRequest withExactHeatmap(boolean exact) {
        return new CalibrationRequest(checkpoint, data, samples, seed, time, device, inputs, batch, memory, exact);
    }

    public CalibrationRequest withMemory(long bytes) {
        return new CalibrationRequest(checkpoint, data, samples, seed, time, device, inputs, batch, bytes, exactHeatmap);
    }

    public CalibrationRequest withSamples(int other) {
        return new CalibrationRequest(checkpoint, data, other, seed, time, device, inputs, batch, memory, exactHeatmap);
    }
}
