package dev.plateau.calibration;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a checkpoint's tokenizer.json: in the checkpoint folder, else in the local Hugging Face cache for the model
 * its config names (SmolVLA's vlm_model_name, or _name_or_path), and opens it with truncation off.
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    public static HuggingFaceTokenizer open(Path checkpoint, JsonNode config) {
        Path file = locate(checkpoint, config);
        try {
            return HuggingFaceTokenizer.builder().optTokenizerPath(file).optTruncation(false).optPadding(false)
                    .optAddSpecialTokens(true).build();
        } catch (IOException | RuntimeException e) {
            throw new CalibrationException(file + ": not a usable tokenizer: " + e.getMessage());
        }
    }

    static Path locate(Path checkpoint, JsonNode config) {
        List<Path> tried = new ArrayList<>();
        Path local = checkpoint.resolve("tokenizer.json");
        tried.add(local);
        if (Files.isRegularFile(local)) {
            return local;
        }
        for (String key : List.of("vlm_model_name", "_name_or_path", "name_or_path")) {
            String name = config.path(key).asText("");
            if (name.contains("/")) {
                Path repo = hubCache().resolve("models--" + name.replace("/", "--")).resolve("snapshots");
                tried.add(repo.resolve("*").resolve("tokenizer.json"));
                Optional<Path> cached = newestSnapshotFile(repo);
                if (cached.isPresent()) {
                    return cached.get();
                }
            }
        }
        throw new CalibrationException("no tokenizer.json for " + checkpoint + " (looked at " + tried + "); put the "
                + "model's tokenizer.json in the checkpoint folder");
    }

    private static Optional<Path> newestSnapshotFile(Path snapshots) {
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(snapshots)) {
            return s.map(p -> p.resolve("tokenizer.json")).filter(Files::isRegularFile)
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path hubCache() {
        String hubCache = System.getenv("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) {
            return Path.of(hubCache);
        }
        String home = System.getenv("HF_HOME");
        return (home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".cache", "huggingface")).resolve("hub");
    }

    /** The text's token ids, at most {@code max}; a sample whose instruction has no tokens is refused. */
    static int[] ids(HuggingFaceTokenizer tokenizer, String text, int max, Path data, CalibrationSample s) {
        long[] ids = tokenizer.encode(text).getIds();
        if (ids.length == 0) {
            throw new CalibrationException(data + ": " + s.where() + ": the instruction has no tokens");
        }
        int[] out = new int[Math.min(max, ids.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
