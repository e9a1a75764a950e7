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
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** The calibrate step. */
final class Calibrations {
    private Calibrations() {
    }

    /** Runs {@code samples} of the request's samples (its own count or fewer), skipping {@code skip}. */
    static Calibrator.Result calibrate(CalibrationRequest r, int samples, Map<String, Set<Integer>> skip, Path out,
                                       BooleanSupplier cancelled, Workbench.Progress progress) {
        try (Checkpoint source = Checkpoint.open(r.checkpoint())) {
            return Calibrator.calibrate(source, ModelDetector.detect(source), r.data(), r.inputs(), samples,
                    r.seed(), r.time(), r.device(), skip, out, cancelled, progress::layerDone);
        } catch (CheckpointException | CalibrationException | ActivationException | IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (CancellationException e) {
            throw new PlateauException("calibration cancelled; nothing was written", e);
        } catch (IOException e) {
            throw new PlateauException(out + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
