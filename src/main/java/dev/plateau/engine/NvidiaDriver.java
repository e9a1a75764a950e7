package dev.plateau.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The NVIDIA driver as libtorch's CUDA build needs it: {@code libcuda.so.1} in one of the dynamic linker's folders
 * (LD_LIBRARY_PATH, /etc/ld.so.conf.d, the standard ones, WSL's). Its version comes from the kernel module's
 * {@code /proc/driver/nvidia/version} where readable. Looks at files only: no process, no library loaded.
 */
public final class NvidiaDriver {
    static final String LIBRARY = "libcuda.so.1";
    private static final Path PROC_VERSION = Path.of("/proc/driver/nvidia/version");
    private static final List<String> STANDARD = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/lib/wsl/lib");
    private static final Pattern VERSION = Pattern.compile("\\b(\\d{3,}\\.\\d+(?:\\.\\d+)?)\\b");

    private NvidiaDriver() {
    }

    /** The driver in words, e.g. {@code NVIDIA driver 550.54.15 (/usr/lib/x86_64-linux-gnu/libcuda.so.1)}. */
    public static Optional<String> find() {
        return find(folders(), PROC_VERSION);
    }

    /** The same over given folders and version file. */
    static Optional<String> find(List<Path> folders, Path procVersion) {
        Optional<Path> library = folders.stream().map(f -> f.resolve(LIBRARY)).filter(Files::exists).findFirst();
        if (library.isEmpty()) {
            return Optional.empty();
        }
        String version = "";
        try {
            Matcher m = VERSION.matcher(Files.readString(procVersion).lines().findFirst().orElse(""));
            version = m.find() ? " " + m.group(1) : "";
        } catch (IOException | RuntimeException e) {
            // no kernel module file (WSL, some containers): the library alone tells that a driver is there
        }
        return Optional.of("NVIDIA driver" + version + " (" + library.get() + ")");
    }

    private static List<Path> folders() {
        List<Path> folders = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            Stream.of(ld.split(":")).filter(s -> !s.isBlank()).map(Path::of).forEach(folders::add);
        }
        try (Stream<Path> conf = Files.list(Path.of("/etc/ld.so.conf.d"))) {
            for (Path file : conf.filter(f -> f.toString().endsWith(".conf")).sorted().toList()) {
                Files.readAllLines(file).stream().map(String::strip).filter(l -> l.startsWith("/"))
                        .map(Path::of).forEach(folders::add);
            }
        } catch (IOException | RuntimeException e) {
            // no ld.so.conf.d: the standard folders remain
        }
        STANDARD.stream().map(Path::of).forEach(folders::add);
        return folders;
    }
}
