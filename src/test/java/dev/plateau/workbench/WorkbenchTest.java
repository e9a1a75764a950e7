package dev.plateau.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkbenchTest {
    @TempDir
    Path home;

    @Test
    void theDemoIsASmolVlaCheckpointWrittenOnceAndReused() throws Exception {
        Workbench workbench = new Workbench(home);
        Path demo = workbench.demoCheckpoint(false);
        ModelSpec spec = workbench.inspect(demo);
        assertEquals(Family.SMOLVLA, spec.family());
        long written = Files.getLastModifiedTime(demo.resolve("model.safetensors")).toMillis();
        Thread.sleep(20);
        assertEquals(demo, workbench.demoCheckpoint(false));
        assertEquals(written, Files.getLastModifiedTime(demo.resolve("model.safetensors")).toMillis());
        assertTrue(Files.exists(demo.resolve("policy_preprocessor.json")));
    }

    /** lerobot-train's SmolVLA defaults (train_expert_only) freeze the whole VLM: vision tower, connector, text model. */
    @Test
    void smolVlasTrainableParametersAreThoseOutsideTheVlm() throws Exception {
        Workbench workbench = new Workbench(home);
        Path demo = workbench.demoCheckpoint(false);
        OpenedModel model = workbench.open(demo);
        long outsideVlm;
        try (Checkpoint checkpoint = Checkpoint.open(demo)) {
            outsideVlm = checkpoint.tensors().entrySet().stream()
                    .filter(e -> !e.getKey().startsWith("model.vlm_with_expert.vlm."))
                    .mapToLong(e -> e.getValue().info().elementCount()).sum();
        }
        assertEquals(outsideVlm, model.trainableParams());
        assertEquals(Set.of("expert"), model.trainableModules());
    }

    @Test
    void aStaleOrDamagedDemoIsWrittenAgain() throws Exception {
        Workbench workbench = new Workbench(home);
        Path demo = workbench.demoCheckpoint(false);
        Files.write(demo.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertEquals(Family.SMOLVLA, workbench.inspect(workbench.demoCheckpoint(false)).family());
        Path other = workbench.synthesize("llama", false, home.resolve("llama"), 0, 1, false);
        Files.copy(other.resolve("model.safetensors"), demo.resolve("model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Family.SMOLVLA, workbench.inspect(workbench.demoCheckpoint(false)).family(),
                "a demo with another layout is replaced");
    }

    /** Hugging Face cache snapshots are folders of symbolic links into a blob store. */
    @Test
    void opensAHuggingFaceCacheSnapshotOfSymbolicLinks() throws Exception {
        Workbench workbench = new Workbench(home);
        Path blobs = workbench.synthesize("gr00t", false, home.resolve("blobs"), 1, 1, false);
        Path snapshot = Files.createDirectories(home.resolve("snapshots/869830fc"));
        try (var files = Files.walk(blobs)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path link = snapshot.resolve(blobs.relativize(file));
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, file);
            }
        }
        ModelSpec spec = workbench.inspect(snapshot);
        assertEquals(Family.GR00T_N1_5, spec.family());
        assertTrue(spec.sharded());
        assertEquals(workbench.inspect(blobs).totalParams(), spec.totalParams());
    }

    /** config.json corrupted thousands of ways: inspect reports our error, or a model, never anything else. */
    @Test
    void corruptedConfigsOnlyEverGivePlateauErrors() throws Exception {
        Workbench workbench = new Workbench(home);
        byte[] chars = "{}[]:,\"-.0123456789 tnulfase_".getBytes(StandardCharsets.US_ASCII);
        for (String model : List.of("smolvla", "pi0", "gr00t", "qwen3")) {
            Path ckpt = workbench.synthesize(model, false, home.resolve(model), 0, 1, false);
            Path config = ckpt.resolve("config.json");
            byte[] original = Files.readAllBytes(config);
            Random random = new Random(model.hashCode());
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int v = 0; v < 500; v++) {
                    byte[] mutated = original.clone();
                    for (int k = 0; k <= random.nextInt(4); k++) {
                        mutated[random.nextInt(mutated.length)] = chars[random.nextInt(chars.length)];
                    }
                    Files.write(config, mutated);
                    try {
                        workbench.inspect(ckpt);
                    } catch (PlateauException expected) {
                        assertEquals(1, expected.getMessage().lines().count(), expected.getMessage());
                    } catch (Throwable other) {
                        fail(model + " variant " + v + " threw " + other + ": "
                                + new String(mutated, StandardCharsets.UTF_8), other);
                    }
                }
            });
        }
    }
}
