package dev.plateau.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.model.LayerRule;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.io.UncheckedIOException;
import java.util.LongSummaryStatistics;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders {@code plateau inspect}: a table for people, JSON for scripts. */
final class InspectView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InspectView() {
    }

    static String text(ModelSpec m) {
        StringBuilder s = new StringBuilder();
        s.append(m.family().displayName()).append(" checkpoint  ").append(m.folder()).append('\n');
        s.append("  kind       ").append(m.architecture()).append(" (").append(m.naming()).append(" naming)\n");
        s.append("  weights    ").append(m.sharded() ? m.weightFiles().size() + " shards" : "one file").append(": ")
                .append(String.join(", ", m.weightFiles())).append('\n');
        s.append("  tensors    ").append(number(m.tensorCount())).append(", ").append(number(m.totalParams()))
                .append(" parameters (").append(human(m.totalParams())).append(")\n");
        s.append("  dtypes     ").append(m.paramsByDtype().entrySet().stream()
                .map(e -> e.getKey() + " " + number(e.getValue()) + String.format(Locale.ROOT, " (%.1f %%)",
                        100.0 * e.getValue() / Math.max(1, m.totalParams())))
                .collect(Collectors.joining(", "))).append("\n\n");
        s.append(String.format(Locale.ROOT, "  %-18s %6s %7s %23s %15s  %s%n", "module", "layers", "hidden",
                "params/layer", "params", "depth set by"));
        for (ModuleSpec module : m.modules()) {
            s.append(String.format(Locale.ROOT, "  %-18s %6d %7d %23s %15s  %s%n", module.name(),
                    module.layerCount(), module.hiddenSize(), perLayer(module), number(module.params()),
                    module.depthConfigurable() ? String.join(", ", module.depthKeys()) : depthNote(m, module)));
        }
        if (!m.rules().isEmpty()) {
            s.append("\n  rules\n");
            for (LayerRule rule : m.rules()) {
                s.append("    - ").append(rule.description()).append('\n');
            }
        }
        return s.toString();
    }

    private static String depthNote(ModelSpec m, ModuleSpec module) {
        return module.name().equals("vision") ? "no config key (analysis only)"
                : "no config key: the " + m.family().displayName() + " code hard-codes the depth";
    }

    static String json(ModelSpec m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("folder", m.folder().toString());
        root.put("family", m.family().code());
        root.put("familyName", m.family().displayName());
        root.put("architecture", m.architecture());
        root.put("naming", m.naming());
        root.put("totalParams", m.totalParams());
        root.put("tensorCount", m.tensorCount());
        root.put("sharded", m.sharded());
        ArrayNode files = root.putArray("weightFiles");
        m.weightFiles().forEach(files::add);
        ObjectNode dtypes = root.putObject("paramsByDtype");
        m.paramsByDtype().forEach(dtypes::put);
        ArrayNode modules = root.putArray("modules");
        for (ModuleSpec module : m.modules()) {
            ObjectNode n = modules.addObject();
            n.put("name", module.name());
            n.put("layers", module.layerCount());
            n.put("hiddenSize", module.hiddenSize());
            n.put("params", module.params());
            ArrayNode per = n.putArray("paramsPerLayer");
            module.paramsPerLayer().forEach(per::add);
            n.put("layerPrefix", module.layerPrefix());
            ArrayNode keys = n.putArray("depthKeys");
            module.depthKeys().forEach(keys::add);
        }
        ArrayNode rules = root.putArray("rules");
        m.rules().forEach(r -> rules.add(r.description()));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String perLayer(ModuleSpec module) {
        LongSummaryStatistics stats = module.paramsPerLayer().stream().mapToLong(Long::longValue).summaryStatistics();
        return stats.getMin() == stats.getMax() ? number(stats.getMin())
                : number(stats.getMin()) + " - " + number(stats.getMax());
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String human(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f k", n / 1e3);
    }
}
