package dev.plateau.prune;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.checkpoint.SafetensorsWriter;
import dev.plateau.checkpoint.StagedFolder;
import dev.plateau.checkpoint.TensorSpec;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a pruned checkpoint: the plan's surgery, in the source's layout (one file or shards with a regenerated
 * index), every other file copied unchanged, and {@code plateau-pruning.json}. Atomic (a staging folder beside the
 * target, verified, then renamed) and streaming (tensor bytes go file to file, never through the heap). A pi0 or pi0.5
 * export also carries {@code plateau_hook/sitecustomize.py} (see {@link dev.plateau.model.FamilyProfile#startupHook}).
 */
public final class Exporter {
    public static final String RECORD = "plateau-pruning.json";
    /** The folder of the Python start-up hook a pi0 or pi0.5 export carries, to go first on PYTHONPATH. */
    public static final String HOOK = "plateau_hook";

    private Exporter() {
    }

    /** What an export did. */
    public record Result(Path folder, Surgery surgery, Verifier.Report verification, List<String> notes) {
    }

    /**
     * Exports {@code plan} applied to the checkpoint at {@code source} (described by {@code spec}) into {@code target}.
     * The plan must have passed {@link PlanCheck}; removing layers of a module whose depth no config key sets is
     * refused, except for pi0 and pi0.5, whose exports carry a start-up hook that gives the original code the depth.
     */
    public static Result export(Checkpoint source, ModelSpec spec, Plan plan, Path target, boolean replace)
            throws IOException {
        return export(source, spec, plan, target, replace, (done, total) -> { });
    }

    /** How far an export's weights are written; it may throw (a CancellationException) to stop, leaving nothing. */
    @FunctionalInterface
    public interface Progress {
        void bytes(long done, long total);
    }

    /** The same, reporting the weight bytes written after each tensor. */
    public static Result export(Checkpoint source, ModelSpec spec, Plan plan, Path target, boolean replace,
                                Progress progress) throws IOException {
        Path out = target.toAbsolutePath().normalize();
        Path in = source.folder().toAbsolutePath().normalize();
        if (out.equals(in) || out.startsWith(in) || in.startsWith(out)) {
            throw new CheckpointException(out, "would overwrite or sit inside the source checkpoint " + in
                    + "; choose a folder outside it");
        }
        Optional<String> refusal = refusal(spec, plan);
        if (refusal.isPresent()) {
            throw new CheckpointException(source.folder().resolve(Checkpoint.CONFIG), refusal.get());
        }
        Surgery surgery = Surgery.of(source, spec, plan);
        try (StagedFolder staging = StagedFolder.create(out, replace)) {
            Path folder = staging.path();
            for (Path aux : source.auxiliaryFiles()) {
                Path copy = folder.resolve(aux.toString());
                Files.createDirectories(copy.getParent());
                Files.copy(source.folder().resolve(aux), copy);
            }
            Json.write(folder.resolve(Checkpoint.CONFIG), surgery.config());
            long shardBytes = source.isSharded() ? source.files().stream()
                    .mapToLong(f -> f.header().dataLength()).max().orElse(0) : 0;
            long total = surgery.tensors().stream().mapToLong(t -> t.byteLength()).sum();
            SafetensorsWriter.writeWeights(folder, surgery.tensors(), shardBytes, Map.of(),
                    done -> progress.bytes(done, total));
            Json.write(folder.resolve(RECORD), record(source, spec, plan, surgery));
            Optional<String> hook = spec.family().profile().startupHook(surgery.depths());
            if (hook.isPresent()) {
                Files.createDirectories(folder.resolve(HOOK));
                Files.writeString(folder.resolve(HOOK).resolve("sitecustomize.py"), hook.get());
            }
            Verifier.Report report = Verifier.verify(folder);
            Verifier.require(report, out);
            staging.commit();
            return new Result(out, surgery, report, notes(spec, surgery));
        }
    }

    /**
     * Why a (rule-abiding) plan cannot be exported: removing layers of a module whose depth no config key sets, except
     * for pi0 and pi0.5, whose exports carry a start-up hook that gives the original code the depth.
     */
    public static Optional<String> refusal(ModelSpec spec, Plan plan) {
        for (ModulePlan m : plan.modules().values()) {
            if (!m.remove().isEmpty() && !spec.module(m.module()).orElseThrow().depthConfigurable()
                    && !spec.family().profile().depthInCode()) {
                return Optional.of("no config key sets the depth of " + m.module() + ", so the training code would "
                        + "rebuild all its layers; Plateau does not export a pruned " + m.module());
            }
        }
        return Optional.empty();
    }

    /** What the user must know about loading the export, in plain words. */
    public static List<String> notes(ModelSpec spec, Surgery surgery) {
        return spec.family().profile().loaderNotes(surgery.depths(), RECORD);
    }

    private static ObjectNode record(Checkpoint source, ModelSpec spec, Plan plan, Surgery surgery)
            throws IOException {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("tool", "plateau");
        String version = Exporter.class.getPackage().getImplementationVersion();
        r.put("version", version == null ? "dev" : version);
        r.put("date", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        r.put("family", spec.family().code());
        ObjectNode src = r.putObject("source");
        src.put("path", source.folder().toAbsolutePath().toString());
        src.put("config_sha256", sha256(source.folder().resolve(Checkpoint.CONFIG)));
        ObjectNode files = src.putObject("weight_files");
        for (SafetensorsFile f : source.files()) {
            ObjectNode file = files.putObject(f.path().getFileName().toString());
            file.put("bytes", f.fileSize());
            file.put("header_sha256", headerSha256(f));
        }
        ObjectNode modules = r.putObject("plan");
        for (ModulePlan m : plan.modules().values()) {
            ObjectNode node = modules.putObject(m.module());
            m.remove().forEach(node.putArray("remove")::add);
            if (!Double.isNaN(m.tau())) {
                node.put("tau", m.tau());
            }
            node.put("k", m.k());
            node.put("criterion", m.criterion());
            ArrayNode scores = node.putArray("scores");
            m.scores().forEach(v -> Json.addNumberOrNull(scores, v));
        }
        ObjectNode maps = r.putObject("layer_map");
        surgery.layerMaps().forEach((module, map) -> {
            ObjectNode node = maps.putObject(module);
            map.forEach((from, to) -> node.put(Integer.toString(from), to));
        });
        ObjectNode depths = r.putObject("depths");
        surgery.depths().forEach(depths::put);
        ObjectNode changes = r.putObject("config_changes");
        surgery.configChanges().forEach((key, values) -> changes.putArray(key).add(values.get(0)).add(values.get(1)));
        ObjectNode unchanged = r.putObject("unchanged_tensors");
        Set<String> prefixes = spec.modules().stream().filter(m -> surgery.layerMaps().containsKey(m.name()))
                .map(ModuleSpec::layerPrefix).collect(Collectors.toSet());
        for (TensorSpec t : surgery.tensors()) {
            if (prefixes.stream().noneMatch(p -> Surgery.OptionalLayer.of(t.name(), p).present())) {
                ObjectNode node = unchanged.putObject(t.name());
                node.put("dtype", t.dtype().name());
                t.shape().forEach(node.putArray("shape")::add);
            }
        }
        return r;
    }

    private static String headerSha256(SafetensorsFile file) throws IOException {
        MessageDigest sha = digest();
        try (InputStream in = Files.newInputStream(file.path())) {
            sha.update(in.readNBytes((int) file.header().dataStart()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
