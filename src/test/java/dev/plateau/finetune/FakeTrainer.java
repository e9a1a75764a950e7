package dev.plateau.finetune;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fake trainer script (src/test/resources), copied to a folder and made executable. */
public final class FakeTrainer {
    private FakeTrainer() {
    }

    public static Path install(Path folder) {
        try (InputStream in = FakeTrainer.class.getResourceAsStream("fake_trainer.py")) {
            Path script = Files.createDirectories(folder).resolve("fake_trainer.py");
            Files.write(script, in.readAllBytes());
            if (!script.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + script + " executable");
            }
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The loss the fake prints at {@code step}, as lerobot-train rounds it (3 decimals). */
    public static double lerobotLoss(long step) {
        return Math.round(1000.0 / (1 + step / 100.0)) / 1000.0;
    }

    /** The loss the fake prints at {@code step}, as the Hugging Face Trainer rounds it (4 decimals). */
    public static double hfLoss(long step) {
        return Math.round(10000.0 / (1 + step / 100.0)) / 10000.0;
    }
}
