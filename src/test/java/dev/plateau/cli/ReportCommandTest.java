package dev.plateau.cli;

import static dev.plateau.cli.Cli.plateau;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plateau report}: one self-contained page that shows the calibration and the plan, and says where they came from. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void thePageCarriesEveryFigureInlineThePlanAndItsProvenance() throws Exception {
        Cli.Calibrated calibrated = Cli.calibratedSmolVla(dir, 3, "--seed", "5");
        Path ckpt = calibrated.checkpoint();
        Path run = calibrated.run();
        Path page = dir.resolve("report.html");
        Cli.Result r = plateau("report", run.toString(), "--checkpoint", ckpt.toString(), "--plan",
                "sample-configs/smolvla-table5.plan.json", "--out", page.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(page);

        // vision, vlm and expert: a heatmap and a profile each, drawn into the page itself
        assertEquals(6, html.split("<svg", -1).length - 1);
        assertFalse(html.contains("<link") || html.contains("<script") || html.contains("src=\"http")
                || html.contains("url(http"), "nothing is fetched from outside the file");
        assertTrue(html.contains("removes [1, 2, 5, 6, 14, 15], keeps 10"), "the paper's plan for the VLM");
        assertTrue(html.contains("<h2>Criteria compared</h2>"));
        assertTrue(html.contains("<th>seed</th><td>5</td>") && html.contains("<th>samples</th><td>3</td>"));
        assertTrue(html.contains("<th>device</th><td>cpu</td>"));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.filter(p -> p.getFileName().toString().endsWith(".part")).count());
        }

        // the digest names the checkpoint's content: a copy has the same, a changed config another
        String digest = digest(html);
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(ckpt)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        assertEquals(0, plateau("report", run.toString(), "--checkpoint", copy.toString(), "--out",
                page.toString()).code());
        assertEquals(digest, digest(Files.readString(page)), "a copy is the same checkpoint");
        assertTrue(Files.readString(page).contains("No plan was given"));
        Files.writeString(copy.resolve("config.json"), Files.readString(copy.resolve("config.json")) + " ");
        assertEquals(0, plateau("report", run.toString(), "--checkpoint", copy.toString(), "--out",
                page.toString()).code());
        assertNotEquals(digest, digest(Files.readString(page)), "a changed config is another checkpoint");
    }

    @Test
    void aPlanThatBreaksTheModelsRulesGetsOneLineAndNoPage() throws Exception {
        Cli.Calibrated calibrated = Cli.calibratedSmolVla(dir, 2);
        Path ckpt = calibrated.checkpoint();
        Path run = calibrated.run();
        Path plan = Files.writeString(dir.resolve("bad.plan.json"),
                "{\"family\": \"smolvla\", \"modules\": {\"vlm\": {\"remove\": [1]}}}");
        Path page = dir.resolve("report.html");
        Cli.Result r = plateau("report", run.toString(), "--checkpoint", ckpt.toString(), "--plan", plan.toString(),
                "--out", page.toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("bad.plan.json"), r.err());
        assertFalse(Files.exists(page));
    }

    private static String digest(String html) {
        Matcher m = Pattern.compile("checkpoint digest \\(SHA-256 of config and headers\\)</th><td>([0-9a-f]{64})<")
                .matcher(html);
        assertTrue(m.find(), "the page names the checkpoint's digest");
        return m.group(1);
    }
}
