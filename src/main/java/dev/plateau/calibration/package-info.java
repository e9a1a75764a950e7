/**
 * Calibration data and the calibration run: a folder with a JSONL manifest (per sample: instruction, camera images,
 * state, optional actions), drawn with a seed; tokenization with the checkpoint's Hugging Face tokenizer; one forward
 * pass whose every layer output is written to an activation file. Problems with the data are a
 * {@link dev.plateau.calibration.CalibrationException} naming the file and line.
 */
package dev.plateau.calibration;
