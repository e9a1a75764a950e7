package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.calibration.CalibrationException;
import dev.plateau.calibration.Calibrator;
import dev.plateau.calibration.DatasetInputs;
import dev.plateau.calibration.MemoryEstimate;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.model.ModelDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** The calibrate step: a new run, a run extended by more samples, and the request a run was made from. */
final class Calibrations {

    private Calibrations() {
    }

    /** Runs {@code samples} of the request's samples (its own count or fewer), skipping {@code skip}. */
    static Calibrator.Result calibrate(CalibrationRequest r, int samples, Map<String, Set<Integer>> skip,
                                       Calibrator.Outputs outputs, BooleanSupplier cancelled,
                                       Workbench.Progress progress) {
        try (Checkpoint source = Checkpoint.open(r.checkpoint())) {
            return Calibrator.calibrate(source, ModelDetector.detect(source), r.data(), r.inputs(), samples,
                    r.seed(), r.time(), r.device(), skip, settings(r), outputs, cancelled, progress(progress));
        } catch (CheckpointException | CalibrationException | ActivationException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (CancellationException e) {
            throw new PlateauException("calibration cancelled; nothing was written", e);
        } catch (IOException e) {
            throw new PlateauException("the run's files cannot be written: " + e.getMessage(), e);
        }
    }

    /** The memory the request will need at its peak, and whether it fits. */
    static MemoryEstimate estimate(CalibrationRequest r, boolean states) {
        try (Checkpoint source = Checkpoint.open(r.checkpoint())) {
            return Calibrator.estimate(source, ModelDetector.detect(source), r.data(), r.inputs(), r.samples(),
                    r.device(), settings(r), states);
        } catch (CheckpointException | CalibrationException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    static Calibrator.Settings settings(CalibrationRequest r) {
        return new Calibrator.Settings(r.batch(), StatisticsSettings.of(r.seed(), r.exactHeatmap() ? Long.MAX_VALUE : 0),
                r.memory());
    }

    private static Calibrator.Progress progress(Workbench.Progress progress) {
        return new Calibrator.Progress() {
            @Override
            public void layerDone(String module, int layer, int depth) {
                progress.layerDone(module, layer, depth);
            }

            @Override
            public void memoryEstimated(MemoryEstimate estimate) {
                progress.memoryEstimated(estimate);
            }

            @Override
            public void batchStarted(int batch, int batches, int samples) {
                progress.batchStarted(batch, batches, samples);
            }
        };
    }

    /** The request an analysed run was made with, read from its metadata. */
    static CalibrationRequest requestOf(Analysis analysis, Path where) {
        Map<String, String> m = analysis.metadata();
        for (String key : List.of("source", "data", "samples", "seed")) {
            if (!m.containsKey(key)) {
                throw new PlateauException(where + ": not a calibration run's analysis (no '" + key + "' in its "
                        + "metadata)");
            }
        }
        String time = m.getOrDefault("time", "drawn");
        String cameras = m.getOrDefault("inputs.cameras", "");
        DatasetInputs inputs = new DatasetInputs(cameras.isEmpty() ? List.of() : Arrays.asList(cameras.split(",")),
                m.getOrDefault("inputs.state", DatasetInputs.DEFAULT.state()),
                m.getOrDefault("inputs.action", DatasetInputs.DEFAULT.action()));
        return new CalibrationRequest(Path.of(m.get("source")), Path.of(m.get("data")),
                Integer.parseInt(m.get("samples")), Long.parseLong(m.get("seed")),
                time.equals("drawn") ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(time)),
                m.getOrDefault("device", "auto"), inputs,
                Integer.parseInt(m.getOrDefault("batch", Integer.toString(Calibrator.BATCH))), 0, false);
    }

    /**
     * Adds {@code more} samples to the run at {@code run}, continuing its seeded draw, and writes the extended run to
     * {@code out} (which may be {@code run} itself).
     */
    static Calibrator.Result extend(Path run, int more, Optional<String> device, long memory, Path out,
                                    BooleanSupplier cancelled, Workbench.Progress progress) {
        RunFiles earlier = RunFiles.of(run);
        Analysis analysis;
        try {
            analysis = earlier.read();
        } catch (ActivationException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        CalibrationRequest r = requestOf(analysis, run);
        if (device.isPresent()) {
            r = r.withDevice(device.get());
        }
        r = r.withMemory(memory);
        return calibrate(r, more, Map.of(), new Calibrator.Outputs(Optional.of(RunFiles.of(out)), Optional.empty(),
                Optional.of(earlier)), cancelled, progress);
    }
}
