package dev.plateau.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A checkpoint's identity in one SHA-256: of config.json, and of each weight file's name, size and safetensors header
 * (every tensor's name, dtype, shape and place). It changes when the config or any tensor's layout changes, or a
 * weight file is replaced by another; it reads no weight data, so it takes milliseconds on a 14 GB checkpoint.
 */
public final class CheckpointDigest {
    private CheckpointDigest() {
    }

    public static String of(Checkpoint checkpoint) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try {
            sha.update(Files.readAllBytes(checkpoint.folder().resolve(Checkpoint.CONFIG)));
            for (SafetensorsFile f : checkpoint.files()) {
                sha.update((f.path().getFileName() + "\n" + f.fileSize() + "\n").getBytes(StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(f.path())) {
                    sha.update(in.readNBytes((int) f.header().dataStart()));
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(checkpoint.folder(), "cannot be read for its digest: " + e.getMessage());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
