package dev.plateau.workbench;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import dev.plateau.finetune.FinetuneException;
import dev.plateau.finetune.FinetuneSettings;
import dev.plateau.finetune.Recipe;
import dev.plateau.finetune.Recipes;
import dev.plateau.finetune.SlurmScript;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.finetune.TrainingRun;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The fine-tune step: settings from the exported checkpoint, the command, a local run or a Slurm job. */
final class Finetunes {
    static final String SBATCH = "train.sbatch";

    private Finetunes() {
    }

    /** The recipe's defaults for an exported checkpoint, with a new run folder beside it. */
    static FinetuneSettings settings(Path exported, Path dataset, Optional<Recipe> recipe) {
        Path folder = exported.toAbsolutePath().normalize();
        ModelSpec spec;
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            spec = ModelDetector.detect(checkpoint);
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        Recipe chosen = recipe.or(() -> Recipe.forFamily(spec.family())).orElseThrow(() ->
                new PlateauException(folder + ": is a " + spec.family().displayName() + "; fine-tuning recipes exist "
                        + "for SmolVLA, pi0 and pi0.5 (lerobot) and GR00T-N1.5 (gr00t)"));
        Path output = TrainingRun.newFolder(folder).resolve(TrainingRun.OUTPUT);
        return FinetuneSettings.defaults(chosen, folder, dataset.toAbsolutePath().normalize(), output);
    }

    /** The exact command, with what the recipe noticed and what is wrong with the dataset for this trainer. */
    static TrainingCommand command(FinetuneSettings s) {
        TrainingCommand c;
        try {
            c = Recipes.command(s);
        } catch (FinetuneException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        List<String> warnings = new ArrayList<>(c.warnings());
        Path info = s.dataset().resolve("meta/info.json");
        if (!Files.isRegularFile(info)) {
            warnings.add(s.dataset() + " has no meta/info.json: the trainers read LeRobot datasets");
        } else {
            try {
                String version = Json.readObject(info).path("codebase_version").asText("");
                if (s.recipe() == Recipe.GR00T && version.startsWith("v3")) {
                    warnings.add(s.dataset() + " is a LeRobot " + version + " dataset; Isaac-GR00T N1.5 reads v2.x "
                            + "with meta/modality.json");
                } else if (s.recipe() == Recipe.LEROBOT && version.startsWith("v2")) {
                    warnings.add(s.dataset() + " is a LeRobot " + version + " dataset; lerobot-train 0.4 and later "
                            + "read v3.0 (convert it with python -m lerobot.scripts.convert_dataset_v21_to_v30)");
                }
                if (s.recipe() == Recipe.GR00T && !Files.isRegularFile(s.dataset().resolve("meta/modality.json"))) {
                    warnings.add(s.dataset() + " has no meta/modality.json, which gr00t_finetune.py needs");
                }
            } catch (CheckpointException e) {
                warnings.add(e.getMessage());
            }
        }
        return c.withWarnings(warnings);
    }

    static String slurm(TrainingCommand command, FinetuneSettings s, String time, Optional<String> partition) {
        Path folder = s.output().getParent();
        try {
            return SlurmScript.render(command, s.gpus(), folder.resolve(TrainingRun.LOG),
                    "plateau-" + s.checkpoint().getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "-"), time,
                    partition);
        } catch (FinetuneException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }

    /** Writes the run folder with command.sh and train.sbatch; returns the script's path. */
    static Path writeSlurm(TrainingCommand command, FinetuneSettings s, String time, Optional<String> partition) {
        String script = slurm(command, s, time, partition);
        Path folder = s.output().getParent();
        Path file = folder.resolve(SBATCH);
        try {
            TrainingRun.writeCommand(command, folder);
            Files.writeString(file, script, StandardCharsets.UTF_8);
            return file;
        } catch (IOException | FinetuneException e) {
            throw new PlateauException(folder + ": cannot be written: " + e.getMessage(), e);
        }
    }

    /** Writes the run folder and hands the script to sbatch; returns what sbatch said. */
    static String submit(TrainingCommand command, FinetuneSettings s, String time, Optional<String> partition,
                         String sbatch) {
        Path file = writeSlurm(command, s, time, partition);
        try {
            Process p = new ProcessBuilder(sbatch, file.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new PlateauException("sbatch refused " + file + ": " + said);
            }
            return said;
        } catch (IOException e) {
            throw new PlateauException("cannot run " + sbatch + " (is this a Slurm login node?); the script is "
                    + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlateauException("interrupted while sbatch ran", e);
        }
    }
}
