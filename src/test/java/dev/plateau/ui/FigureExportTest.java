package dev.plateau.ui;

import dev.plateau.figures.Charts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.analysis.Metric;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.Algorithm1;
import dev.plateau.prune.ModulePlan;
import dev.plateau.workbench.PlateauException;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
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

    /**
     * The outlines are looked for in the picture itself, where they must be: counting annotations passed while every
     * outline was drawn with a negative height on the heatmap's inverted axis, which is nothing at all.
     */
    @Test
    void theBlockOutlineAndTheSelectedLayerAreVisibleWhereTheyBelong() {
        SimilarityMatrix flat = new SimilarityMatrix(Metric.CKA, new double[][] {{0.2, 0.2, 0.2, 0.2},
                {0.2, 0.2, 0.2, 0.2}, {0.2, 0.2, 0.2, 0.2}, {0.2, 0.2, 0.2, 0.2}}, List.of());
        JFreeChart chart = Charts.heatmap();
        Charts.showMatrix(chart, "vlm", flat);
        Charts.showPlan(chart, null, -1);
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage bare = chart.createBufferedImage(600, 600, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        ModulePlan plan = new ModulePlan("vlm", 4, List.of(), 0.8, 0, "cka", List.of(), List.of(
                new Algorithm1.Block(1, 2)), List.of(), List.of());
        Charts.showPlan(chart, plan, -1);
        BufferedImage outlined = chart.createBufferedImage(600, 600);
        // the block of layers 1..2 spans 0.5..2.5 on both axes; layer 0 is at the top
        XYPlot xy = chart.getXYPlot();
        int left = (int) xy.getDomainAxis().valueToJava2D(0.5, area, RectangleEdge.BOTTOM);
        int right = (int) xy.getDomainAxis().valueToJava2D(2.5, area, RectangleEdge.BOTTOM);
        int top = (int) xy.getRangeAxis().valueToJava2D(0.5, area, RectangleEdge.LEFT);
        int bottom = (int) xy.getRangeAxis().valueToJava2D(2.5, area, RectangleEdge.LEFT);
        assertTrue(top < bottom, "layer 0 is at the top");
        for (int[] edge : new int[][] {{left, top, right, top}, {left, bottom, right, bottom}, {left, top, left, bottom},
                {right, top, right, bottom}}) {
            assertTrue(changedNear(bare, outlined, edge) > 0.9, "the outline is drawn along " + Arrays.toString(edge));
        }
        int middle = (top + bottom) / 2;
        assertEquals(0, changedNear(bare, outlined, new int[] {left + 8, middle, right - 8, middle}),
                "inside the block the cells show through");

        Charts.showPlan(chart, null, 3);
        BufferedImage selected = chart.createBufferedImage(600, 600);
        int column = (int) xy.getDomainAxis().valueToJava2D(2.5, area, RectangleEdge.BOTTOM);
        assertTrue(changedNear(bare, selected, new int[] {column, (int) area.getMinY() + 3, column,
                (int) area.getMaxY() - 3}) > 0.9, "the selected layer's column is outlined");
    }

    /** The share of points along a segment where the two pictures differ within 2 pixels. */
    private static double changedNear(BufferedImage a, BufferedImage b, int[] segment) {
        int steps = Math.max(Math.abs(segment[2] - segment[0]), Math.abs(segment[3] - segment[1]));
        int changed = 0;
        for (int s = 0; s <= steps; s++) {
            int x = segment[0] + (segment[2] - segment[0]) * s / Math.max(1, steps);
            int y = segment[1] + (segment[3] - segment[1]) * s / Math.max(1, steps);
            boolean differs = false;
            for (int dx = -2; dx <= 2 && !differs; dx++) {
                for (int dy = -2; dy <= 2 && !differs; dy++) {
                    differs = a.getRGB(x + dx, y + dy) != b.getRGB(x + dx, y + dy);
                }
            }
            changed += differs ? 1 : 0;
        }
        return (double) changed / (steps + 1);
    }

    @Test
    void theSvgFigureCarriesTheOutlines() throws Exception {
        JFreeChart chart = Charts.heatmap();
        Charts.showMatrix(chart, "vlm", MATRIX);
        Charts.showPlan(chart, new ModulePlan("vlm", 3, List.of(), 0.8, 0, "cka", List.of(), List.of(
                new Algorithm1.Block(0, 1)), List.of(), List.of()), -1);
        Path svg = dir.resolve("h.svg");
        FigureExport.save(chart, new FigureData("h", List.of("a"), List.of()), svg);
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("stroke-width:2.5;stroke:rgb(255,255,255)"), "the block outline is in the SVG");
        assertFalse(text.matches("(?s).*(height|width)=['\"]-.*"), "no shape has a negative size");
    }

    @Test
    void figuresGetTheUsersNormalFileMode() throws Exception {
        Path reference = Files.writeString(dir.resolve("reference.txt"), "made as any program makes a file");
        JFreeChart chart = Charts.heatmap();
        Charts.showMatrix(chart, "vlm", MATRIX);
        FigureData data = new FigureData("vlm", List.of("a"), List.<double[]>of(new double[] {1}));
        for (String name : new String[] {"f.png", "f.svg", "f.csv", "f.json"}) {
            FigureExport.save(chart, data, dir.resolve(name));
            assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(dir.resolve(name)),
                    name);
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.filter(p -> p.getFileName().toString().endsWith(".part")).count());
        }
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
