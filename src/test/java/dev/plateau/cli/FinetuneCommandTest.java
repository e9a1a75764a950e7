package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.finetune.FakeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plateau finetune: dry runs of both recipes and of Slurm, a run of the fake trainer, and bad input. */
class FinetuneCommandTest {
    @TempDir
    Path dir;

    private Path synth(String model) {
        Path ckpt = dir.resolve(model + "-pruned");
        assertEquals(0, plateau("synth", model, "--out", ckpt.toString()).code());
        return ckpt;
    }

    private Path dataset(String version) throws Exception {
        Path data = Files.createDirectories(dir.resolve("so100/meta"));
        Files.writeString(data.resolve("info.json"), "{\"codebase_version\": \"" + version + "\"}");
        return data.getParent();
    }

    @Test
    void aDryRunPrintsTheLerobotCommandAndRunsNothing() throws Exception {
        Path ckpt = synth("smolvla");
        Path data = dataset("v3.0");
        Cli.Result r = plateau("finetune", ckpt.toString(), "--dataset", data.toString(), "--steps", "500",
                "--trainer", "/opt/lerobot/bin/lerobot-train", "--dry-run", "--", "--policy.device=cuda");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("# warning: /opt/lerobot/bin/lerobot-train is not on this machine's"),
                r.out());
        assertTrue(lines.get(1).startsWith("cd " + dir.resolve("smolvla-pruned-finetune")), r.out());
        assertEquals("/opt/lerobot/bin/lerobot-train --policy.path=" + ckpt + " --dataset.repo_id=local/so100 "
                + "--dataset.root=" + data + " --batch_size=64 --steps=500 --output_dir=" + lines.get(1).substring(3)
                + "/output --job_name=plateau-smolvla-pruned --policy.push_to_hub=false --log_freq=200 "
                + "--wandb.enable=false --policy.device=cuda", lines.get(2));
        assertTrue(Files.notExists(dir.resolve("smolvla-pruned-finetune")), "a dry run writes nothing");
    }

    @Test
    void aGr00tSlurmDryRunPrintsTheSbatchScript() throws Exception {
        Path ckpt = synth("gr00t");
        Cli.Result r = plateau("finetune", ckpt.toString(), "--dataset", dataset("v2.1").toString(), "--gpus", "8",
                "--data-config", "so100_dualcam", "--slurm", "--time", "2-00:00:00", "--partition", "a100",
                "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# warning: " + dir.resolve("so100") + " has no meta/modality.json"), r.out());
        assertTrue(r.out().contains("#SBATCH --gpus-per-node=8\n"), r.out());
        assertTrue(r.out().contains("#SBATCH --time=2-00:00:00\n#SBATCH --partition=a100\n"), r.out());
        assertTrue(r.out().contains("python " + Path.of("scripts/gr00t_finetune.py").toAbsolutePath()
                + " --dataset-path " + dir.resolve("so100") + " --output-dir "), r.out());
        assertTrue(r.out().contains(" --num-gpus 8 --batch-size 32 --max-steps 10000 --embodiment-tag new_embodiment "
                + "--report-to tensorboard --data-config so100_dualcam\n"), r.out());
    }

    @Test
    void aRunOfTheFakeTrainerKeepsItsFilesBesideTheExport() throws Exception {
        Path ckpt = synth("pi0");
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Cli.Result r = plateau("finetune", ckpt.toString(), "--dataset", dataset("v3.0").toString(), "--trainer",
                trainer.toString(), "--steps", "600", "--log-every", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step:600 smpl:38K"), r.out());
        assertTrue(r.out().contains("fine-tuning done: 6 metrics lines, last: step 600, loss 0.143; run folder "
                + dir.resolve("pi0-pruned-finetune")), r.out());
        try (Stream<Path> runs = Files.list(dir.resolve("pi0-pruned-finetune"))) {
            Path run = runs.findFirst().orElseThrow();
            assertEquals(7, Files.readAllLines(run.resolve("metrics.csv")).size());
            assertTrue(Files.readString(run.resolve("train.log")).contains("End of training"));
            assertTrue(Files.readString(run.resolve("command.sh")).contains("--output_dir=" + run.resolve("output")));
        }
    }

    /** A pruned pi0 runs in the trainer with its start-up hook, so the original code builds its depth unedited. */
    @Test
    void aPrunedPi0sTrainerRunsWithTheExportsStartupHook() throws Exception {
        Path ckpt = synth("pi0");
        Path export = dir.resolve("pi0-paper");
        Cli.Result pruned = plateau("prune", ckpt.toString(), "--plan", "sample-configs/pi0-table5.plan.json",
                "--out", export.toString());
        assertEquals(0, pruned.code(), pruned.err());
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Cli.Result r = plateau("finetune", export.toString(), "--dataset", dataset("v3.0").toString(), "--trainer",
                trainer.toString(), "--steps", "200", "--log-every", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sitecustomize: " + export.resolve("plateau_hook").resolve("sitecustomize.py")),
                r.out());
    }

    @Test
    void aFailingTrainerIsOneLineNamingItsLog() throws Exception {
        Path ckpt = synth("smolvla");
        Path trainer = FakeTrainer.install(dir.resolve("bin"));
        Cli.Result r = plateau("finetune", ckpt.toString(), "--dataset", dataset("v3.0").toString(), "--trainer",
                trainer.toString(), "--steps", "600", "--log-every", "100", "--", "--fake.fail_at=300");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("plateau: the trainer exited with code 1 (last: step 200, loss 0.333); its log "
                + "is " + dir.resolve("smolvla-pruned-finetune")), r.err());
    }

    @Test
    void aCheckpointWithoutARecipeIsRefused() throws Exception {
        Cli.Result r = plateau("finetune", synth("llama").toString(), "--dataset", dataset("v3.0").toString(),
                "--dry-run");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("fine-tuning recipes exist for SmolVLA, pi0 and pi0.5 (lerobot) and GR00T-N1.5 (gr00t)"),
                r.err());
        Cli.Result badRecipe = plateau("finetune", synth("smolvla").toString(), "--dataset",
                dir.resolve("so100").toString(), "--recipe", "openpi", "--dry-run");
        assertEquals("plateau: no recipe 'openpi'; the recipes are lerobot and gr00t", badRecipe.err().strip());
    }
}
