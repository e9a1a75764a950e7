package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.checkpoint.CheckpointException;
import dev.plateau.checkpoint.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the layers stored under a prefix ({@code <prefix><i>.<rest>}) and measures them. */
final class LayerScan {
    private LayerScan() {
    }

    /** Whether any tensor is stored under {@code prefix<i>.}. */
    static boolean present(Checkpoint checkpoint, String prefix) {
        Pattern p = layerPattern(prefix);
        return checkpoint.tensors().keySet().stream().anyMatch(n -> p.matcher(n).matches());
    }

    /**
     * The module stored under {@code prefix}: layers must be numbered 0..n-1 without gaps. The hidden size is the
     * first dimension of {@code widthTensor} (a suffix such as {@code input_layernorm.weight}) in layer 0.
     */
    static ModuleSpec module(Checkpoint checkpoint, String name, String prefix, String widthTensor,
                             List<String> depthKeys) {
        Pattern p = layerPattern(prefix);
        TreeMap<Integer, Long> params = new TreeMap<>();
        Map<String, TensorInfo> layerZero = new TreeMap<>();
        Map<Integer, Set<String>> names = new TreeMap<>();
        for (Map.Entry<String, Checkpoint.Entry> e : checkpoint.tensors().entrySet()) {
            Matcher m = p.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            if (m.group(1).length() > 6 || (m.group(1).length() > 1 && m.group(1).startsWith("0"))) {
                throw new CheckpointException(checkpoint.weightsPath(), "tensor '" + e.getKey()
                        + "' has layer index '" + m.group(1) + "', not a plain layer number");
            }
            int layer = Integer.parseInt(m.group(1));
            TensorInfo info = e.getValue().info();
            params.merge(layer, info.elementCount(), Long::sum);
            names.computeIfAbsent(layer, l -> new TreeSet<>()).add(m.group(2));
            if (layer == 0) {
                layerZero.put(m.group(2), info);
            }
        }
        if (params.isEmpty()) {
            throw new CheckpointException(checkpoint.weightsPath(), "holds no " + name + " layers (no tensor named "
                    + prefix + "<i>.*)");
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i <= params.lastKey(); i++) {
            if (!params.containsKey(i)) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(checkpoint.weightsPath(), name + " layers must be numbered 0.."
                    + params.lastKey() + " without gaps, but " + missing + " " + (missing.size() == 1 ? "is" : "are")
                    + " missing (" + prefix + "<i>.*)");
        }
        checkSameTensors(checkpoint, name, prefix, names);
        TensorInfo width = layerZero.get(widthTensor);
        if (width == null || width.shape().isEmpty()) {
            throw new CheckpointException(checkpoint.weightsPath(), name + " layer 0 has no tensor '" + prefix + "0."
                    + widthTensor + "' to read its width from");
        }
        return new ModuleSpec(name, prefix, Math.toIntExact(width.shape().getFirst()),
                new ArrayList<>(params.values()), depthKeys);
    }

    /**
     * Every layer of a module stores the same tensors (their shapes may differ, as in alternating attention): a layer
     * that lacks one its siblings have, or has one they lack, is refused, naming the layer and the tensor. The
     * reference is the set most layers share.
     */
    private static void checkSameTensors(Checkpoint checkpoint, String name, String prefix,
                                         Map<Integer, Set<String>> names) {
        Map<Set<String>, Long> counts = names.values().stream()
                .collect(Collectors.groupingBy(s -> s, LinkedHashMap::new, Collectors.counting()));
        Set<String> usual = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        for (Map.Entry<Integer, Set<String>> layer : names.entrySet()) {
            Set<String> lacking = new TreeSet<>(usual);
            lacking.removeAll(layer.getValue());
            Set<String> extra = new TreeSet<>(layer.getValue());
            extra.removeAll(usual);
            if (!lacking.isEmpty() || !extra.isEmpty()) {
                String others = names.size() == 2 ? "the other layer" : "the other layers";
                throw new CheckpointException(checkpoint.weightsPath(), name + " layer " + layer.getKey() + " "
                        + (!lacking.isEmpty() ? "lacks '" + prefix + layer.getKey() + "." + lacking.iterator().next()
                        + "', which " + others + " have" : "has '" + prefix + layer.getKey() + "."
                        + extra.iterator().next() + "', which " + others + " lack")
                        + more(lacking.size() + extra.size() - 1));
            }
        }
    }

    private static String more(int differences) {
        return differences == 0 ? "" : " (and " + differences + " more "
                + (differences == 1 ? "difference" : "differences") + ")";
    }

    private static Pattern layerPattern(String prefix) {
        return Pattern.compile(Pattern.quote(prefix) + "(\\d+)\\.(.+)");
    }
}
