package dev.plateau.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A study kept as one {@code .plateau} file (JSON, {@code "format": "plateau-session"}, {@code "version": 1}): the
 * checkpoint (path and digest), the calibration (data, samples, seed, device, timestep, cameras, and the run it
 * gave), the criterion and token type shown, each module's τ, auto-τ, k, fixed removal set and tie, free-text notes,
 * and the exports and fine-tuning runs made from it.
 *
 * @param checkpoint  the checkpoint folder
 * @param digest      its {@link dev.plateau.checkpoint.CheckpointDigest}: opening refuses a checkpoint that changed
 * @param calibration the calibration form
 * @param criterion   the criterion's code
 * @param tokenType   the token type the figures show ("all" for every token)
 * @param modules     per module, the plan's settings
 * @param notes       the researcher's notes
 * @param exports     pruned checkpoints exported in the study
 * @param runs        fine-tuning run folders started in the study
 */
public record SessionFile(Path checkpoint, String digest, Calibration calibration, String criterion,
                          String tokenType, Map<String, ModuleState> modules, String notes, List<Path> exports,
                          List<Path> runs) {

    /** The format's name and version, written into every file. */
    public static final String FORMAT = "plateau-session";
    public static final int VERSION = 1;

    public SessionFile {
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        exports = List.copyOf(exports);
        runs = List.copyOf(runs);
    }

    /**
     * The calibration form.
     *
     * @param data    the calibration data folder
     * @param time    the fixed flow-matching time, or empty when drawn per sample
     * @param cameras the cameras in the model's order, comma-separated (empty: the data's default)
     * @param run     the run's analysis file when it had been calibrated (for reference; opening calibrates again,
     *                which the session cache answers at once)
     */
    public record Calibration(Path data, int samples, long seed, String device, OptionalDouble time, String cameras,
                              Optional<Path> run) {
    }

    /**
     * One module's plan settings.
     *
     * @param fixed   a removal set loaded or edited by hand (the paper's plan), which overrides τ and k; else empty
     * @param follows the module whose removal set this one takes (SmolVLA's and pi0's expert), else empty
     */
    public record ModuleState(double tau, boolean autoTau, int k, Optional<List<Integer>> fixed,
                              Optional<String> follows) {
    }

    /** Writes the file whole or not at all. */
    public void write(Path file) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ObjectNode c = root.putObject("checkpoint");
        c.put("path", checkpoint.toAbsolutePath().toString());
        c.put("digest", digest);
        ObjectNode cal = root.putObject("calibration");
        cal.put("data", calibration.data() == null ? null : calibration.data().toAbsolutePath().toString());
        cal.put("samples", calibration.samples());
        cal.put("seed", calibration.seed());
        cal.put("device", calibration.device());
        if (calibration.time().isPresent()) {
            cal.put("time", calibration.time().getAsDouble());
        } else {
            cal.putNull("time");
        }
        cal.put("cameras", calibration.cameras());
        cal.put("run", calibration.run().map(p -> p.toAbsolutePath().toString()).orElse(null));
        root.put("criterion", criterion);
        root.put("token_type", tokenType);
        ObjectNode ms = root.putObject("modules");
        modules.forEach((name, m) -> {
            ObjectNode node = ms.putObject(name);
            node.put("tau", m.tau());
            node.put("auto_tau", m.autoTau());
            node.put("k", m.k());
            if (m.fixed().isPresent()) {
                ArrayNode fixed = node.putArray("fixed");
                m.fixed().get().forEach(fixed::add);
            } else {
                node.putNull("fixed");
            }
            node.put("follows", m.follows().orElse(null));
        });
        root.put("notes", notes);
        ArrayNode e = root.putArray("exports");
        exports.forEach(p -> e.add(p.toAbsolutePath().toString()));
        ArrayNode r = root.putArray("finetune_runs");
        runs.forEach(p -> r.add(p.toAbsolutePath().toString()));
        try {
            Json.writeAtomically(file, root);
        } catch (IOException ex) {
            throw new PlateauException(file + ": cannot be written: " + ex.getMessage(), ex);
        }
    }

    /** Reads a session file; anything missing or of the wrong kind is one line naming the file and the key. */
    public static SessionFile read(Path file) {
        JsonNode root;
        try {
            root = Json.readObject(file);
        } catch (CheckpointException e) {
            throw new PlateauException(e.getMessage(), e);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new PlateauException(file + ": is not a Plateau session (no \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("version").asInt() != VERSION) {
            throw new PlateauException(file + ": session version " + root.path("version").asText() + "; this "
                    + "Plateau reads version " + VERSION);
        }
        Fields f = new Fields(file, root);
        JsonNode cal = f.object(root, "calibration");
        JsonNode time = cal.path("time");
        if (!cal.path("seed").canConvertToLong()) {
            throw new PlateauException(file + ": the session's \"seed\" is missing or not a whole number");
        }
        Calibration calibration = new Calibration(cal.path("data").isTextual() ? Path.of(cal.path("data").asText())
                : null, f.integer(cal, "samples"), cal.path("seed").asLong(), f.text(cal, "device"),
                time.isNumber() ? OptionalDouble.of(time.asDouble()) : OptionalDouble.empty(),
                cal.path("cameras").asText(""), cal.path("run").isTextual()
                ? Optional.of(Path.of(cal.path("run").asText())) : Optional.empty());
        Map<String, ModuleState> modules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : f.object(root, "modules").properties()) {
            JsonNode m = e.getValue();
            Optional<List<Integer>> fixed = Optional.empty();
            if (m.path("fixed").isArray()) {
                List<Integer> layers = new ArrayList<>();
                m.path("fixed").forEach(i -> layers.add(i.asInt()));
                fixed = Optional.of(layers);
            }
            modules.put(e.getKey(), new ModuleState(m.path("tau").asDouble(Double.NaN), m.path("auto_tau").asBoolean(),
                    f.integer(m, "k"), fixed, m.path("follows").isTextual()
                    ? Optional.of(m.path("follows").asText()) : Optional.empty()));
        }
        JsonNode checkpoint = f.object(root, "checkpoint");
        return new SessionFile(Path.of(f.text(checkpoint, "path")), f.text(checkpoint, "digest"), calibration,
                f.text(root, "criterion"), root.path("token_type").asText("all"), modules, root.path("notes").asText(""),
                paths(root.path("exports")), paths(root.path("finetune_runs")));
    }

    private static List<Path> paths(JsonNode array) {
        List<Path> out = new ArrayList<>();
        array.forEach(p -> out.add(Path.of(p.asText())));
        return out;
    }

    /** Reads required keys, naming the file and the key when one is missing. */
    private record Fields(Path file, JsonNode root) {
        JsonNode object(JsonNode parent, String key) {
            JsonNode node = parent.path(key);
            if (!node.isObject()) {
                throw new PlateauException(file + ": the session has no \"" + key + "\" object");
            }
            return node;
        }

        String text(JsonNode parent, String key) {
            JsonNode node = parent.path(key);
            if (!node.isTextual()) {
                throw new PlateauException(file + ": the session's \"" + key + "\" is missing or not text");
            }
            return node.asText();
        }

        int integer(JsonNode parent, String key) {
            JsonNode node = parent.path(key);
            if (!node.canConvertToInt()) {
                throw new PlateauException(file + ": the session's \"" + key + "\" is missing or not a whole number");
            }
            return node.asInt();
        }
    }
}
