package dev.plateau.cli;

import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plateau analyze ACTS --metric ... --out ANALYSIS.json}. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Compute layer similarity (all pairs and the adjacent profile) of every module in an activation "
                + "file.")
final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ACTS", description = "activation file (safetensors; format in the README)")
    private Path activations;

    @Option(names = "--metric", split = ",", paramLabel = "METRIC", defaultValue = "cka",
            description = "cka, cka-minibatch, cosine, mse, angular, bi, or all; repeat or separate by commas "
                    + "(default: ${DEFAULT-VALUE})")
    private List<String> metrics = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "1024",
            description = "tokens per batch of cka-minibatch (default: ${DEFAULT-VALUE})")
    private int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed of cka-minibatch's token order")
    private long seed;

    @Option(names = "--out", required = true, paramLabel = "ANALYSIS.json", description = "where to write the analysis")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Analysis analysis = Workbench.standard().analyze(activations, metrics, batchSize, seed, out);
        PrintWriter w = spec.commandLine().getOut();
        for (ModuleAnalysis m : analysis.modules().values()) {
            w.printf(Locale.ROOT, "%s: %d layers, %d tokens, width %d%n", m.name(), m.layers(), m.tokens(), m.width());
            for (SimilarityMatrix s : m.metrics().values()) {
                StringBuilder profile = new StringBuilder();
                double[] adjacent = s.adjacent();
                for (int i = 1; i < adjacent.length; i++) {
                    profile.append(String.format(Locale.ROOT, " %.3f", adjacent[i]));
                }
                w.printf(Locale.ROOT, "  %-14s adjacent (layer 1..%d vs previous):%s%n", s.metric().code(),
                        adjacent.length - 1, profile);
                s.notes().forEach(n -> w.println("    note: " + n));
            }
        }
        w.println("wrote " + out);
        w.flush();
        return 0;
    }
}
