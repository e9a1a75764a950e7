package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.calibration.CalibrationException;
import dev.plateau.calibration.Calibrator;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.model.ModelDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** The calibrate step. */
final class Calibrations {
    private Calibrations() {
    }

    static Calibrator.Result calibrate(Path checkpoint, Path data, int samples, long seed, OptionalDouble time,
                                       String device, Map<String, Set<Integer>> skip, Path out,
                                       BooleanSupplier cancelled,
                                       Workbench.Progress progress) {
        try (Checkpoint source = Checkpoint.open(checkpoint.toAbsolutePath().normalize())) {
            return Calibrator.calibrate(source, ModelDetector.detect(source), data, samples, seed, time, device,
                    skip, out, cancelled, progress::layerDone);
        } catch (CheckpointException | CalibrationException | ActivationException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (CancellationException e) {
            throw new PlateauException("calibration cancelled; nothing was written", e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
