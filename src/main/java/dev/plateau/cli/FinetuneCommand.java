package dev.plateau.cli;

import dev.plateau.finetune.FinetuneSettings;
import dev.plateau.finetune.Recipe;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.finetune.TrainingMetric;
import dev.plateau.workbench.FinetuneJob;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau finetune DIR --dataset DS [--recipe lerobot|gr00t] [--gpus N] [--slurm] [--dry-run] [-- ARGS]}. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune an exported checkpoint with its family's original training code: lerobot-train "
                + "(SmolVLA, pi0) or Isaac-GR00T's scripts/gr00t_finetune.py (GR00T-N1.5), on this machine or as a "
                + "Slurm job.",
                "The run is kept beside the export in DIR-finetune/<time>/: command.sh, train.log, metrics.csv "
                        + "(step, loss, learning rate from the log) and output/ (the trainer's).",
                "Arguments after -- go to the trainer as they are."})
final class FinetuneCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "the exported (pruned) checkpoint folder")
    private Path exported;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "further trainer arguments (after --)")
    private List<String> extra = List.of();

    @Option(names = "--dataset", required = true, paramLabel = "DS",
            description = "the LeRobot dataset folder to fine-tune on (the one holding meta/)")
    private Path dataset;

    @Option(names = "--recipe", paramLabel = "NAME", description = "lerobot or gr00t (default: the checkpoint's "
            + "family's)")
    private String recipe;

    @Option(names = "--gpus", defaultValue = "1", description = "GPUs on one node (default: ${DEFAULT-VALUE})")
    private int gpus;

    @Option(names = "--launcher", defaultValue = "accelerate", paramLabel = "accelerate|torchrun",
            description = "LeRobot's multi-GPU launcher (default: ${DEFAULT-VALUE}; GR00T's script starts torchrun "
                    + "itself)")
    private String launcher;

    @Option(names = "--steps", description = "training steps (default: 20000 LeRobot, 10000 GR00T)")
    private Integer steps;

    @Option(names = "--batch-size", description = "batch size per GPU (default: 64 LeRobot, 32 GR00T)")
    private Integer batchSize;

    @Option(names = "--log-every", description = "steps between log lines, LeRobot's --log_freq (default: 200)")
    private Integer logEvery;

    @Option(names = "--trainer", paramLabel = "PATH", description = "lerobot-train (default: on PATH), or the path "
            + "of Isaac-GR00T's scripts/gr00t_finetune.py (default: scripts/gr00t_finetune.py here)")
    private String trainer;

    @Option(names = "--python", defaultValue = "python", description = "the Python that runs GR00T's script "
            + "(default: ${DEFAULT-VALUE})")
    private String python;

    @Option(names = "--data-config", paramLabel = "NAME", description = "GR00T's --data-config: a name of its "
            + "DATA_CONFIG_MAP (e.g. so100) or module:Class")
    private String dataConfig;

    @Option(names = "--slurm", description = "write an sbatch script in the run folder and submit it")
    private boolean slurm;

    @Option(names = "--time", defaultValue = "24:00:00", description = "Slurm time limit (default: ${DEFAULT-VALUE})")
    private String time;

    @Option(names = "--partition", description = "Slurm partition (default: the cluster's)")
    private String partition;

    @Option(names = "--dry-run", description = "print the command (or the sbatch script) and run nothing")
    private boolean dryRun;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Workbench workbench = Workbench.standard();
        FinetuneSettings s = settings(workbench);
        TrainingCommand command = workbench.finetuneCommand(s);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String warning : command.warnings()) {
            (dryRun ? out : err).println("# warning: " + warning);
        }
        if (slurm) {
            String script = workbench.slurmScript(command, s, time, Optional.ofNullable(partition));
            if (dryRun) {
                out.print(script);
            } else {
                out.println(workbench.submitSlurm(command, s, time, Optional.ofNullable(partition), "sbatch"));
                out.println("run folder: " + s.output().getParent() + " (the job's log: train.log)");
            }
            out.flush();
            return 0;
        }
        if (dryRun) {
            out.println("cd " + TrainingCommand.quote(command.workingDirectory().toString()));
            out.println(command.shellLine());
            out.flush();
            return 0;
        }
        return run(workbench, command, s, out, err);
    }

    private int run(Workbench workbench, TrainingCommand command, FinetuneSettings s, PrintWriter out,
                    PrintWriter err) throws InterruptedException {
        FinetuneJob job = workbench.startFinetune(command, s, new FinetuneJob.Events() {
            @Override
            public void line(String line) {
                out.println(line);
                out.flush();
            }

            @Override
            public void metric(TrainingMetric metric) {
                // the log line that carried it is printed; the metrics are summed up at the end
            }

            @Override
            public void ended(int code, boolean stopped) {
                // the exit future below reports it
            }
        });
        Thread stopOnExit = new Thread(job::stop, "stop-trainer");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        int code;
        try {
            code = job.exit().get();
        } catch (ExecutionException e) {
            throw new PlateauException("the trainer's log could not be read: " + e.getCause().getMessage(), e);
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
        List<TrainingMetric> metrics = job.metrics();
        String last = metrics.isEmpty() ? "no metrics line" : String.format(Locale.ROOT,
                "last: step %d, loss %s", metrics.getLast().step(), metrics.getLast().loss());
        if (code != 0) {
            err.println("plateau: the trainer exited with code " + code + " (" + last + "); its log is " + job.log());
            err.flush();
            return Main.EXIT_INTERNAL;
        }
        out.println("fine-tuning done: " + metrics.size() + " metrics lines, " + last + "; run folder "
                + job.folder());
        out.flush();
        return 0;
    }

    private FinetuneSettings settings(Workbench workbench) {
        Optional<Recipe> chosen;
        try {
            chosen = recipe == null ? Optional.empty() : Optional.of(Recipe.of(recipe));
        } catch (IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        FinetuneSettings d = workbench.finetuneSettings(exported, dataset, chosen);
        FinetuneSettings.MultiGpu multi = switch (launcher.toLowerCase(Locale.ROOT)) {
            case "accelerate" -> FinetuneSettings.MultiGpu.ACCELERATE;
            case "torchrun" -> FinetuneSettings.MultiGpu.TORCHRUN;
            default -> throw new PlateauException("--launcher must be accelerate or torchrun, not " + launcher);
        };
        try {
            return new FinetuneSettings(d.recipe(), d.checkpoint(), d.dataset(), steps == null ? d.steps() : steps,
                    batchSize == null ? d.batchSize() : batchSize, gpus, multi,
                    logEvery == null ? d.logEvery() : logEvery, d.output(), trainer == null ? d.trainer() : trainer,
                    python, Optional.ofNullable(dataConfig), extra);
        } catch (IllegalArgumentException e) {
            throw new PlateauException(e.getMessage(), e);
        }
    }
}
