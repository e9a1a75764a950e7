package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.DType;
import dev.plateau.checkpoint.SafetensorsFile;
import dev.plateau.checkpoint.TensorInfo;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Tells what a checkpoint is. Families are tried from the most specific signature to the most generic. */
public final class ModelDetector {
    private static final List<Family> BY_SIGNATURE = List.of(Family.GR00T_N1_5, Family.SMOLVLA, Family.PI05,
            Family.PI0, Family.DECODER_LLM);

    private ModelDetector() {
    }

    /** The checkpoint's family, modules and rules; an unknown or inconsistent checkpoint is a clear error. */
    public static ModelSpec detect(Checkpoint checkpoint) {
        for (Family family : BY_SIGNATURE) {
            if (family.profile().recognizes(checkpoint)) {
                return family.profile().describe(checkpoint);
            }
        }
        throw unknown(checkpoint);
    }

    static ModelSpec spec(Checkpoint checkpoint, Family family, String architecture, String naming,
                          List<ModuleSpec> modules, List<LayerRule> rules) {
        Map<DType, Long> byDtype = new EnumMap<>(DType.class);
        long total = 0;
        for (Checkpoint.Entry e : checkpoint.tensors().values()) {
            long n = e.info().elementCount();
            byDtype.merge(e.info().dtype(), n, Long::sum);
            total += n;
        }
        List<String> files = checkpoint.files().stream().map(SafetensorsFile::path)
                .map(p -> p.getFileName().toString()).toList();
        Map<String, Long> byCode = new LinkedHashMap<>();
        byDtype.forEach((dtype, n) -> byCode.put(dtype.name(), n));
        return new ModelSpec(family, architecture, naming, checkpoint.folder(), modules, rules, total, byCode,
                checkpoint.tensors().size(), files, checkpoint.isSharded());
    }

    private static CheckpointException unknown(Checkpoint checkpoint) {
        Map<String, Long> groups = new TreeMap<>();
        for (TensorInfo t : checkpoint.tensors().values().stream().map(Checkpoint.Entry::info).toList()) {
            String[] parts = t.name().split("\\.");
            String group = parts.length > 2 ? parts[0] + "." + parts[1] : parts[0];
            groups.merge(group, 1L, Long::sum);
        }
        Map<String, Long> top = groups.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        String claimed = List.of("type", "model_type", "architectures").stream()
                .filter(k -> checkpoint.config().has(k))
                .map(k -> k + "=" + checkpoint.config().get(k))
                .collect(Collectors.joining(", "));
        return new CheckpointException(ConfigValues.configPath(checkpoint), "unknown architecture ("
                + (claimed.isEmpty() ? "no type, model_type or architectures key" : claimed) + "); tensors found: "
                + top.entrySet().stream().map(e -> e.getKey() + ".* (" + e.getValue() + ")")
                        .collect(Collectors.joining(", "))
                + (groups.size() > top.size() ? ", ..." : "")
                + ". Plateau reads SmolVLA, pi0, pi0.5, GR00T-N1.5 and Llama, Qwen2, Qwen3, Gemma and Mistral decoders");
    }
}
