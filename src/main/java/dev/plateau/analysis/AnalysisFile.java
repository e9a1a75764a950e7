package dev.plateau.analysis;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ANALYSIS.json: {@code {"format": "plateau-analysis/1", "activations", "metadata", "modules": {name: {"layers",
 * "tokens", "width", "metrics": {code: {"matrix": L x L, "adjacent": [null, s_1, ...], "notes": [...]}},
 * "types": {type: {"tokens", "metrics": {...}}}}}}}}. The adjacent profile is index-aligned with layers; entry 0 is
 * null (the first layer has no predecessor). {@code types} (a calibration run's analysis over each token type's
 * tokens, e.g. "image", "language") is absent where not computed.
 */
public final class AnalysisFile {
    public static final String FORMAT = "plateau-analysis/1";

    private AnalysisFile() {
    }

    public static void write(Path file, Analysis analysis) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("activations", analysis.activations());
        ObjectNode meta = root.putObject("metadata");
        analysis.metadata().forEach(meta::put);
        ObjectNode modules = root.putObject("modules");
        for (ModuleAnalysis m : analysis.modules().values()) {
            ObjectNode node = modules.putObject(m.name());
            node.put("layers", m.layers());
            node.put("tokens", m.tokens());
            node.put("width", m.width());
            writeMetrics(node.putObject("metrics"), m);
            if (!m.tokenTypes().isEmpty()) {
                ObjectNode types = node.putObject("types");
                m.tokenTypes().forEach((type, t) -> {
                    ObjectNode typeNode = types.putObject(type);
                    typeNode.put("tokens", t.tokens());
                    writeMetrics(typeNode.putObject("metrics"), t);
                });
            }
        }
        Json.writeAtomically(file, root);
    }

    private static void writeMetrics(ObjectNode metrics, ModuleAnalysis m) {
        for (SimilarityMatrix s : m.metrics().values()) {
            ObjectNode metric = metrics.putObject(s.metric().code());
            ArrayNode matrix = metric.putArray("matrix");
            for (double[] row : s.values()) {
                ArrayNode r = matrix.addArray();
                for (double v : row) {
                    r.add(v);
                }
            }
            ArrayNode adjacent = metric.putArray("adjacent");
            for (double v : s.adjacent()) {
                Json.addNumberOrNull(adjacent, v);
            }
            ArrayNode notes = metric.putArray("notes");
            s.notes().forEach(notes::add);
        }
    }

    public static Analysis read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ActivationException(file, "file not found");
        } catch (JacksonException e) {
            throw new ActivationException(file, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ActivationException(file, "cannot be read: " + e.getMessage());
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new ActivationException(file, "is not a Plateau analysis (\"format\": \"" + FORMAT + "\" missing)");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        root.path("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        Map<String, ModuleAnalysis> modules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> m : root.path("modules").properties()) {
            Map<String, ModuleAnalysis> types = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> t : m.getValue().path("types").properties()) {
                types.put(t.getKey(), new ModuleAnalysis(m.getKey(), t.getValue().path("tokens").asLong(),
                        m.getValue().path("width").asLong(), metrics(file, m.getKey() + " (" + t.getKey() + " tokens)",
                        t.getValue())));
            }
            modules.put(m.getKey(), new ModuleAnalysis(m.getKey(), m.getValue().path("tokens").asLong(),
                    m.getValue().path("width").asLong(), metrics(file, m.getKey(), m.getValue()), types));
        }
        if (modules.isEmpty()) {
            throw new ActivationException(file, "holds no modules");
        }
        return new Analysis(root.path("activations").asText(), metadata, modules);
    }

    private static Map<Metric, SimilarityMatrix> metrics(Path file, String module, JsonNode node) {
        Map<Metric, SimilarityMatrix> metrics = new EnumMap<>(Metric.class);
        for (Map.Entry<String, JsonNode> e : node.path("metrics").properties()) {
            Metric metric = Metric.fromCode(e.getKey()).orElseThrow(() -> new ActivationException(file,
                    "module " + module + " has unknown metric '" + e.getKey() + "'"));
            metrics.put(metric, matrix(file, module, metric, e.getValue()));
        }
        if (metrics.isEmpty()) {
            throw new ActivationException(file, "module " + module + " has no metrics");
        }
        return metrics;
    }

    private static SimilarityMatrix matrix(Path file, String module, Metric metric, JsonNode node) {
        JsonNode rows = node.path("matrix");
        int n = rows.size();
        if (!rows.isArray() || n == 0) {
            throw new ActivationException(file, module + " " + metric.code() + " has no matrix");
        }
        double[][] values = new double[n][n];
        for (int i = 0; i < n; i++) {
            JsonNode row = rows.get(i);
            if (row.size() != n) {
                throw new ActivationException(file, module + " " + metric.code() + " matrix is not square (row " + i
                        + " has " + row.size() + " entries, " + n + " expected)");
            }
            for (int j = 0; j < n; j++) {
                if (!row.get(j).isNumber() || !Double.isFinite(row.get(j).asDouble())) {
                    throw new ActivationException(file, module + " " + metric.code() + " matrix entry [" + i + "]["
                            + j + "] is not a finite number");
                }
                values[i][j] = row.get(j).asDouble();
            }
        }
        List<String> notes = new ArrayList<>();
        node.path("notes").forEach(x -> notes.add(x.asText()));
        return new SimilarityMatrix(metric, values, notes);
    }
}
