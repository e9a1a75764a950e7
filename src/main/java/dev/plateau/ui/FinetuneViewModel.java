package dev.plateau.ui;

import dev.plateau.finetune.FinetuneSettings;
import dev.plateau.finetune.Recipe;
import dev.plateau.finetune.TrainingCommand;
import dev.plateau.finetune.TrainingMetric;
import dev.plateau.workbench.FinetuneJob;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The fine-tuning tab's state, testable without a screen: the settings form, the exact command (shown one argument
 * per line, editable), the live console and loss curve of a run, and Launch, Stop, Restart and the Slurm script.
 * Run events arrive on the trainer's log thread and are handed to {@code ui}.
 */
public final class FinetuneViewModel {
    /** Console lines kept on screen; the whole log is in the run folder's train.log. */
    static final int CONSOLE_LINES = 5000;

    private final Workbench workbench;
    private final Executor ui;
    private final Consumer<String> notices;

    private final ObjectProperty<Path> checkpoint = new SimpleObjectProperty<>(this, "checkpoint");
    private final ObjectProperty<Path> dataset = new SimpleObjectProperty<>(this, "dataset");
    private final IntegerProperty steps = new SimpleIntegerProperty(this, "steps", 0);
    private final IntegerProperty batchSize = new SimpleIntegerProperty(this, "batchSize", 0);
    private final IntegerProperty gpus = new SimpleIntegerProperty(this, "gpus", 1);
    private final ObjectProperty<FinetuneSettings.MultiGpu> launcher = new SimpleObjectProperty<>(this, "launcher",
            FinetuneSettings.MultiGpu.ACCELERATE);
    private final StringProperty trainer = new SimpleStringProperty(this, "trainer", "");
    private final StringProperty python = new SimpleStringProperty(this, "python", "python");
    private final StringProperty dataConfig = new SimpleStringProperty(this, "dataConfig", "");
    private final StringProperty slurmTime = new SimpleStringProperty(this, "slurmTime", "24:00:00");
    private final StringProperty partition = new SimpleStringProperty(this, "partition", "");
    private final StringProperty commandText = new SimpleStringProperty(this, "commandText", "");
    private final ReadOnlyObjectWrapper<FinetuneSettings> settings = new ReadOnlyObjectWrapper<>(this, "settings");
    private final ReadOnlyStringWrapper warnings = new ReadOnlyStringWrapper(this, "warnings", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper launched = new ReadOnlyBooleanWrapper(this, "launched");
    private final ObservableList<String> console = FXCollections.observableArrayList();
    private final ObservableList<TrainingMetric> metrics = FXCollections.observableArrayList();
    private final BooleanProperty recipeIsGr00t = new SimpleBooleanProperty(this, "recipeIsGr00t");
    private FinetuneSettings defaults;
    private TrainingCommand command;
    private boolean preparing;
    private FinetuneJob job;

    public FinetuneViewModel(Workbench workbench, Executor ui, Consumer<String> notices) {
        this.workbench = workbench;
        this.ui = ui;
        this.notices = notices;
        checkpoint.addListener((o, a, b) -> refresh(true));
        dataset.addListener((o, a, b) -> refresh(false));
        for (Observable field : List.of(steps, batchSize, gpus, launcher, trainer, python, dataConfig)) {
            field.addListener(o -> {
                if (!running.get() && !preparing) {
                    rebuild();
                }
            });
        }
    }

    /**
     * Takes the recipe's settings for the checkpoint and dataset (reading the checkpoint's headers) with a new run
     * folder, then rebuilds the command. With {@code recipeDefaults} (a new checkpoint, or another recipe) the form
     * takes the recipe's defaults first; otherwise the form's values stand.
     */
    private void refresh(boolean recipeDefaults) {
        if (checkpoint.get() == null || dataset.get() == null) {
            defaults = null;
            settings.set(null);
            return;
        }
        preparing = true;
        try {
            FinetuneSettings d = workbench.finetuneSettings(checkpoint.get(), dataset.get(), Optional.empty());
            if (recipeDefaults || defaults == null || defaults.recipe() != d.recipe()) {
                steps.set(d.steps());
                batchSize.set(d.batchSize());
                // a trainer the user typed stays; only a blank one, or the last recipe's default, is replaced
                String typed = trainer.get().strip();
                if (typed.isEmpty() || (defaults != null && typed.equals(defaults.trainer()))) {
                    trainer.set(d.trainer());
                }
            }
            recipeIsGr00t.set(d.recipe() == Recipe.GR00T);
            defaults = d;
        } catch (PlateauException e) {
            defaults = null;
            settings.set(null);
            notices.accept(e.getMessage());
            return;
        } finally {
            preparing = false;
        }
        rebuild();
    }

    /** The settings and the command from the recipe's settings and the form as it is now; reads no checkpoint. */
    private void rebuild() {
        if (defaults == null) {
            return;
        }
        FinetuneSettings d = defaults;
        try {
            FinetuneSettings s = new FinetuneSettings(d.recipe(), d.checkpoint(), d.dataset(), steps.get(),
                    batchSize.get(), gpus.get(), launcher.get(), d.logEvery(), d.output(), trainer.get().strip(),
                    python.get().strip(), dataConfig.get().isBlank() ? Optional.empty()
                    : Optional.of(dataConfig.get().strip()), List.of());
            command = workbench.finetuneCommand(s);
            settings.set(s);
            commandText.set(String.join("\n", command.arguments()));
            warnings.set(String.join("\n", command.warnings()));
        } catch (PlateauException | IllegalArgumentException e) {
            settings.set(null);
            notices.accept(e.getMessage());
        }
    }

    /** The command as the text area holds it now: one argument per line, nothing interpreted. */
    public TrainingCommand editedCommand() {
        if (command == null) {
            throw new PlateauException("choose the exported checkpoint and the dataset first");
        }
        return command.withArguments(Arrays.asList(commandText.get().split("\\R")));
    }

    /** Starts the (possibly edited) command; the console and the loss curve follow it. */
    public void launch() {
        if (running.get()) {
            notices.accept("a fine-tuning run is going; stop it first");
            return;
        }
        try {
            TrainingCommand c = editedCommand();
            console.clear();
            metrics.clear();
            job = workbench.startFinetune(c, settings.get(), events());
            started();
        } catch (PlateauException e) {
            notices.accept(e.getMessage());
        }
    }

    /** Ends the running trainer (and its workers). */
    public void stop() {
        if (job != null && job.isRunning()) {
            status.set("stopping\u2026");
            FinetuneJob stopping = job;
            Thread.ofVirtual().start(stopping::stop);
        }
    }

    /** The same command again, in a new run folder. */
    public void restart() {
        if (job == null) {
            launch();
            return;
        }
        try {
            console.clear();
            metrics.clear();
            FinetuneJob previous = job;
            job = previous.restart(events());
            started();
        } catch (PlateauException e) {
            notices.accept(e.getMessage());
        }
    }

    /** Writes command.sh and train.sbatch into the run folder, for sbatch on a cluster's login node. */
    public void writeSlurm() {
        try {
            Path script = workbench.writeSlurm(editedCommand(), settings.get(), slurmTime.get().strip(),
                    partition.get().isBlank() ? Optional.empty() : Optional.of(partition.get().strip()));
            status.set("wrote " + script + "; submit it with: sbatch " + script);
            refresh(false);
        } catch (PlateauException e) {
            notices.accept(e.getMessage());
        }
    }

    private void started() {
        running.set(true);
        launched.set(true);
        status.set("running in " + job.folder());
    }

    private FinetuneJob.Events events() {
        return new FinetuneJob.Events() {
            @Override
            public void line(String line) {
                ui.execute(() -> {
                    console.add(line);
                    if (console.size() > CONSOLE_LINES) {
                        console.remove(0, console.size() - CONSOLE_LINES);
                    }
                });
            }

            @Override
            public void metric(TrainingMetric metric) {
                ui.execute(() -> metrics.add(metric));
            }

            @Override
            public void ended(int code, boolean stopped) {
                ui.execute(() -> {
                    running.set(false);
                    String where = job == null ? "" : " (log: " + job.log() + ")";
                    status.set(stopped ? "stopped" + where : code == 0 ? "finished" + where
                            : "the trainer exited with code " + code + where);
                    refresh(false);
                });
            }
        };
    }

    public ObjectProperty<Path> checkpointProperty() {
        return checkpoint;
    }

    public ObjectProperty<Path> datasetProperty() {
        return dataset;
    }

    public IntegerProperty stepsProperty() {
        return steps;
    }

    public IntegerProperty batchSizeProperty() {
        return batchSize;
    }

    public IntegerProperty gpusProperty() {
        return gpus;
    }

    public ObjectProperty<FinetuneSettings.MultiGpu> launcherProperty() {
        return launcher;
    }

    public StringProperty trainerProperty() {
        return trainer;
    }

    public StringProperty pythonProperty() {
        return python;
    }

    public StringProperty dataConfigProperty() {
        return dataConfig;
    }

    public StringProperty slurmTimeProperty() {
        return slurmTime;
    }

    public StringProperty partitionProperty() {
        return partition;
    }

    public StringProperty commandTextProperty() {
        return commandText;
    }

    public ReadOnlyObjectProperty<FinetuneSettings> settingsProperty() {
        return settings.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty warningsProperty() {
        return warnings.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Whether a run was started in this session: Restart runs its command again. */
    public ReadOnlyBooleanProperty launchedProperty() {
        return launched.getReadOnlyProperty();
    }

    public BooleanProperty recipeIsGr00tProperty() {
        return recipeIsGr00t;
    }

    public ObservableList<String> console() {
        return console;
    }

    public ObservableList<TrainingMetric> metrics() {
        return metrics;
    }

    /** The running or last run, if any. */
    public Optional<FinetuneJob> job() {
        return Optional.ofNullable(job);
    }
}
