package dev.plateau.finetune;

import dev.plateau.prune.Exporter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds each trainer's command line as its documentation writes it.
 *
 * <ul>
 *   <li>LeRobot (SmolVLA, pi0, pi0.5): {@code lerobot-train --policy.path=CKPT --dataset.repo_id=local/NAME
 *   --dataset.root=DATA --batch_size=B --steps=S --output_dir=OUT --job_name=NAME --policy.push_to_hub=false
 *   --log_freq=L --wandb.enable=false}; on N GPUs {@code accelerate launch --multi_gpu --num_processes=N
 *   $(which lerobot-train) ...} (LeRobot's multi-GPU guide) or {@code torchrun --nproc-per-node=N ...}.
 *   push_to_hub is switched off because it defaults to true and then demands a Hub repo id. A pi0 or pi0.5 export's
 *   start-up hook ({@code plateau_hook/}) goes first on PYTHONPATH, so LeRobot builds the pruned depth.</li>
 *   <li>GR00T-N1.5: {@code python scripts/gr00t_finetune.py --dataset-path DATA --output-dir OUT
 *   --base-model-path CKPT --num-gpus N --batch-size B --max-steps S --embodiment-tag new_embodiment
 *   --report-to tensorboard [--data-config C]}, run from the Isaac-GR00T checkout; with N above 1 the script starts
 *   torchrun itself. tensorboard instead of the default wandb, which needs a login.</li>
 * </ul>
 */
public final class Recipes {
    private Recipes() {
    }

    public static TrainingCommand command(FinetuneSettings s) {
        return s.recipe() == Recipe.LEROBOT ? lerobot(s) : gr00t(s);
    }

    private static TrainingCommand lerobot(FinetuneSettings s) {
        List<String> warnings = new ArrayList<>();
        List<String> args = new ArrayList<>();
        String name = "plateau-" + s.checkpoint().getFileName();
        if (s.gpus() > 1) {
            String trainer = onPath(s.trainer()).map(Path::toString).orElseGet(() -> {
                warnings.add(s.trainer() + " is not on this machine's PATH; the multi-GPU launcher needs its path "
                        + "(install LeRobot here, or edit the command)");
                return s.trainer();
            });
            if (s.launcher() == FinetuneSettings.MultiGpu.ACCELERATE) {
                args.addAll(List.of("accelerate", "launch", "--multi_gpu", "--num_processes=" + s.gpus(), trainer));
            } else {
                args.addAll(List.of("torchrun", "--nproc-per-node=" + s.gpus(), trainer));
            }
        } else {
            if (onPath(s.trainer()).isEmpty()) {
                warnings.add(s.trainer() + " is not on this machine's PATH (install LeRobot, or point the recipe at "
                        + "its lerobot-train)");
            }
            args.add(s.trainer());
        }
        args.addAll(List.of(
                "--policy.path=" + s.checkpoint().toAbsolutePath(),
                "--dataset.repo_id=local/" + s.dataset().getFileName(),
                "--dataset.root=" + s.dataset().toAbsolutePath(),
                "--batch_size=" + s.batchSize(),
                "--steps=" + s.steps(),
                "--output_dir=" + s.output().toAbsolutePath(),
                "--job_name=" + name,
                "--policy.push_to_hub=false",
                "--log_freq=" + s.logEvery(),
                "--wandb.enable=false"));
        args.addAll(s.extra());
        return new TrainingCommand(args, s.output().toAbsolutePath().getParent(), warnings, hook(s.checkpoint()));
    }

    /**
     * A pi0 or pi0.5 export's start-up hook first on PYTHONPATH (before what this process has), so the original code
     * builds its depth; nothing for other checkpoints.
     */
    private static Map<String, String> hook(Path checkpoint) {
        Path hook = checkpoint.toAbsolutePath().resolve(Exporter.HOOK);
        if (!Files.isRegularFile(hook.resolve("sitecustomize.py"))) {
            return Map.of();
        }
        String inherited = System.getenv("PYTHONPATH");
        return Map.of("PYTHONPATH", hook + (inherited == null || inherited.isBlank() ? "" : ":" + inherited));
    }

    private static TrainingCommand gr00t(FinetuneSettings s) {
        List<String> warnings = new ArrayList<>();
        Path script = Path.of(s.trainer()).toAbsolutePath().normalize();
        Path root = script.getParent() != null && script.getParent().getParent() != null
                ? script.getParent().getParent() : script.getParent();
        if (!Files.isRegularFile(script)) {
            warnings.add(script + " does not exist; point the recipe at scripts/gr00t_finetune.py of an Isaac-GR00T "
                    + "(N1.5) checkout");
        }
        List<String> args = new ArrayList<>(List.of(s.python(), script.toString(),
                "--dataset-path", s.dataset().toAbsolutePath().toString(),
                "--output-dir", s.output().toAbsolutePath().toString(),
                "--base-model-path", s.checkpoint().toAbsolutePath().toString(),
                "--num-gpus", Integer.toString(s.gpus()),
                "--batch-size", Integer.toString(s.batchSize()),
                "--max-steps", Integer.toString(s.steps()),
                "--embodiment-tag", "new_embodiment",
                "--report-to", "tensorboard"));
        s.dataConfig().ifPresent(c -> args.addAll(List.of("--data-config", c)));
        if (s.dataConfig().isEmpty()) {
            warnings.add("no --data-config: the script's default (fourier_gr1_arms_only) describes a GR1 humanoid; "
                    + "choose your robot's (e.g. so100) or module:Class");
        }
        args.addAll(s.extra());
        return new TrainingCommand(args, root, warnings);
    }

    /** An executable found on PATH, or a path given as such; empty when it is neither. */
    static Optional<Path> onPath(String program) {
        if (program.contains(File.separator)) {
            Path p = Path.of(program).toAbsolutePath();
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
