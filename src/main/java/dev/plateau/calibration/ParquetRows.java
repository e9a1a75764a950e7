package dev.plateau.calibration;

import dev.hardwood.InputFile;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowReader;
import dev.hardwood.row.PqList;
import dev.hardwood.row.StructAccessor;
import dev.hardwood.schema.SchemaNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Reads a parquet file row by row (Hardwood, pure Java), for the small tables of a LeRobot dataset. Columns are
 * looked up by their full name: LeRobot's "observation.state" and "videos/front/chunk_index" are names, not paths.
 * A file that cannot be read (missing, truncated, not parquet) is one message naming it.
 */
final class ParquetRows {
    /** Hardwood says at INFO level whether it found the Vector API: not a user's concern. Held, so it stays set. */
    private static final Logger HARDWOOD = Logger.getLogger("dev.hardwood");

    static {
        HARDWOOD.setLevel(Level.WARNING);
    }

    private ParquetRows() {
    }

    /** The top-level column names of a file. */
    static Set<String> columns(Path file) {
        try (ParquetFileReader reader = open(file)) {
            return reader.getFileSchema().getRootNode().children().stream().map(SchemaNode::name)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    /** Hands every row to {@code row}; the accessor is valid only during the call. */
    static void forEach(Path file, Consumer<StructAccessor> row) {
        try (ParquetFileReader reader = open(file); RowReader rows = reader.rowReader()) {
            while (rows.hasNext()) {
                rows.next();
                row.accept(rows);
            }
        } catch (CalibrationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    /** A numeric list column (float, double, int or long elements) as floats. */
    static float[] floats(StructAccessor row, String column) {
        PqList list = row.getList(column);
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).floatValue();
        }
        return out;
    }

    /** A numeric scalar column, whatever its width. */
    static double number(StructAccessor row, String column) {
        return ((Number) row.getValue(column)).doubleValue();
    }

    private static ParquetFileReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CalibrationException(file + ": the parquet file does not exist");
        }
        return ParquetFileReader.open(InputFile.of(file));
    }

    private static CalibrationException unreadable(Path file, Exception e) {
        if (e instanceof CalibrationException c) {
            return c;
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new CalibrationException(file + ": not a readable parquet file (truncated or damaged?): "
                + why.lines().findFirst().orElse(why));
    }

    /** A column a table needs, checked before reading; names what the file has instead. */
    static void require(Path file, Set<String> columns, List<String> needed, String why) {
        for (String column : needed) {
            if (!columns.contains(column)) {
                throw new CalibrationException(file + ": has no column \"" + column + "\" (" + why + "); it has "
                        + String.join(", ", columns));
            }
        }
    }
}
