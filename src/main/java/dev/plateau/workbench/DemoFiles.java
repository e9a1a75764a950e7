package dev.plateau.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The demo's calibration set, shipped as resources and written out to a folder on first use. */
final class DemoFiles {
    private static final String ROOT = "/dev/plateau/demo/calibration/";
    private static final String MANIFEST = "manifest.jsonl";

    private DemoFiles() {
    }

    static Path calibrationSet(Path folder) {
        try {
            byte[] manifest = resource(MANIFEST);
            List<String> files = new ArrayList<>();
            for (String line : new String(manifest, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    JsonNode images = Json.MAPPER.readTree(line).path("images");
                    images.forEach(image -> files.add(image.asText()));
                }
            }
            Path manifestFile = folder.resolve(MANIFEST);
            if (Files.isRegularFile(manifestFile) && Arrays.equals(Files.readAllBytes(manifestFile), manifest)
                    && files.stream().allMatch(f -> Files.isRegularFile(folder.resolve(f)))) {
                return folder;
            }
            for (String f : files) {
                Path target = folder.resolve(f);
                Files.createDirectories(target.getParent());
                Files.write(target, resource(f));
            }
            Path staged = Files.createTempFile(folder, MANIFEST, ".part");
            Files.write(staged, manifest);
            Files.move(staged, manifestFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return folder;
        } catch (IOException e) {
            throw new PlateauException(folder + ": the demo calibration set cannot be written: " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DemoFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IOException("the resource " + name + " is missing from Plateau's jar");
            }
            return in.readAllBytes();
        }
    }
}
