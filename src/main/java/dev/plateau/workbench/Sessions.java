package dev.plateau.workbench;

import dev.plateau.analysis.ActivationException;
import dev.plateau.analysis.Analysis;
import dev.plateau.analysis.AnalysisFile;
import dev.plateau.analysis.Metric;
import dev.plateau.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The session cache: each calibration request, with the checkpoint's and the data's files as they are now, has a
 * folder under {@code <home>/sessions} holding its activation file and its analysis under every metric. Asking
 * again for the same request reads the analysis back instead of running the model.
 */
final class Sessions {
    static final String ACTIVATIONS = "activations.safetensors";
    static final String ANALYSIS = "analysis.json";
    /** Samples per minibatch of the unbiased CKA estimate. */
    private static final int MINIBATCH = 256;

    private Sessions() {
    }

    static AnalysedRun analysed(Path home, CalibrationRequest request, BooleanSupplier cancelled,
                                Workbench.Progress progress) {
        Path folder = folder(home, request);
        Path activations = folder.resolve(ACTIVATIONS);
        Path analysisFile = folder.resolve(ANALYSIS);
        Optional<Analysis> cached = read(analysisFile);
        if (cached.isPresent() && Files.isRegularFile(activations)) {
            return new AnalysedRun(request, activations, cached.get(), true);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new PlateauException(folder + ": cannot be created: " + e.getMessage(), e);
        }
        Calibrations.calibrate(request, request.samples(), Map.of(), activations, cancelled, progress);
        Analysis analysis = Analyses.analyze(activations, EnumSet.allOf(Metric.class), MINIBATCH, request.seed(),
                analysisFile);
        return new AnalysedRun(request, activations, analysis, false);
    }

    /** The request's folder: named by a digest of the request and of the files it reads, as they are now. */
    static Path folder(Path home, CalibrationRequest request) {
        StringBuilder key = new StringBuilder("plateau-session-1\n");
        key.append(request.checkpoint()).append('\n').append(request.data()).append('\n')
                .append(request.samples()).append('\n').append(request.seed()).append('\n')
                .append(request.time().isPresent() ? Double.toString(request.time().getAsDouble()) : "drawn")
                .append('\n').append(request.device()).append('\n').append(request.inputs()).append('\n');
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

    private static Optional<Analysis> read(Path analysisFile) {
        if (!Files.isRegularFile(analysisFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(AnalysisFile.read(analysisFile));
        } catch (ActivationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
