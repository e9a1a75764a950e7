package dev.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the {@code plateau} command line in-process, as a user would, for tests. */
final class Cli {
    private Cli() {
    }

    /** What one command printed and returned. */
    record Result(int code, String out, String err) {
    }

    static Result plateau(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A synthetic SmolVLA and its calibration on the demo scenes, in {@code dir}. */
    record Calibrated(Path checkpoint, Path run) {
    }

    /**
     * Writes a synthetic SmolVLA to {@code dir/smolvla} and calibrates {@code samples} of the demo scenes into
     * {@code dir/run.json}, with {@code options} added to {@code plateau calibrate}; both must succeed.
     */
    static Calibrated calibratedSmolVla(Path dir, int samples, String... options) {
        Path checkpoint = dir.resolve("smolvla");
        assertEquals(0, plateau("synth", "smolvla", "--out", checkpoint.toString()).code());
        Path run = dir.resolve("run.json");
        List<String> args = new ArrayList<>(List.of("calibrate", checkpoint.toString(), "--data",
                "assets/demo-calibration", "--samples", Integer.toString(samples), "--out", run.toString()));
        args.addAll(List.of(options));
        Result r = plateau(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return new Calibrated(checkpoint, run);
    }
}
