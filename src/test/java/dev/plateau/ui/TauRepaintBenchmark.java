package dev.plateau.ui;

import dev.plateau.figures.Charts;
import java.util.Locale;
import java.util.Optional;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.ModuleAnalysis;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.model.Family;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import dev.plateau.prune.ModulePlan;
import dev.plateau.prune.Plan;
import dev.plateau.workbench.OpenedModel;
import dev.plateau.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartCanvas;

/**
 * What one tau change costs on a 48-layer module: the plan under the model's rules, then the heatmap's blocks and
 * removal marks and the profile redrawn on their canvases at window size, on the FX thread (headless, software
 * rendering). The reference in the same run is a bare redraw of the same two charts with nothing changed.
 * Prints one JSON line: median and 95th percentile milliseconds of both. Run by bench/tau-repaint.sh.
 */
public final class TauRepaintBenchmark {
    private static final int LAYERS = 48;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("headless.geometry", "1600x1200-32");
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get();
        CompletableFuture<String> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(run(rounds));
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        System.out.println(result.get());
        Platform.exit();
    }

    private static String run(int rounds) throws Exception {
        SimilarityMatrix matrix = plateaus(LAYERS, 7);
        ModuleAnalysis module = new ModuleAnalysis("decoder", 4096, 4096, Map.of(Metric.CKA, matrix));
        Analysis analysis = new Analysis("bench", Map.of("family", "decoder-llm", "samples", "8"),
                Map.of("decoder", module));
        ModuleSpec spec = new ModuleSpec("decoder", "model.layers.", 4096, Collections.nCopies(LAYERS, 218_112_000L),
                List.of("num_hidden_layers"));
        OpenedModel model = new OpenedModel(new ModelSpec(Family.DECODER_LLM, "llama", "", Path.of("bench"),
                List.of(spec), List.of(), LAYERS * 218_112_000L, Map.of(), LAYERS * 9, List.of(), false),
                LAYERS * 218_112_000L, Set.of("decoder"), "full fine-tuning");
        Workbench workbench = new Workbench(Files.createTempDirectory("plateau-bench"));
        JFreeChart heatmap = Charts.heatmap();
        JFreeChart profile = Charts.profile();
        Charts.showMatrix(heatmap, "decoder", matrix);
        ChartCanvas heat = new ChartCanvas(heatmap);
        heat.setWidth(760);
        heat.setHeight(470);
        ChartCanvas prof = new ChartCanvas(profile);
        prof.setWidth(760);
        prof.setHeight(290);
        Stage stage = new Stage();
        stage.setScene(new Scene(new VBox(heat, prof), 760, 760));
        stage.show();
        double[] adjacent = matrix.adjacent();
        double low = Arrays.stream(adjacent, 1, LAYERS).min().orElseThrow();
        double high = Arrays.stream(adjacent, 1, LAYERS).max().orElseThrow();
        long[] update = new long[rounds];
        long[] bare = new long[rounds];
        for (int r = -50; r < rounds; r++) {
            double tau = low + (high - low) * ((r + 50) % 97) / 96.0;
            long t0 = System.nanoTime();
            Plan plan = workbench.livePlan(model, analysis, "cka", 0, Map.of("decoder", tau), Map.of("decoder", 12),
                    Map.of(), true);
            workbench.estimate(model, Optional.of(analysis), plan);
            ModulePlan m = plan.modules().get("decoder");
            Charts.showPlan(heatmap, m, 20);
            Charts.showProfile(profile, "decoder", matrix, m, m.tau());
            long t1 = System.nanoTime();
            heat.draw();
            prof.draw();
            long t2 = System.nanoTime();
            if (r >= 0) {
                update[r] = t1 - t0;
                bare[r] = t2 - t1;
            }
        }
        stage.close();
        long[] total = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            total[i] = update[i] + bare[i];
        }
        return String.format(Locale.ROOT, "{\"layers\": %d, \"rounds\": %d, \"tau_change_median_ms\": %.3f, "
                        + "\"tau_change_p95_ms\": %.3f, \"bare_redraw_median_ms\": %.3f, \"bare_redraw_p95_ms\": %.3f}",
                LAYERS, rounds, percentile(total, 0.5), percentile(total, 0.95), percentile(bare, 0.5),
                percentile(bare, 0.95));
    }

    /** Blocks of similar layers: CKA 0.97..0.995 within a block, decaying with distance between blocks. */
    static SimilarityMatrix plateaus(int layers, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] block = new int[layers];
        for (int i = 1, b = 0; i < layers; i++) {
            block[i] = random.nextInt(5) == 0 ? ++b : b;
        }
        double[][] v = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j <= i; j++) {
                double s = i == j ? 1 : Math.pow(block[i] == block[j] ? 0.985 + 0.01 * random.nextDouble() : 0.9,
                        i - j);
                v[i][j] = s;
                v[j][i] = s;
            }
        }
        return new SimilarityMatrix(Metric.CKA, v, List.of());
    }

    private static double percentile(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }
}
