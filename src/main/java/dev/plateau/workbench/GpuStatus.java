package dev.plateau.workbench;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The GPU as Plateau sees it.
 *
 * @param installed whether the CUDA natives are in {@code folder}
 * @param folder    where they are, or go (in DJL's cache)
 * @param bytes     their size on disk (0 when absent)
 * @param source    the jar they come from
 * @param driver    the NVIDIA driver in words; empty when none was found
 * @param auto      the device {@code --device auto} picks in this process ({@code cpu} or {@code gpu})
 * @param fallback  why {@code auto} picks the CPU, when it does
 */
public record GpuStatus(boolean installed, Path folder, long bytes, String source, Optional<String> driver,
                        String auto, Optional<String> fallback) {
}
