package dev.plateau.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plateau.workbench.PlateauException;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.UUID;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Writes a figure for a paper: the chart as PNG (at twice the screen size) or SVG, its numbers as CSV or JSON, by the
 * file's extension. Files are written beside their target and moved in place, so a failure leaves nothing half
 * written.
 */
final class FigureExport {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final int WIDTH = 800;
    static final int HEIGHT = 600;

    private FigureExport() {
    }

    /** The extensions understood, for the file chooser. */
    static final String[] EXTENSIONS = {"png", "svg", "csv", "json"};

    static void save(JFreeChart chart, FigureData data, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        try {
            Path parent = file.toAbsolutePath().getParent();
            // not a temporary file: those are made readable by their owner only, and a figure is for sharing
            Path staged = parent.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".part");
            try {
                switch (extension) {
                    case "png" -> ChartUtils.saveChartAsPNG(staged.toFile(), chart, 2 * WIDTH, 2 * HEIGHT);
                    case "svg" -> {
                        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
                        chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
                        SVGUtils.writeToSVG(staged.toFile(), g.getSVGElement());
                    }
                    case "csv" -> Files.writeString(staged, csv(data), StandardCharsets.UTF_8);
                    case "json" -> MAPPER.writerWithDefaultPrettyPrinter().writeValue(staged.toFile(), json(data));
                    default -> throw new PlateauException(file + ": choose a file ending in .png, .svg, .csv or "
                            + ".json");
                }
                Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(staged);
            }
        } catch (IOException e) {
            throw new PlateauException(file + ": cannot be written: " + e.getMessage(), e);
        }
    }

    static String csv(FigureData data) {
        StringBuilder s = new StringBuilder(String.join(",", data.columns())).append('\n');
        for (double[] row : data.rows()) {
            for (int i = 0; i < row.length; i++) {
                s.append(i == 0 ? "" : ",").append(format(row[i]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    static ObjectNode json(FigureData data) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("figure", data.name());
        ArrayNode columns = root.putArray("columns");
        data.columns().forEach(columns::add);
        ArrayNode rows = root.putArray("rows");
        for (double[] row : data.rows()) {
            ArrayNode r = rows.addArray();
            for (double v : row) {
                if (Double.isNaN(v)) {
                    r.addNull();
                } else {
                    r.add(v);
                }
            }
        }
        return root;
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
