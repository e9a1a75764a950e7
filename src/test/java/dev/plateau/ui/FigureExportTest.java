package dev.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.Algorithm1;
import dev.plateau.prune.ModulePlan;
import dev.plateau.workbench.PlateauException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYZDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Figures for a paper, without a window: what the charts hold and what the files contain. */
class FigureExportTest {
    @TempDir
    Path dir;

    private static final SimilarityMatrix MATRIX = new SimilarityMatrix(Metric.CKA,
            new double[][] {{1, 0.9, 0.5}, {0.9, 1, 0.6}, {0.5, 0.6, 1}}, List.of());

    @Test
    void theHeatmapHoldsEveryPairAndThePlanMarksBlocksAndRemovals() {
        JFreeChart chart = Charts.heatmap();
        Charts.showMatrix(chart, "vlm", MATRIX);
        XYZDataset data = (XYZDataset) chart.getXYPlot().getDataset();
        assertEquals(9, data.getItemCount(0));
        for (int item = 0; item < 9; item++) {
            int x = (int) data.getXValue(0, item);
            int y = (int) data.getYValue(0, item);
            assertEquals(MATRIX.get(y, x), data.getZValue(0, item));
        }
        ModulePlan plan = new ModulePlan("vlm", 3, List.of(1), 0.8, 1, "cka", List.of(), List.of(
                new Algorithm1.Block(0, 1), new Algorithm1.Block(2, 2)), List.of(1), List.of());
        Charts.showPlan(chart, plan, 2);
        // one outline for the two-layer block, two strokes crossing out layer 1, one box for the selected layer
        assertEquals(4, chart.getXYPlot().getAnnotations().size());
    }

    @Test
    void csvAndJsonCarryTheNumbers() throws Exception {
        FigureData data = new FigureData("vlm-profile", List.of("layer", "cka"), List.of(new double[] {1, 0.9},
                new double[] {2, Double.NaN}));
        JFreeChart chart = Charts.profile();
        FigureExport.save(chart, data, dir.resolve("p.csv"));
        assertEquals("layer,cka\n1,0.9\n2,\n", Files.readString(dir.resolve("p.csv"), StandardCharsets.UTF_8));
        FigureExport.save(chart, data, dir.resolve("p.json"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("p.json").toFile());
        assertEquals("vlm-profile", json.path("figure").asText());
        assertEquals(0.9, json.path("rows").path(0).path(1).asDouble());
        assertTrue(json.path("rows").path(1).path(1).isNull());
    }

    @Test
    void pngAndSvgAreRealImages() throws Exception {
        JFreeChart chart = Charts.heatmap();
        Charts.showMatrix(chart, "vlm", MATRIX);
        FigureData none = new FigureData("x", List.of(), List.of());
        FigureExport.save(chart, none, dir.resolve("h.png"));
        FigureExport.save(chart, none, dir.resolve("h.svg"));
        byte[] png = Files.readAllBytes(dir.resolve("h.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        String svg = Files.readString(dir.resolve("h.svg"));
        assertTrue(svg.contains("<svg") && svg.contains("linear CKA"), svg.substring(0, 200));
    }

    @Test
    void anUnknownExtensionIsRefusedAndLeavesNothingBehind() throws Exception {
        PlateauException e = assertThrows(PlateauException.class, () -> FigureExport.save(Charts.profile(),
                new FigureData("x", List.of(), List.of()), dir.resolve("figure.bmp")));
        assertTrue(e.getMessage().contains("figure.bmp"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
