package dev.plateau.calibration;

import dev.plateau.analysis.StatisticsSettings;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import dev.plateau.model.ModuleSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a calibration run will hold in memory at its peak, before it starts, and whether that fits: the weights in
 * flight (the largest layer, in float32, with the expert layer that runs beside it), one batch's activations (every
 * layer of the batch is kept until the batch is folded in, plus the forward's working set), the statistics (per token
 * type, the exact profile statistics; the distant pairs when kept exactly; the token sample, in float16 once it drops
 * tokens), the full states when asked for, and the runtime itself. Token counts per sample follow the family's preprocessing at its limits
 * (tokenizer_max_length, the cameras given), so the estimate is an upper bound within a few percent.
 *
 * @param parts     bytes per part, in the order above
 * @param available bytes the run may use (the --memory given, else the machine's or the GPU's memory)
 * @param device    where the run goes ({@code cpu}, {@code gpu})
 * @param exactDistant per module, whether its distant layer pairs are kept exactly
 */
public record MemoryEstimate(Map<String, Long> parts, long available, String device,
                             Map<String, Boolean> exactDistant) {
    /** The JVM, libtorch and the tokenizer. */
    static final long RUNTIME = 1L << 30;
    /** The forward's working set per activation kept: attention, MLP intermediates, float32 copies. */
    private static final int WORKING_SET = 8;
    /** Bytes per value of a token sample that drops tokens (float16; float32 only past float16's range). */
    private static final long HALF_BYTES = 2;

    public MemoryEstimate {
        parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        exactDistant = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(exactDistant));
    }

    public long total() {
        return parts.values().stream().mapToLong(Long::longValue).sum();
    }

    public boolean fits() {
        return total() <= available;
    }

    /** One line: the total and its parts in GB, and what is available. */
    public String summary() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "about %s at peak on %s (", gb(total()), device));
        String sep = "";
        for (Map.Entry<String, Long> e : parts.entrySet()) {
            if (e.getValue() > 0) {
                s.append(sep).append(e.getKey()).append(' ').append(gb(e.getValue()));
                sep = ", ";
            }
        }
        return s.append(String.format(Locale.ROOT, "); %s available", gb(available))).toString();
    }

    /** What to lower when the run does not fit, in one sentence. */
    public String advice(int batch) {
        String largest = parts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse("");
        return switch (largest) {
            case "full states" -> "drop --states (the full states grow with the samples) or lower --samples";
            case "activations" -> batch > 1 ? "lower --batch (now " + batch + ")" : "calibrate on a machine with more "
                    + "memory: one sample's activations do not fit";
            case "statistics" -> "lower --batch or give more --memory: the exact statistics are fixed by the model's "
                    + "widths, not by the samples";
            default -> "give Plateau more memory (--memory) or use a larger machine";
        };
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /**
     * The estimate for a run of {@code samples} samples with {@code cameras} images each, in batches of
     * {@code batch}; distant pairs are kept exactly where the settings' budget allows and the total still fits
     * {@code available}.
     */
    static MemoryEstimate of(Checkpoint checkpoint, ModelSpec spec, int cameras, int samples, int batch,
                             StatisticsSettings settings, boolean states, long available, String device) {
        FamilyInputs family = FamilyInputs.of(spec.family());
        Map<String, Long> tokens = family.tokensPerSample(checkpoint, spec, cameras);
        long weights = weightsInFlight(spec);
        long activations = 0;
        long largestWorking = 0;
        long statistics = 0;
        long sample = 0;
        long fullStates = 0;
        long analysisPeak = 0;
        Map<String, Long> distant = new LinkedHashMap<>();
        for (ModuleSpec m : spec.modules()) {
            long perSample = tokens.getOrDefault(m.name(), 0L);
            int layers = m.layerCount();
            long width = m.hiddenSize();
            long rowBytes = width * Float.BYTES;
            activations += batch * perSample * rowBytes * (layers + 1);
            largestWorking = Math.max(largestWorking, WORKING_SET * batch * perSample * rowBytes);
            int types = family.tokenTypes(m.name()).size();
            statistics += types * StatisticsSettings.profileBytes(layers, width);
            long quota = settings.sampleQuota(types);
            long offered = samples * perSample;
            // every token kept: float32; some dropped: float16
            sample += offered <= quota * types ? offered * rowBytes * (layers + 1)
                    : quota * types * width * HALF_BYTES * (layers + 1);
            long estimated = Math.min(StatisticsSettings.ESTIMATE_TOKENS, quota * types);
            analysisPeak = Math.max(analysisPeak, layers * estimated * estimated * Double.BYTES);
            if (settings.exactDistantFits(layers, width)) {
                distant.put(m.name(), StatisticsSettings.distantBytes(layers, width));
            }
            if (states) {
                fullStates += samples * perSample * rowBytes * (layers + 1);
            }
        }
        long fixed = weights + activations + largestWorking + statistics + sample + analysisPeak + fullStates
                + RUNTIME;
        Map<String, Boolean> exact = new LinkedHashMap<>();
        long exactBytes = 0;
        for (ModuleSpec m : spec.modules()) {
            long bytes = distant.getOrDefault(m.name(), -1L);
            boolean keep = bytes >= 0 && fixed + exactBytes + bytes <= available;
            exact.put(m.name(), keep);
            exactBytes += keep ? bytes : 0;
        }
        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("weights in flight", weights);
        parts.put("activations", activations + largestWorking);
        parts.put("statistics", statistics + exactBytes + analysisPeak);
        parts.put("token sample", sample);
        parts.put("full states", fullStates);
        parts.put("runtime", RUNTIME);
        return new MemoryEstimate(parts, available, device, exact);
    }

    /** The largest layer's weights in float32, with the expert layer that joint-attention models run beside it. */
    private static long weightsInFlight(ModelSpec spec) {
        long largest = 0;
        for (ModuleSpec m : spec.modules()) {
            largest = Math.max(largest, m.paramsPerLayer().stream().mapToLong(Long::longValue).max().orElse(0));
        }
        long joint = spec.family().profile().jointLayers() ? spec.module("expert").map(e -> e.paramsPerLayer()
                .stream().mapToLong(Long::longValue).max().orElse(0)).orElse(0L) : 0;
        return (largest + joint) * Float.BYTES * 2;
    }
}
