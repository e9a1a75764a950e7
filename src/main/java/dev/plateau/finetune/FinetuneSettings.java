package dev.plateau.finetune;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a fine-tuning run is asked to do; the recipe turns it into the trainer's exact command line.
 *
 * @param recipe      the trainer
 * @param checkpoint  the exported (pruned) checkpoint folder
 * @param dataset     the LeRobot dataset folder (the one holding meta/)
 * @param steps       optimisation steps
 * @param batchSize   samples per step per GPU
 * @param gpus        GPUs on one node; above 1 the recipe's multi-GPU launcher is used
 * @param launcher    LeRobot's multi-GPU launcher (GR00T's script starts torchrun itself)
 * @param logEvery    steps between log lines (LeRobot's --log_freq; GR00T logs every 10 steps, fixed)
 * @param output      the trainer's output folder (must not exist yet: lerobot-train refuses to overwrite)
 * @param trainer     LeRobot: the lerobot-train executable; GR00T: the path to scripts/gr00t_finetune.py
 * @param python      the Python that runs GR00T's script
 * @param dataConfig  GR00T's --data-config (a DATA_CONFIG_MAP name or module:Class); empty for the script's default
 * @param extra       further arguments, passed to the trainer as they are
 */
public record FinetuneSettings(Recipe recipe, Path checkpoint, Path dataset, int steps, int batchSize, int gpus,
                               MultiGpu launcher, int logEvery, Path output, String trainer, String python,
                               Optional<String> dataConfig, List<String> extra) {

    /** How LeRobot runs on several GPUs: as its multi-GPU guide says (accelerate), or with torchrun (its HEAD). */
    public enum MultiGpu { ACCELERATE, TORCHRUN }

    public FinetuneSettings {
        extra = List.copyOf(extra);
        if (steps < 1 || batchSize < 1 || gpus < 1 || logEvery < 1) {
            throw new FinetuneException("steps, batch size, GPUs and the log interval must be at least 1");
        }
    }

    /** The settings a recipe starts from: the trainers' documented fine-tuning values. */
    public static FinetuneSettings defaults(Recipe recipe, Path checkpoint, Path dataset, Path output) {
        return recipe == Recipe.LEROBOT
                ? new FinetuneSettings(recipe, checkpoint, dataset, 20_000, 64, 1, MultiGpu.ACCELERATE, 200, output,
                recipe.defaultTrainer(), "python", Optional.empty(), List.of())
                : new FinetuneSettings(recipe, checkpoint, dataset, 10_000, 32, 1, MultiGpu.ACCELERATE, 10, output,
                recipe.defaultTrainer(), "python", Optional.empty(), List.of());
    }

    public FinetuneSettings withGpus(int n) {
        return new FinetuneSettings(recipe, checkpoint, dataset, steps, batchSize, n, launcher, logEvery, output,
                trainer, python, dataConfig, extra);
    }
}
