package dev.plateau.ui;

import dev.plateau.workbench.PlateauException;
import java.awt.geom.Rectangle2D;
import java.io.File;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.geometry.Point2D;
import javafx.scene.input.MouseEvent;
import javafx.stage.FileChooser;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;

/**
 * A chart on screen: no zooming or panning (the axes mean layers), a tooltip that can describe the point under the
 * mouse, and a context menu that saves the figure as PNG or SVG and its numbers as CSV or JSON.
 */
final class ChartPane extends ChartViewer {
    private static final String SAVE_HINT = "Right-click to save this figure (PNG, SVG) or its numbers (CSV, JSON)";
    private final Tooltip tooltip = new Tooltip(SAVE_HINT);

    ChartPane(JFreeChart chart, String id, Supplier<FigureData> data, Consumer<String> onError) {
        super(chart, false);
        setId(id);
        getCanvas().setDomainZoomable(false);
        getCanvas().setRangeZoomable(false);
        for (String handler : new String[] {"zoom", "pan"}) {
            if (getCanvas().getMouseHandler(handler) != null) {
                getCanvas().removeMouseHandler(getCanvas().getMouseHandler(handler));
            }
        }
        ContextMenu menu = new ContextMenu();
        for (String extension : FigureExport.EXTENSIONS) {
            MenuItem item = new MenuItem(extension.equals("csv") || extension.equals("json")
                    ? "Save data as " + extension.toUpperCase() + "\u2026"
                    : "Save figure as " + extension.toUpperCase() + "\u2026");
            item.setOnAction(e -> save(extension, data, onError));
            menu.getItems().add(item);
        }
        setOnContextMenuRequested(e -> menu.show(this, e.getScreenX(), e.getScreenY()));
        getCanvas().setTooltipEnabled(false);
        Tooltip.install(getCanvas(), tooltip);
    }

    /**
     * While the mouse is over the plot's data area, the tooltip shows {@code describe(x, y)} of the point under it (in
     * the axes' units) where that gives a text; elsewhere, how to save the figure.
     */
    void describeHovered(BiFunction<Double, Double, Optional<String>> describe) {
        getCanvas().addEventHandler(MouseEvent.MOUSE_MOVED, e -> tooltip.setText(pointAt(e)
                .flatMap(p -> describe.apply(p.getX(), p.getY())).orElse(SAVE_HINT)));
    }

    /** A click inside the plot's data area hands {@code clicked} its point, in the axes' units. */
    void onDataClicked(BiConsumer<Double, Double> clicked) {
        getCanvas().addEventHandler(MouseEvent.MOUSE_CLICKED, e -> pointAt(e).ifPresent(p -> clicked.accept(p.getX(),
                p.getY())));
    }

    /** The point under the mouse in the axes' units, when it is inside the data area of a drawn chart. */
    private Optional<Point2D> pointAt(MouseEvent e) {
        if (getCanvas().getRenderingInfo() == null) {
            return Optional.empty();
        }
        Rectangle2D area = getCanvas().getRenderingInfo().getPlotInfo().getDataArea();
        if (!area.contains(e.getX(), e.getY())) {
            return Optional.empty();
        }
        XYPlot plot = getChart().getXYPlot();
        return Optional.of(new Point2D(plot.getDomainAxis().java2DToValue(e.getX(), area, plot.getDomainAxisEdge()),
                plot.getRangeAxis().java2DToValue(e.getY(), area, plot.getRangeAxisEdge())));
    }

    /** The chart's tooltip, whose text follows the mouse. */
    Tooltip tooltip() {
        return tooltip;
    }

    private void save(String extension, Supplier<FigureData> data, Consumer<String> onError) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save " + extension.toUpperCase());
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(extension.toUpperCase(), "*." + extension));
        FigureData figure = data.get();
        chooser.setInitialFileName(figure.name().replaceAll("[^A-Za-z0-9_.-]+", "-") + "." + extension);
        File file = chooser.showSaveDialog(getScene().getWindow());
        if (file != null) {
            try {
                FigureExport.save(getChart(), figure, file.toPath());
            } catch (PlateauException e) {
                onError.accept(e.getMessage());
            }
        }
    }
}
