package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.RunFiles;
import dev.plateau.calibration.Calibrator;
import dev.plateau.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The session cache: each calibration request, with the checkpoint's and the data's files as they are now, has a
 * folder under {@code <home>/sessions} holding its run (analysis, token sample, statistics). Asking again for the
 * same request reads the analysis back instead of running the model; asking for more samples of a cached run runs
 * only the new ones.
 */
final class Sessions {
    static final String ANALYSIS = "analysis.json";

    private Sessions() {
    }

    static RunFiles files(Path home, CalibrationRequest request) {
        return RunFiles.of(folder(home, request).resolve(ANALYSIS));
    }

    static AnalysedRun analysed(Path home, CalibrationRequest request, BooleanSupplier cancelled,
                                Workbench.Progress progress) {
        RunFiles files = files(home, request);
        Optional<Analysis> cached = read(files);
        if (cached.isPresent()) {
            return new AnalysedRun(request, files, cached.get(), true);
        }
        create(files);
        Calibrator.Result r = Calibrations.calibrate(request, request.samples(), Map.of(),
                new Calibrator.Outputs(Optional.of(files), Optional.empty(), Optional.empty()), cancelled, progress);
        return new AnalysedRun(request, files, r.analysis(), false);
    }

    /** The run with {@code more} samples added to it, continuing its draw: only the new samples are run. */
    static AnalysedRun extended(Path home, AnalysedRun run, int more, BooleanSupplier cancelled,
                                Workbench.Progress progress) {
        CalibrationRequest bigger = run.request().withSamples(run.request().samples() + more);
        RunFiles files = files(home, bigger);
        Optional<Analysis> cached = read(files);
        if (cached.isPresent()) {
            return new AnalysedRun(bigger, files, cached.get(), true);
        }
        create(files);
        Calibrator.Result r = Calibrations.calibrate(run.request(), more, Map.of(),
                new Calibrator.Outputs(Optional.of(files), Optional.empty(), Optional.of(run.files())), cancelled,
                progress);
        return new AnalysedRun(bigger.withSamples(r.samples()), files, r.analysis(), false);
    }

    private static void create(RunFiles files) {
        Path folder = files.analysis().getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new PlateauException(folder + ": cannot be created: " + e.getMessage(), e);
        }
    }

    /** The request's folder: named by a digest of the request and of the files it reads, as they are now. */
    static Path folder(Path home, CalibrationRequest request) {
        StringBuilder key = new StringBuilder("plateau-session-2\n");
        key.append(request.checkpoint()).append('\n').append(request.data()).append('\n')
                .append(request.samples()).append('\n').append(request.seed()).append('\n')
                .append(request.time().isPresent() ? Double.toString(request.time().getAsDouble()) : "drawn")
                .append('\n').append(request.device()).append('\n').append(request.inputs()).append('\n');
        if (request.exactHeatmap()) {
            key.append("exact heatmap\n");
        }
        if (request.memory() > 0) {
            key.append("memory ").append(request.memory()).append('\n');
        }
        for (Path file : fingerprinted(request)) {
            key.append(file).append(' ').append(stamp(file)).append('\n');
        }
        return home.resolve("sessions").resolve(digest(key.toString(), 12));
    }

    /** The first {@code bytes} bytes of the SHA-256 of {@code text}, in hex: a name for cached files. */
    static String digest(String text, int bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The checkpoint's files, and the data's manifest or, for a dataset, its metadata and data files. */
    private static List<Path> fingerprinted(CalibrationRequest request) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> checkpointFiles = Files.list(request.checkpoint())) {
            files.addAll(checkpointFiles.filter(Files::isRegularFile).sorted().toList());
        } catch (IOException e) {
            files.add(request.checkpoint().resolve(Checkpoint.CONFIG));
        }
        files.add(request.data().resolve("manifest.jsonl"));
        for (String tree : List.of("meta", "data")) {
            try (Stream<Path> walk = Files.walk(request.data().resolve(tree))) {
                files.addAll(walk.filter(Files::isRegularFile).sorted().toList());
            } catch (IOException e) {
                // not a dataset: the manifest stands for the data
            }
        }
        return files;
    }

    private static String stamp(Path file) {
        try {
            return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return "absent";
        }
    }

    private static Optional<Analysis> read(RunFiles files) {
        if (!files.exist()) {
            return Optional.empty();
        }
        try {
            return Optional.of(files.read());
        } catch (ActivationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
