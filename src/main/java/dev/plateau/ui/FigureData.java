package dev.plateau.ui;

import java.util.List;

/**
 * The numbers behind a figure, for CSV and JSON export.
 *
 * @param name    what the figure shows
 * @param columns column names
 * @param rows    one array per row, as many values as columns
 */
record FigureData(String name, List<String> columns, List<double[]> rows) {

    FigureData {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
