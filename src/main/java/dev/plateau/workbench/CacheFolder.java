package dev.plateau.workbench;

import java.nio.file.Path;

/**
 * A folder that Plateau or one of its libraries fills, and the room it takes.
 *
 * @param name    what it holds, for people
 * @param folder  where it is
 * @param bytes   its size now (0 when absent)
 * @param purpose what it is for and what clearing it costs
 */
public record CacheFolder(String name, Path folder, long bytes, String purpose) {
}
