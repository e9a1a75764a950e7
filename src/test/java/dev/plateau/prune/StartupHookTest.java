package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.ModelDetector;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.SyntheticModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pi0.5 export's start-up hook, run by a real Python on PYTHONPATH: modules shaped as LeRobot's modeling_pi0 /
 * modeling_pi05 (a plain GemmaConfig class) and openpi's gemma (a frozen dataclass), each hard-coding depth 18, give
 * the pruned depth after import; other modules and an existing sitecustomize further down the path are left alone.
 */
class StartupHookTest {
    @TempDir
    Path dir;

    @Test
    void theOriginalCodesGemmaConfigsGetThePrunedDepth() throws Exception {
        Path source = CheckpointBuilder.write(SyntheticModels.named("pi05", false).orElseThrow(), dir.resolve("pi05"),
                CheckpointBuilder.Fill.RANDOM, 1, 0, false);
        Plan plan = PlanFile.read(Path.of("sample-configs/pi0-table5.plan.json"));
        Path export = dir.resolve("pi05-pruned");
        try (Checkpoint c = Checkpoint.open(source)) {
            ModelSpec spec = ModelDetector.detect(c);
            Exporter.export(c, spec, new Plan("pi05", plan.modules(), plan.problems()), export, false);
        }
        Path hook = export.resolve(Exporter.HOOK);
        assertTrue(Files.isRegularFile(hook.resolve("sitecustomize.py")));

        Path site = Files.createDirectories(dir.resolve("site"));
        String plain = """
                class GemmaConfig:
                    def __init__(self, width, depth):
                        self.width = width
                        self.depth = depth


                def get_gemma_config(variant):
                    return GemmaConfig(2048 if variant == "gemma_2b" else 1024, 18)
                """;
        write(site, "lerobot/policies/pi0/modeling_pi0.py", plain);
        write(site, "lerobot/policies/pi05/modeling_pi05.py", plain);
        write(site, "lerobot/policies/smolvla/modeling_smolvla.py", plain);
        write(site, "openpi/models/gemma.py", """
                import dataclasses


                @dataclasses.dataclass(frozen=True)
                class Config:
                    width: int
                    depth: int


                def get_config(variant):
                    return Config(2048, 18)
                """);
        write(site, "sitecustomize.py", "import builtins\nbuiltins.EARLIER_SITECUSTOMIZE_RAN = True\n");
        Path probe = dir.resolve("probe.py");
        Files.writeString(probe, """
                import builtins
                from lerobot.policies.pi0 import modeling_pi0
                from lerobot.policies.pi05 import modeling_pi05
                from lerobot.policies.smolvla import modeling_smolvla
                from openpi.models import gemma
                print(modeling_pi0.get_gemma_config("gemma_2b").depth, modeling_pi0.get_gemma_config("gemma_300m").depth,
                      modeling_pi05.get_gemma_config("gemma_2b").depth, gemma.get_config("gemma_2b").depth,
                      gemma.get_config("gemma_2b").width, modeling_smolvla.get_gemma_config("gemma_2b").depth,
                      getattr(builtins, "EARLIER_SITECUSTOMIZE_RAN", False))
                """);
        ProcessBuilder python = new ProcessBuilder("python3", probe.toString()).redirectErrorStream(true);
        python.environment().put("PYTHONPATH", hook + ":" + site);
        Process p = python.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        // the paper's pi0 plan keeps 12 of 18 layers
        assertEquals("12 12 12 12 2048 18 True", out);
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        for (Path folder = path.getParent(); !folder.equals(root); folder = folder.getParent()) {
            Path init = folder.resolve("__init__.py");
            if (!Files.exists(init)) {
                Files.writeString(init, "");
            }
        }
        Files.writeString(path, text);
    }
}
