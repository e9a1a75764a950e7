package dev.plateau.workbench;

import dev.plateau.engine.CudaNatives;
import dev.plateau.engine.Devices;
import dev.plateau.engine.NvidiaDriver;
import java.io.IOException;
import java.net.URI;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** The CUDA natives downloaded on first use, and what the GPU looks like from here. */
final class Gpus {
    private Gpus() {
    }

    static GpuStatus status() {
        CudaNatives natives = CudaNatives.standard();
        String auto;
        Optional<String> fallback;
        try {
            Devices.Selection selection = Devices.choose("auto");
            auto = Devices.describe(selection.device());
            fallback = selection.fallback();
        } catch (RuntimeException e) {
            auto = "none";
            fallback = Optional.of("the tensor engine did not load: " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse(""));
        }
        return new GpuStatus(natives.installed(), natives.folder(), size(natives.folder()), natives.source().toString(), NvidiaDriver.find(), auto, fallback);
    }

    static boolean useInstalled() {
        return CudaNatives.standard().useIfInstalled();
    }

    static Path install(String repository, Workbench.ByteProgress download, Workbench.ByteProgress unpack,
                        BooleanSupplier cancelled) {
        String scheme;
        try {
            scheme = URI.create(repository).getScheme();
        } catch (IllegalArgumentException e) {
            scheme = null;
        }
        if (scheme == null || !scheme.toLowerCase(Locale.ROOT).matches("https?")) {
            throw new PlateauException("--repository must be an http(s) URL of a Maven repository, not " + repository);
        }
        CudaNatives natives = CudaNatives.from(repository);
        try {
            return natives.install(new CudaNatives.Progress() {
                @Override
                public void downloaded(long done, long total) {
                    download.bytes(done, total);
                }

                @Override
                public void unpacked(long done, long total) {
                    unpack.bytes(done, total);
                }
            }, cancelled);
        } catch (IOException e) {
            throw new PlateauException(e.getMessage(), e);
        } catch (CancellationException e) {
            throw new PlateauException("the CUDA natives install was cancelled; nothing was left in "
                    + natives.folder().getParent(), e);
        }
    }

    /** The bytes of the files in {@code folder} (links not followed); 0 when absent. */
    private static long size(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
