package dev.plateau.cli;

import dev.plateau.workbench.GpuStatus;
import dev.plateau.workbench.PlateauException;
import dev.plateau.workbench.Workbench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plateau gpu status} and {@code plateau gpu install [--repository URL]}. */
@Command(name = "gpu", mixinStandardHelpOptions = true,
        description = {"The GPU: the installers carry libtorch for the CPU; `plateau gpu install` downloads its CUDA "
                + "12.4 build (2.5 GB, checked against a pinned SHA-1) from Maven Central into DJL's cache, used from "
                + "the next start when an NVIDIA driver is present."},
        subcommands = {GpuCommand.Status.class, GpuCommand.Install.class})
final class GpuCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code plateau gpu status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "What is installed and where, the NVIDIA driver seen, and what --device auto picks.")
    static final class Status implements Runnable {
        @Spec
        private CommandSpec spec;

        @Override
        public void run() {
            GpuStatus s = Workbench.standard().gpuStatus();
            PrintWriter w = spec.commandLine().getOut();
            w.println(s.installed()
                    ? String.format(Locale.ROOT, "CUDA natives: installed in %s (%s)", s.folder(), mb(s.bytes()))
                    : "CUDA natives: not installed (`plateau gpu install` downloads 2.5 GB from Maven Central into "
                    + s.folder() + ")");
            w.println("NVIDIA driver: " + s.driver().orElse("none found (no libcuda.so.1)"));
            w.println("--device auto: " + s.fallback().orElse("runs on the " + s.auto()));
            w.flush();
        }
    }

    /** {@code plateau gpu install}: one progress line per 5 %, Ctrl+C cancels and leaves nothing behind. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Download libtorch 2.5.1 for CUDA 12.4 (ai.djl.pytorch:pytorch-native-cu124:2.5.1, 2.5 GB; "
                    + "4.1 GB unpacked) and unpack it into DJL's cache. Ctrl+C cancels.")
    static final class Install implements Runnable {
        @Option(names = "--repository", paramLabel = "URL", defaultValue = "https://repo1.maven.org/maven2",
                description = "the Maven repository to download from, e.g. a mirror of Central (default: "
                        + "${DEFAULT-VALUE}); the SHA-1 checked stays Plateau's")
        private String repository;

        @Spec
        private CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Lines download = new Lines(out, "download", 5);
            Lines unpack = new Lines(out, "unpack", 25);
            Path folder;
            try (CtrlC ctrlC = CtrlC.watch("gpu-install")) {
                try {
                    folder = Workbench.standard().installGpu(repository, download::bytes, unpack::bytes,
                            ctrlC::pressed);
                } catch (PlateauException e) {
                    if (ctrlC.pressed()) {
                        err.println("plateau: " + e.getMessage());
                        err.flush();
                        return;
                    }
                    throw e;
                }
            }
            out.println(download.started()
                    ? "installed in " + folder + "; used from the next start (`plateau gpu status` tells what "
                    + "--device auto picks)"
                    : "the CUDA natives are already installed in " + folder);
            out.flush();
        }
    }

    /** Progress lines: one per {@code step} percent, with the rate since the start. */
    private static final class Lines {
        private final PrintWriter w;
        private final String what;
        private final int step;
        private final long started = System.nanoTime();
        private long next;
        private boolean any;

        Lines(PrintWriter w, String what, int step) {
            this.w = w;
            this.what = what;
            this.step = step;
            this.next = step;
        }

        void bytes(long done, long total) {
            any = true;
            long mark = total > 0 ? done * 100 / total : done >> 27;
            if (mark < next && done != total) {
                return;
            }
            next = total > 0 ? (mark / step + 1) * step : mark + 1;
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            String of = total > 0 ? String.format(Locale.ROOT, "%3d %% %s of %s", done * 100 / total, mb(done),
                    mb(total)) : mb(done);
            w.printf(Locale.ROOT, "%s %s, %.1f MB/s%n", what, of, done / 1e6 / seconds);
            w.flush();
        }

        boolean started() {
            return any;
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes / 1_000_000);
    }
}
