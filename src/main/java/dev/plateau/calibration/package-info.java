/**
 * Calibration data and the calibration run. Data is a LeRobot dataset on disk (v2.0/v2.1, v3.0, GR00T's layout with
 * meta/modality.json: parquet through Hardwood, camera frames decoded from mp4 through FFmpeg at the drawn frames'
 * timestamps, state and actions with the dataset's statistics) or a folder with a JSONL manifest (per sample:
 * instruction, camera images, state, optional actions); either is drawn with a seed, and a later run can continue
 * the draw. Then each family's input preparation as its original preprocessor does it (one {@code FamilyInputs} per
 * family: images, prompt, state, noise and time, the token types each module receives, its tokens per sample), and
 * the forward pass in batches of samples,
 * every layer's output streamed into the similarity statistics (and, on request, into a full activation file), with
 * each token's type and identity; the run's peak memory is estimated, and checked, before it starts. Problems with
 * the data are a {@link dev.plateau.calibration.CalibrationException} naming the file (and the line, episode or
 * timestamp).
 */
package dev.plateau.calibration;
