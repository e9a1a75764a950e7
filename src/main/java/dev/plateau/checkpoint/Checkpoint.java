package dev.plateau.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A checkpoint folder: {@code config.json}, the weights (one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}) and every other file (tokenizer, processors, normalisation statistics,
 * {@code experiment_cfg/}, ...), which an export copies unchanged. Opening validates every weight file's header and
 * the index against the shards; no tensor data is read.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";

    /** A tensor and the file that holds it. */
    public record Entry(SafetensorsFile file, TensorInfo info) {
    }

    private final Path folder;
    private final ObjectNode config;
    private final List<SafetensorsFile> files;
    private final Optional<ShardIndex> index;
    private final Map<String, Entry> tensors;
    private final List<Path> auxiliaryFiles;

    private Checkpoint(Path folder, ObjectNode config, List<SafetensorsFile> files, Optional<ShardIndex> index,
                       Map<String, Entry> tensors, List<Path> auxiliaryFiles) {
        this.folder = folder;
        this.config = config;
        this.files = List.copyOf(files);
        this.index = index;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.auxiliaryFiles = List.copyOf(auxiliaryFiles);
    }

    /** Opens the checkpoint folder {@code folder}, validating config.json, every header and the shard index. */
    public static Checkpoint open(Path folder) {
        if (!Files.exists(folder)) {
            throw new CheckpointException(folder, "no such folder");
        }
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException(folder, "is a file; a checkpoint is a folder holding config.json and "
                    + "safetensors weights");
        }
        Path configFile = folder.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(configFile, "missing: a checkpoint folder needs config.json beside its "
                    + "weights");
        }
        ObjectNode config = Json.readObject(configFile);
        Path indexFile = folder.resolve(ShardIndex.FILE_NAME);
        Path single = folder.resolve(SINGLE_FILE);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, Entry> tensors = new LinkedHashMap<>();
            Optional<ShardIndex> index = Optional.empty();
            if (Files.exists(indexFile)) {
                ShardIndex shardIndex = ShardIndex.read(indexFile);
                index = Optional.of(shardIndex);
                openShards(folder, indexFile, shardIndex, opened, tensors);
            } else if (Files.exists(single)) {
                SafetensorsFile file = SafetensorsFile.open(single);
                opened.add(file);
                for (TensorInfo t : file.tensors()) {
                    tensors.put(t.name(), new Entry(file, t));
                }
            } else {
                List<String> others = otherSafetensors(folder);
                throw new CheckpointException(folder, "holds neither " + SINGLE_FILE + " nor "
                        + ShardIndex.FILE_NAME + (others.isEmpty() ? "" : " (found " + others + ")"));
            }
            List<Path> aux = auxiliaryFiles(folder, opened, index.isPresent());
            return new Checkpoint(folder, config, opened, index, tensors, aux);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static void openShards(Path folder, Path indexFile, ShardIndex index, List<SafetensorsFile> opened,
                                   Map<String, Entry> tensors) {
        for (String shardName : index.shardNames()) {
            Path shardPath = folder.resolve(shardName);
            if (!Files.isRegularFile(shardPath)) {
                throw new CheckpointException(indexFile, "names shard '" + shardName + "', which is missing");
            }
            opened.add(SafetensorsFile.open(shardPath));
        }
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (SafetensorsFile f : opened) {
            byName.put(f.path().getFileName().toString(), f);
        }
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            SafetensorsFile shard = byName.get(e.getValue());
            TensorInfo info = shard.tensorsByName().get(e.getKey());
            if (info == null) {
                throw new CheckpointException(indexFile, "places tensor '" + e.getKey() + "' in shard '"
                        + e.getValue() + "', which does not hold it");
            }
            tensors.put(e.getKey(), new Entry(shard, info));
        }
        for (SafetensorsFile shard : opened) {
            for (TensorInfo t : shard.tensors()) {
                Entry listed = tensors.get(t.name());
                if (listed == null || listed.file() != shard) {
                    throw new CheckpointException(shard.path(), "holds tensor '" + t.name() + "', which "
                            + ShardIndex.FILE_NAME + (listed == null ? " does not list"
                            : " places in '" + listed.file().path().getFileName() + "'"));
                }
            }
        }
    }

    private static List<String> otherSafetensors(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Path> auxiliaryFiles(Path folder, List<SafetensorsFile> weights, boolean sharded) {
        List<Path> skip = new ArrayList<>();
        skip.add(folder.resolve(CONFIG));
        if (sharded) {
            skip.add(folder.resolve(ShardIndex.FILE_NAME));
        }
        weights.forEach(w -> skip.add(w.path()));
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).filter(p -> !skip.contains(p))
                    .map(folder::relativize).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException(folder, "cannot list its files: " + e.getMessage());
        }
    }

    public Path folder() {
        return folder;
    }

    /** The parsed {@code config.json}; treat as read-only. */
    public ObjectNode config() {
        return config;
    }

    /** The weight files: one, or the shards in index order. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** The file that describes the weights: the index when sharded, else the single weight file. */
    public Path weightsPath() {
        return isSharded() ? folder.resolve(ShardIndex.FILE_NAME) : files.getFirst().path();
    }

    public boolean isSharded() {
        return index.isPresent();
    }

    /** Every tensor by name: in file order for one file, in index order for shards. */
    public Map<String, Entry> tensors() {
        return tensors;
    }

    public Optional<Entry> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** Files other than config.json and the weights, relative to the folder, sorted. */
    public List<Path> auxiliaryFiles() {
        return auxiliaryFiles;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
