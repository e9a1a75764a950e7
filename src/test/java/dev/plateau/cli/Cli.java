package dev.plateau.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

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
}
