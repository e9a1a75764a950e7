package dev.plateau.checkpoint;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder written atomically: everything goes into a hidden staging folder beside the target, which is renamed
 * onto the target by {@link #commit()}. Closing without committing deletes the staging folder, so a failed or
 * cancelled write leaves nothing half-written behind.
 */
public final class StagedFolder implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final boolean replace;
    private boolean committed;

    private StagedFolder(Path target, Path staging, boolean replace) {
        this.target = target;
        this.staging = staging;
        this.replace = replace;
    }

    /**
     * Starts writing {@code target}. An existing target is refused unless {@code replace}; then it is replaced
     * only at commit.
     */
    public static StagedFolder create(Path target, boolean replace) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute) && !replace) {
            throw new CheckpointException(absolute, "already exists; choose another output or pass --force to "
                    + "replace it");
        }
        Path parent = absolute.getParent();
        Path staging = parent.resolve(stagingPrefix(absolute) + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            removeAbandoned(absolute);
            Files.createDirectory(staging);
            Files.writeString(staging.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new CheckpointException(absolute, "cannot be created: " + e.getMessage());
        }
        return new StagedFolder(absolute, staging, replace);
    }

    private static final String OWNER = ".plateau-writer-pid";

    private static String stagingPrefix(Path target) {
        return "." + target.getFileName() + ".partial-";
    }

    /** A staging folder's name: {@code .NAME.partial-UUID}. */
    private static final Pattern STAGING = Pattern.compile("\\..+\\.partial-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");

    /**
     * Deletes the staging folders beside {@code target}, of any name, left by writers that no longer run (killed,
     * power cut): their owner file names a process that is gone.
     */
    private static void removeAbandoned(Path target) throws IOException {
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            for (Path p : siblings.filter(p -> STAGING.matcher(p.getFileName().toString()).matches()
                    && Files.isDirectory(p)).toList()) {
                Path owner = p.resolve(OWNER);
                long pid = -1;
                try {
                    pid = Long.parseLong(Files.readString(owner).trim());
                } catch (IOException | NumberFormatException unreadable) {
                    // no owner recorded: abandoned
                }
                if (pid < 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    deleteRecursively(p);
                }
            }
        }
    }

    /** The folder to write into. */
    public Path path() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Moves the staged folder onto the target (replacing an old one only if allowed at creation). */
    public void commit() {
        try {
            Path old = null;
            if (Files.exists(target)) {
                if (!replace) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(staging.resolve(OWNER));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException(target, "appeared while it was being written; nothing was replaced");
        } catch (IOException e) {
            throw new CheckpointException(target, "cannot be put in place: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteRecursively(staging);
        }
    }

    /** Deletes {@code root} and everything under it; missing is fine. */
    static void deleteRecursively(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            throw new CheckpointException(root, "could not be removed: " + e.getMessage());
        }
    }
}
