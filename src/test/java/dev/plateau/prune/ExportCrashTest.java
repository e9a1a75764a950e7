package dev.plateau.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.model.CheckpointBuilder;
import dev.plateau.model.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export killed with SIGKILL half-way leaves the source as it was and no target, and the next export cleans up; one
 * interrupted (Ctrl+C, SIGTERM) leaves nothing at all.
 */
class ExportCrashTest {
    @TempDir
    Path dir;

    /** Every file of the folder with its size and modification time. */
    private static Map<String, String> snapshot(Path folder) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(folder.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    private static List<Path> partials(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".pruned.partial-")).toList();
        }
    }

    private static boolean writingWeights(Path parent) throws IOException {
        for (Path partial : partials(parent)) {
            try (Stream<Path> s = Files.list(partial)) {
                if (s.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors") && p.toFile().length() > 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void killedMidWayLeavesTheSourceIntactAndNoTarget() throws Exception {
        Path source = CheckpointBuilder.write(SyntheticModels.named("gr00t", true).orElseThrow(),
                dir.resolve("gr00t-real"), CheckpointBuilder.Fill.UNWRITTEN, 0, 0, false);
        Map<String, String> before = snapshot(source);
        Path out = dir.resolve("pruned");
        Process child = startPrune(source, out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!writingWeights(dir) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the export was still running when killed: " + Files.readString(
                dir.resolve("child.log")));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        assertFalse(Files.exists(out), "no target folder");
        assertEquals(before, snapshot(source), "the source is untouched");
        assertEquals(1, partials(dir).size(), "the killed writer's staging folder is left behind");
        StagedFolder.create(dir.resolve("another-name"), false).close();
        assertEquals(List.of(), partials(dir), "the next writer, of any name, removes the abandoned staging folder");
    }

    /** Ctrl+C and a termination signal run the same shutdown: the export stops and removes its staging folder. */
    @Test
    void interruptedMidWayLeavesNothing() throws Exception {
        Path source = CheckpointBuilder.write(SyntheticModels.named("gr00t", true).orElseThrow(),
                dir.resolve("gr00t-real"), CheckpointBuilder.Fill.UNWRITTEN, 0, 0, false);
        Path out = dir.resolve("pruned");
        Process child = startPrune(source, out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!writingWeights(dir) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the export was still running when interrupted: " + Files.readString(
                dir.resolve("child.log")));
        child.destroy();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertFalse(Files.exists(out), "no target folder");
        assertEquals(List.of(), partials(dir), "no staging folder: " + Files.readString(dir.resolve("child.log")));
    }

    private Process startPrune(Path source, Path out) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.plateau.cli.Main", "prune", source.toString(),
                "--plan", "sample-configs/gr00t-table5.plan.json", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    }
}
