package dev.plateau.model;

import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * SmolVLA with fewer expert than VLM layers: VLM layer i pairs with expert layer i / m, m = VLM depth / expert depth,
 * so the VLM depth must be a multiple of the expert depth, and m must map joint-attention VLM layers onto
 * joint-attention expert layers ({@code (e * m) % period == 0} exactly when {@code e % period == 0}).
 */
public record DepthMultiple(String vlm, String expert, int period) implements LayerRule {

    @Override
    public String description() {
        return vlm + " depth must be a multiple m of " + expert + " depth, with (e*m) % " + period
                + " == 0 exactly when e % " + period + " == 0";
    }

    @Override
    public Optional<String> violation(Map<String, Integer> depths, Map<String, Set<Integer>> removed) {
        int n = depths.getOrDefault(vlm, 0) - removed.getOrDefault(vlm, Set.of()).size();
        int e = depths.getOrDefault(expert, 0) - removed.getOrDefault(expert, Set.of()).size();
        if (e <= 0 || n % e != 0) {
            return Optional.of(vlm + " would keep " + n + " layers, not a multiple of the " + e + " kept " + expert
                    + " layers");
        }
        int m = n / e;
        for (int i = 0; i < e; i++) {
            if ((i * m % period == 0) != (i % period == 0)) {
                return Optional.of("with " + n + " " + vlm + " and " + e + " " + expert + " layers (ratio " + m
                        + "), " + expert + " layer " + i + " would receive the wrong attention type");
            }
        }
        return Optional.empty();
    }
}
