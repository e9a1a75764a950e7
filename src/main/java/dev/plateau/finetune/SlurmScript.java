package dev.plateau.finetune;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An sbatch script that runs a training command on one node of a Slurm cluster with {@code gpus} GPUs: the
 * command's words shell-quoted as {@link TrainingCommand#shellLine()} writes them, run from its folder, with the
 * job's output in the run's train.log so that it reads like a local run's log.
 */
public final class SlurmScript {
    private static final Pattern TIME = Pattern.compile("(\\d+-)?\\d{1,2}:\\d{2}:\\d{2}");
    private static final int CPUS_PER_GPU = 8;

    private SlurmScript() {
    }

    /**
     * @param time      the job's time limit, [D-]HH:MM:SS
     * @param partition the partition, or empty for the cluster's default
     */
    public static String render(TrainingCommand command, int gpus, Path log, String jobName, String time,
                                Optional<String> partition) {
        if (!TIME.matcher(time).matches()) {
            throw new FinetuneException("the Slurm time limit \"" + time + "\" is not [D-]HH:MM:SS");
        }
        if (!jobName.matches("[A-Za-z0-9_.-]+")) {
            throw new FinetuneException("the Slurm job name \"" + jobName + "\" may hold letters, digits, _ . - only");
        }
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("#SBATCH --job-name=").append(jobName).append('\n');
        s.append("#SBATCH --nodes=1\n#SBATCH --ntasks-per-node=1\n");
        s.append("#SBATCH --gpus-per-node=").append(gpus).append('\n');
        s.append("#SBATCH --cpus-per-task=").append(CPUS_PER_GPU * gpus).append('\n');
        s.append("#SBATCH --time=").append(time).append('\n');
        partition.ifPresent(p -> s.append("#SBATCH --partition=").append(TrainingCommand.quote(p)).append('\n'));
        s.append("#SBATCH --output=").append(TrainingCommand.quote(log.toAbsolutePath().toString())).append('\n');
        s.append("# written by Plateau: the same command as a local run of this recipe\n");
        s.append("set -euo pipefail\n");
        s.append("cd ").append(TrainingCommand.quote(command.workingDirectory().toString())).append('\n');
        s.append(command.shellLine()).append('\n');
        return s.toString();
    }
}
