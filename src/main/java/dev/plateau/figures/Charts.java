package dev.plateau.figures;

import org.jfree.chart.ui.TextAnchor;
import dev.plateau.analysis.Metric;
import dev.plateau.finetune.TrainingMetric;
import dev.plateau.analysis.SimilarityMatrix;
import dev.plateau.prune.Algorithm1;
import dev.plateau.prune.ModulePlan;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Arrays;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnitSource;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The figures, as JFreeChart charts that need no window (so they also render to PNG and SVG): the similarity
 * heatmap with Algorithm 1's blocks and removal set drawn on it, the adjacent profile with the tau line, and the
 * latent geometry scatter. Each chart is made once and then updated in place; the window and the report draw the
 * same charts.
 */
public final class Charts {
    public static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    public static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Charts() {
    }

    /** The all-pairs similarity of a module's layers; layer 0 at the top left. */
    public static JFreeChart heatmap() {
        NumberAxis x = integerAxis("layer");
        NumberAxis y = integerAxis("layer");
        y.setInverted(true);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockAnchor(RectangleAnchor.CENTER);
        renderer.setDefaultToolTipGenerator((dataset, series, item) -> {
            DefaultXYZDataset d = (DefaultXYZDataset) dataset;
            return String.format(Locale.ROOT, "layer %d vs layer %d: %.4f", (int) d.getXValue(series, item),
                    (int) d.getYValue(series, item), d.getZValue(series, item));
        });
        XYPlot plot = new XYPlot(new DefaultXYZDataset(), x, y, renderer);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        JFreeChart chart = new JFreeChart(null, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Shows {@code matrix} (module {@code module}); a fixed 0..1 scale for bounded metrics, else 0..max. */
    public static void showMatrix(JFreeChart chart, String module, SimilarityMatrix matrix) {
        int n = matrix.layers();
        double[][] xyz = new double[3][n * n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int at = i * n + j;
                xyz[0][at] = j;
                xyz[1][at] = i;
                xyz[2][at] = matrix.get(i, j);
                max = Math.max(max, matrix.get(i, j));
            }
        }
        XYPlot plot = chart.getXYPlot();
        chart.setNotify(false);
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries(module, xyz);
        plot.setDataset(dataset);
        double high = bounded(matrix.metric()) ? 1 : max;
        XYBlockRenderer renderer = (XYBlockRenderer) plot.getRenderer();
        renderer.setPaintScale(Palette.heat(0, high));
        ((NumberAxis) plot.getDomainAxis()).setRange(-0.5, n - 0.5);
        ((NumberAxis) plot.getRangeAxis()).setRange(-0.5, n - 0.5);
        chart.clearSubtitles();
        NumberAxis scale = new NumberAxis(matrix.metric().label());
        scale.setRange(0, high > 0 ? high : 1);
        scale.setLabelFont(LABEL);
        PaintScaleLegend legend = new PaintScaleLegend(Palette.heat(0, high), scale);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(new RectangleInsets(8, 8, 8, 8));
        legend.setStripWidth(12);
        legend.setFrame(BlockBorder.NONE);
        chart.addSubtitle(legend);
        chart.setTitle(module + " \u2014 " + matrix.metric().label() + " between layers");
        chart.getTitle().setFont(TITLE);
        chart.setNotify(true);
    }

    public static boolean bounded(Metric metric) {
        return metric != Metric.MSE && metric != Metric.BI;
    }

    /** Outlines Algorithm 1's blocks, crosses out the removed layers and marks the selected layer. */
    public static void showPlan(JFreeChart chart, ModulePlan plan, int selected) {
        XYPlot xy = chart.getXYPlot();
        chart.setNotify(false);
        xy.clearAnnotations();
        if (plan != null) {
            for (Algorithm1.Block b : plan.blocks()) {
                if (b.size() > 1) {
                    xy.addAnnotation(outline(b.first() - 0.5, b.first() - 0.5, b.last() + 0.5, b.last() + 0.5,
                            new BasicStroke(2.5f), Palette.BLOCK), false);
                }
            }
            for (int i : plan.remove()) {
                BasicStroke stroke = new BasicStroke(2f);
                xy.addAnnotation(new XYLineAnnotation(i - 0.4, i - 0.4, i + 0.4, i + 0.4, stroke, Palette.REMOVED),
                        false);
                xy.addAnnotation(new XYLineAnnotation(i - 0.4, i + 0.4, i + 0.4, i - 0.4, stroke, Palette.REMOVED),
                        false);
            }
        }
        if (selected >= 0) {
            xy.addAnnotation(outline(selected - 0.5, -0.5, selected + 0.5, xy.getRangeAxis().getUpperBound(),
                    new BasicStroke(1.5f), Palette.SELECTED), false);
        }
        chart.setNotify(true);
    }

    /**
     * A rectangle outlined in data coordinates. A shape annotation, not a box annotation: JFreeChart draws a box on an
     * inverted axis (the heatmap's layer 0 at the top) with a negative height, which is nothing at all.
     */
    public static XYShapeAnnotation outline(double x0, double y0, double x1, double y1, BasicStroke stroke, Color paint) {
        return new XYShapeAnnotation(new Rectangle2D.Double(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0),
                Math.abs(y1 - y0)), stroke, paint);
    }

    /** The adjacent profile s_i (layer i vs i - 1) with the removed layers marked and the tau line. */
    public static JFreeChart profile() {
        NumberAxis x = integerAxis("layer i (compared with i \u2212 1)");
        NumberAxis y = new NumberAxis("adjacent similarity");
        y.setLabelFont(LABEL);
        y.setNumberFormatOverride(new DecimalFormat("0.0####", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, Palette.PROFILE);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
        renderer.setSeriesPaint(1, Palette.REMOVED);
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShape(1, new Rectangle2D.Double(-5, -5, 10, 10));
        renderer.setDefaultToolTipGenerator((dataset, series, item) -> String.format(Locale.ROOT,
                "layer %d vs %d: %.4f%s", (int) dataset.getXValue(series, item), (int) dataset.getXValue(series, item) - 1,
                dataset.getYValue(series, item), series == 1 ? " (removed)" : ""));
        XYPlot plot = new XYPlot(new XYSeriesCollection(), x, y, renderer);
        return lineChart(plot);
    }

    /** Shows the profile of {@code matrix}, the plan's removal set and the line at {@code tau}. */
    public static void showProfile(JFreeChart chart, String module, SimilarityMatrix matrix, ModulePlan plan, double tau) {
        chart.setNotify(false);
        double[] profile = matrix.adjacent();
        XYSeries line = new XYSeries("adjacent " + matrix.metric().label(), false, false);
        XYSeries removed = new XYSeries("removed", false, false);
        List<Integer> remove = plan == null ? List.of() : plan.remove();
        for (int i = 1; i < profile.length; i++) {
            line.add(i, profile[i], false);
            if (remove.contains(i)) {
                removed.add(i, profile[i], false);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(line);
        data.addSeries(removed);
        XYPlot plot = chart.getXYPlot();
        plot.setDataset(data);
        plot.getDomainAxis().setRange(0.5, Math.max(1.5, profile.length - 0.5));
        plot.clearRangeMarkers();
        if (!Double.isNaN(tau)) {
            ValueMarker marker = new ValueMarker(tau, Palette.TAU, new BasicStroke(2f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
            marker.setLabel(String.format(Locale.ROOT, "\u03c4 = %.4f", tau));
            marker.setLabelFont(LABEL);
            marker.setLabelPaint(Palette.TAU.darker());
            // the label goes on the side of the line with room: below it when τ is in the upper half of the profile
            double low = Arrays.stream(profile).filter(Double::isFinite).min().orElse(tau);
            double high = Arrays.stream(profile).filter(Double::isFinite).max().orElse(tau);
            boolean upper = tau >= (low + high) / 2;
            marker.setLabelAnchor(upper ? RectangleAnchor.BOTTOM_LEFT : RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(upper ? TextAnchor.TOP_LEFT : TextAnchor.BOTTOM_LEFT);
            marker.setLabelOffset(new RectangleInsets(4, 6, 4, 6));
            plot.addRangeMarker(marker);
        }
        chart.setTitle(module + " \u2014 adjacent-layer profile");
        chart.getTitle().setFont(TITLE);
        chart.setNotify(true);
    }

    /** A scatter of token states on two principal components, one series per token type. */
    public static JFreeChart latent(String title) {
        NumberAxis x = new NumberAxis("PC 1");
        NumberAxis y = new NumberAxis("PC 2");
        x.setLabelFont(LABEL);
        y.setLabelFont(LABEL);
        XYShapeRenderer renderer = new XYShapeRenderer();
        for (int t = 0; t < Palette.TOKEN_TYPES.length; t++) {
            renderer.setSeriesPaint(t, Palette.TOKEN_TYPES[t]);
            renderer.setSeriesShape(t, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        renderer.setUseFillPaint(false);
        XYPlot plot = new XYPlot(new XYSeriesCollection(), x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setFrame(BlockBorder.NONE);
        return chart;
    }

    /** Shows components {@code a} and {@code b} of {@code points} coloured by {@code types}. */
    public static void showLatent(JFreeChart chart, String title, double[][] points, byte[] types, int a, int b,
                           double[] explained) {
        chart.setNotify(false);
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries[] series = new XYSeries[Palette.TOKEN_TYPES.length];
        for (int t = 0; t < series.length; t++) {
            series[t] = new XYSeries(Palette.TOKEN_TYPE_NAMES[t], false, true);
        }
        for (int i = 0; i < points.length; i++) {
            int t = types.length == points.length ? Math.min(types[i], series.length - 1) : 0;
            series[t].add(points[i][a], points[i][b], false);
        }
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        XYPlot plot = chart.getXYPlot();
        plot.setDataset(data);
        plot.getDomainAxis().setLabel(String.format(Locale.ROOT, "PC %d (%.1f %%)", a + 1, 100 * explained[a]));
        plot.getRangeAxis().setLabel(String.format(Locale.ROOT, "PC %d (%.1f %%)", b + 1, 100 * explained[b]));
        chart.setTitle(title);
        chart.getTitle().setFont(TITLE);
        chart.setNotify(true);
    }

    /** The training loss against the step, with the learning rate on a second axis. */
    public static JFreeChart loss() {
        NumberAxis x = new NumberAxis("step");
        x.setLabelFont(LABEL);
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis("training loss");
        y.setLabelFont(LABEL);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, Palette.PROFILE);
        renderer.setDefaultToolTipGenerator((dataset, series, item) -> String.format(Locale.ROOT, "step %d: %s %.4g",
                (long) dataset.getXValue(series, item), series == 0 ? "loss" : "lr", dataset.getYValue(series, item)));
        XYPlot plot = new XYPlot(new XYSeriesCollection(new XYSeries("loss")), x, y, renderer);
        NumberAxis lr = new NumberAxis("learning rate");
        lr.setLabelFont(LABEL);
        lr.setNumberFormatOverride(new DecimalFormat("0.0E0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        plot.setRangeAxis(1, lr);
        plot.setDataset(1, new XYSeriesCollection(new XYSeries("learning rate")));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer lrRenderer = new XYLineAndShapeRenderer(true, false);
        lrRenderer.setSeriesPaint(0, new Color(0xBB, 0xBB, 0xBB));
        plot.setRenderer(1, lrRenderer);
        return lineChart(plot);
    }

    /** Adds one logged step to the loss chart (a NaN loss, a diverged step, leaves a gap). */
    public static void addLoss(JFreeChart chart, TrainingMetric m) {
        XYPlot plot = chart.getXYPlot();
        ((XYSeriesCollection) plot.getDataset(0)).getSeries(0).add(m.step(), Double.isFinite(m.loss()) ? m.loss()
                : null);
        if (!Double.isNaN(m.learningRate())) {
            ((XYSeriesCollection) plot.getDataset(1)).getSeries(0).add(m.step(), m.learningRate());
        }
    }

    /** Empties the loss chart for a new run. */
    public static void clearLoss(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        ((XYSeriesCollection) plot.getDataset(0)).getSeries(0).clear();
        ((XYSeriesCollection) plot.getDataset(1)).getSeries(0).clear();
    }

    /** A line chart as the window draws them: white, light grey grid lines, a frameless legend, no title yet. */
    private static JFreeChart lineChart(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        JFreeChart chart = new JFreeChart(null, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setItemFont(LABEL);
        chart.getLegend().setFrame(BlockBorder.NONE);
        return chart;
    }

    private static NumberAxis integerAxis(String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setStandardTickUnits(new NumberTickUnitSource(true));
        axis.setLabelFont(LABEL);
        axis.setAutoRangeIncludesZero(false);
        return axis;
    }

    /** The chart drawn as an SVG element of {@code width} x {@code height} (for a page that carries its figures). */
    public static String svg(JFreeChart chart, int width, int height) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        return g.getSVGElement();
    }
}
