package dev.plateau.model;

import dev.plateau.checkpoint.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Collects a layout's tensors in order, inferring each one's synthetic init from its name. */
final class TensorListing {
    private final List<TensorDecl> tensors = new ArrayList<>();
    private final boolean zeroCenteredNorms;

    /** @param zeroCenteredNorms Gemma-style RMSNorm scales by (1 + w), so its identity is w = 0 */
    TensorListing(boolean zeroCenteredNorms) {
        this.zeroCenteredNorms = zeroCenteredNorms;
    }

    TensorListing add(String name, DType dtype, long... shape) {
        tensors.add(new TensorDecl(name, dtype, Arrays.stream(shape).boxed().toList(), init(name)));
        return this;
    }

    List<TensorDecl> tensors() {
        return List.copyOf(tensors);
    }

    private TensorDecl.Init init(String name) {
        if (name.endsWith(".bias") || name.endsWith(".b")) {
            return TensorDecl.Init.ZEROS;
        }
        String last = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
        last = last.substring(last.lastIndexOf('.') + 1);
        boolean norm = last.contains("norm") || last.equals("vlln");
        if (!norm) {
            return TensorDecl.Init.NORMAL;
        }
        boolean layerNorm = last.startsWith("layer_norm") || last.equals("post_layernorm") || last.equals("vlln")
                || last.matches("norm\\d");
        return zeroCenteredNorms && !layerNorm ? TensorDecl.Init.ZEROS : TensorDecl.Init.ONES;
    }
}
