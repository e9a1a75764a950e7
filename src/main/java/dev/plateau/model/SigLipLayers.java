package dev.plateau.model;

import dev.plateau.checkpoint.DType;

/** The 16 tensors of one SigLIP encoder layer (pre-LayerNorm attention and GELU MLP, all with biases). */
final class SigLipLayers {
    private SigLipLayers() {
    }

    static void add(TensorListing t, String prefix, int width, int mlp, DType dtype) {
        t.add(prefix + "layer_norm1.weight", dtype, width);
        t.add(prefix + "layer_norm1.bias", dtype, width);
        for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
            t.add(prefix + "self_attn." + proj + ".weight", dtype, width, width);
            t.add(prefix + "self_attn." + proj + ".bias", dtype, width);
        }
        t.add(prefix + "layer_norm2.weight", dtype, width);
        t.add(prefix + "layer_norm2.bias", dtype, width);
        t.add(prefix + "mlp.fc1.weight", dtype, mlp, width);
        t.add(prefix + "mlp.fc1.bias", dtype, mlp);
        t.add(prefix + "mlp.fc2.weight", dtype, width, mlp);
        t.add(prefix + "mlp.fc2.bias", dtype, width);
    }
}
