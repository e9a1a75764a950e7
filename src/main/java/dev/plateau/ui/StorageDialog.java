package dev.plateau.ui;

import dev.plateau.workbench.CacheFolder;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Help → Storage and caches: every folder Plateau and its libraries fill, with its size, and a button that clears the
 * one selected. Sizes are measured in the background.
 */
final class StorageDialog {
    private final Stage stage = new Stage();
    private final TableView<CacheFolder> table = new TableView<>();
    private final Label total = new Label("measuring\u2026");

    StorageDialog(Window owner, SessionViewModel vm) {
        stage.initOwner(owner);
        stage.setTitle("Storage and caches");
        table.setId("caches");
        table.getColumns().add(column("what", CacheFolder::name, 190));
        table.getColumns().add(column("size", c -> size(c.bytes()), 80));
        table.getColumns().add(column("folder", c -> c.folder().toString(), 380));
        table.setRowFactory(t -> {
            TableRow<CacheFolder> row = new TableRow<>();
            row.itemProperty().addListener((o, a, b) -> row.setTooltip(b == null ? null : new Tooltip(b.purpose())));
            return row;
        });
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Label hint = new Label("Hover a row to see what it holds and what clearing it costs. Everything cleared is made "
                + "again when needed, offline.");
        hint.setWrapText(true);
        hint.setMinHeight(Region.USE_PREF_SIZE);
        hint.getStyleClass().add("note");
        Button clear = new Button("Clear selected");
        clear.setId("clearCache");
        clear.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        clear.setOnAction(e -> {
            CacheFolder chosen = table.getSelectionModel().getSelectedItem();
            total.setText("clearing " + chosen.name() + "\u2026");
            vm.clearCache(chosen, this::show);
        });
        Button refresh = new Button("Measure again");
        refresh.setOnAction(e -> vm.measureCaches(this::show));
        Button close = new Button("Close");
        close.setOnAction(e -> stage.close());
        total.setId("cachesTotal");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        VBox root = new VBox(8, table, hint, new HBox(8, total, grow, clear, refresh, close));
        root.setPadding(new Insets(10));
        VBox.setVgrow(table, Priority.ALWAYS);
        Scene scene = new Scene(root, 760, 250);
        scene.getStylesheets().add(StorageDialog.class.getResource("plateau.css").toExternalForm());
        stage.setScene(scene);
        vm.measureCaches(this::show);
    }

    void show() {
        stage.show();
    }

    private void show(List<CacheFolder> caches) {
        table.getItems().setAll(caches);
        total.setText("in all " + size(caches.stream().mapToLong(CacheFolder::bytes).sum()));
    }

    /** A size for people: bytes in B, KB, MB or GB (powers of 1024). */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    private static TableColumn<CacheFolder, String> column(String title,
                                                          Function<CacheFolder, String> value,
                                                          double width) {
        TableColumn<CacheFolder, String> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> new ReadOnlyStringWrapper(value.apply(f.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }
}
