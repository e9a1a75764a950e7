package dev.plateau.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated commands against each trainer's documented command line: LeRobot's SmolVLA fine-tuning and
 * multi-GPU guides (docs/source/smolvla.mdx, multi_gpu_training.mdx), Isaac-GR00T's README and the flags of its
 * gr00t_finetune.py ArgsConfig as tyro spells them.
 */
class RecipesTest {
    @TempDir
    Path dir;

    @Test
    void lerobotOnOneGpuIsTheDocumentedFineTuningCommand() {
        Path ckpt = dir.resolve("smolvla-pruned");
        FinetuneSettings s = FinetuneSettings.defaults(Recipe.LEROBOT, ckpt, dir.resolve("so100_pick"),
                dir.resolve("runs/1/output"));
        TrainingCommand c = Recipes.command(s);
        assertEquals(List.of("lerobot-train", "--policy.path=" + ckpt, "--dataset.repo_id=local/so100_pick",
                "--dataset.root=" + dir.resolve("so100_pick"), "--batch_size=64", "--steps=20000",
                "--output_dir=" + dir.resolve("runs/1/output"), "--job_name=plateau-smolvla-pruned",
                "--policy.push_to_hub=false", "--log_freq=200", "--wandb.enable=false"), c.arguments());
        assertEquals(dir.resolve("runs/1"), c.workingDirectory());
        assertEquals(Map.of(), c.environment(), "no start-up hook in a SmolVLA export");
        // every flag is one of lerobot-train's (draccus: --name=value)
        for (String a : c.arguments().subList(1, c.arguments().size())) {
            assertTrue(a.matches("--[a-z_.]+=.+"), a);
        }
    }

    /** A pi0 or pi0.5 export's start-up hook goes first on the trainer's PYTHONPATH, in the run and its shell line. */
    @Test
    void aPi0ExportsStartupHookGoesFirstOnPythonPath() throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("pi05-pruned/plateau_hook"));
        Files.writeString(ckpt.resolve("sitecustomize.py"), "DEPTH = 12\n");
        FinetuneSettings s = FinetuneSettings.defaults(Recipe.LEROBOT, ckpt.getParent(), dir.resolve("so100_pick"),
                dir.resolve("runs/1/output"));
        TrainingCommand c = Recipes.command(s);
        String inherited = System.getenv("PYTHONPATH");
        assertEquals(ckpt + (inherited == null || inherited.isBlank() ? "" : ":" + inherited),
                c.environment().get("PYTHONPATH"));
        assertTrue(c.shellLine().startsWith("PYTHONPATH=" + ckpt), c.shellLine());
        assertEquals(c.environment(), c.withArguments(c.arguments()).environment(), "an edit keeps the hook");
    }

    @Test
    void lerobotOnSeveralGpusGoesThroughAccelerateOrTorchrun() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path trainer = bin.resolve("lerobot-train");
        Files.writeString(trainer, "#!/bin/sh\n");
        trainer.toFile().setExecutable(true);
        FinetuneSettings s = new FinetuneSettings(Recipe.LEROBOT, dir.resolve("ckpt"), dir.resolve("data"), 100, 8, 4,
                FinetuneSettings.MultiGpu.ACCELERATE, 10, dir.resolve("out"), trainer.toString(), "python",
                Optional.empty(), List.of("--policy.device=cuda"));
        List<String> accelerate = Recipes.command(s).arguments();
        assertEquals(List.of("accelerate", "launch", "--multi_gpu", "--num_processes=4", trainer.toString()),
                accelerate.subList(0, 5));
        assertEquals("--policy.device=cuda", accelerate.getLast(), "extra arguments go last, as given");
        FinetuneSettings torchrun = new FinetuneSettings(Recipe.LEROBOT, s.checkpoint(), s.dataset(), 100, 8, 4,
                FinetuneSettings.MultiGpu.TORCHRUN, 10, s.output(), trainer.toString(), "python", Optional.empty(),
                List.of());
        assertEquals(List.of("torchrun", "--nproc-per-node=4", trainer.toString()),
                Recipes.command(torchrun).arguments().subList(0, 3));
        assertTrue(Recipes.command(s).warnings().isEmpty());
        assertTrue(Recipes.command(s.withGpus(2)).arguments().contains("--num_processes=2"));
    }

    @Test
    void aTrainerMissingFromPathIsAWarningNotAFailure() {
        FinetuneSettings s = new FinetuneSettings(Recipe.LEROBOT, dir.resolve("ckpt"), dir.resolve("data"), 100, 8, 2,
                FinetuneSettings.MultiGpu.ACCELERATE, 10, dir.resolve("out"), "lerobot-train-not-installed", "python",
                Optional.empty(), List.of());
        TrainingCommand c = Recipes.command(s);
        assertTrue(c.arguments().contains("lerobot-train-not-installed"));
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().getFirst().startsWith("lerobot-train-not-installed is not on this machine's PATH"));
    }

    @Test
    void gr00tIsTheReadmeCommandRunFromTheCheckout() throws IOException {
        Path repo = dir.resolve("Isaac-GR00T");
        Path script = repo.resolve("scripts/gr00t_finetune.py");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "");
        FinetuneSettings s = new FinetuneSettings(Recipe.GR00T, dir.resolve("gr00t-pruned"), dir.resolve("so101"),
                10_000, 64, 2, FinetuneSettings.MultiGpu.ACCELERATE, 10, dir.resolve("out"), script.toString(),
                "python3", Optional.of("so100_dualcam"), List.of("--no-tune-diffusion-model"));
        TrainingCommand c = Recipes.command(s);
        assertEquals(List.of("python3", script.toString(), "--dataset-path", dir.resolve("so101").toString(),
                "--output-dir", dir.resolve("out").toString(), "--base-model-path",
                dir.resolve("gr00t-pruned").toString(), "--num-gpus", "2", "--batch-size", "64", "--max-steps",
                "10000", "--embodiment-tag", "new_embodiment", "--report-to", "tensorboard", "--data-config",
                "so100_dualcam", "--no-tune-diffusion-model"), c.arguments());
        assertEquals(repo, c.workingDirectory(), "the script imports gr00t.* from its checkout");
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
        // every flag is an ArgsConfig field in tyro's hyphenated spelling
        List<String> fields = List.of("dataset-path", "output-dir", "base-model-path", "num-gpus", "batch-size",
                "max-steps", "embodiment-tag", "report-to", "data-config", "no-tune-diffusion-model");
        c.arguments().stream().filter(a -> a.startsWith("--"))
                .forEach(a -> assertTrue(fields.contains(a.substring(2)), a));
    }

    @Test
    void gr00tWithoutADataConfigWarns() {
        FinetuneSettings s = FinetuneSettings.defaults(Recipe.GR00T, dir.resolve("c"), dir.resolve("d"),
                dir.resolve("o"));
        List<String> warnings = Recipes.command(s).warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("no --data-config")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("gr00t_finetune.py does not exist")), warnings.toString());
    }

    @Test
    void shellQuotingKeepsEveryArgumentOneWord() throws Exception {
        TrainingCommand c = new TrainingCommand(List.of("echo", "plain-1.0", "two words", "it's", "$HOME", "a;b", ""),
                dir, List.of());
        assertEquals("echo plain-1.0 'two words' 'it'\\''s' '$HOME' 'a;b' ''", c.shellLine());
        // the shell itself splits it back into the same words
        Process p = new ProcessBuilder("sh", "-c", "printf '%s\\n' " + c.shellLine().substring(5)).start();
        assertEquals("plain-1.0\ntwo words\nit's\n$HOME\na;b\n\n", new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void slurmScriptRunsTheSameCommandOnOneNode() {
        TrainingCommand c = new TrainingCommand(List.of("accelerate", "launch", "--multi_gpu", "--num_processes=4",
                "/opt/bin/lerobot-train", "--steps=100"), dir.resolve("run"), List.of());
        String script = SlurmScript.render(c, 4, dir.resolve("run/train.log"), "plateau-smolvla", "12:00:00",
                Optional.of("gpu"));
        assertEquals("""
                #!/bin/bash
                #SBATCH --job-name=plateau-smolvla
                #SBATCH --nodes=1
                #SBATCH --ntasks-per-node=1
                #SBATCH --gpus-per-node=4
                #SBATCH --cpus-per-task=32
                #SBATCH --time=12:00:00
                #SBATCH --partition=gpu
                #SBATCH --output=%s
                # written by Plateau: the same command as a local run of this recipe
                set -euo pipefail
                cd %s
                accelerate launch --multi_gpu --num_processes=4 /opt/bin/lerobot-train --steps=100
                """.formatted(dir.resolve("run/train.log"), dir.resolve("run")), script);
        assertThrows(FinetuneException.class, () -> SlurmScript.render(c, 4, dir, "x", "12h", Optional.empty()));
        assertThrows(FinetuneException.class, () -> SlurmScript.render(c, 4, dir, "x; rm -rf", "1:00:00",
                Optional.empty()));
    }
}
