package dev.plateau.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What was opened lately (checkpoint folders, session files), most recent first, kept in a small JSON file; at most
 * {@link #LIMIT}.
 */
public final class RecentFiles {
    public static final int LIMIT = 10;

    private final Path file;
    private final Predicate<Path> stillThere;

    /** @param stillThere whether a listed path is still worth offering (e.g. {@code Files::isDirectory}) */
    RecentFiles(Path file, Predicate<Path> stillThere) {
        this.file = file;
        this.stillThere = stillThere;
    }

    /** The paths, most recent first; those no longer there are left out. An unreadable list is empty. */
    public List<Path> list() {
        List<Path> out = new ArrayList<>();
        try {
            if (Files.isRegularFile(file)) {
                for (JsonNode n : Json.MAPPER.readTree(Files.readAllBytes(file))) {
                    Path p = Path.of(n.asText());
                    if (stillThere.test(p)) {
                        out.add(p);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    /** Puts {@code folder} first. A list that cannot be written is not worth an error: it stays as it was. */
    public List<Path> add(Path folder) {
        Path added = folder.toAbsolutePath().normalize();
        List<Path> paths = new ArrayList<>(list());
        paths.remove(added);
        paths.addFirst(added);
        List<Path> kept = paths.subList(0, Math.min(LIMIT, paths.size()));
        ArrayNode array = Json.MAPPER.createArrayNode();
        kept.forEach(p -> array.add(p.toString()));
        try {
            Files.createDirectories(file.getParent());
            Json.writeAtomically(file, array);
        } catch (IOException e) {
            // the list is a convenience
        }
        return List.copyOf(kept);
    }
}
