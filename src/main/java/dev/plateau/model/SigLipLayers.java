package dev.plateau.model;

import dev.plateau.checkpoint.DType;

/** The 16 tensors of one SigLIP encoder layer (pre-LayerNorm attention and GELU MLP, all with biases). */
final class SigLipLayers {
    private SigLipLayers() {
    }

    /** A whole SigLIP tower under {@code vision} (e.g. {@code ...vision_model.}): embeddings, layers, post-LayerNorm. */
    static void addTower(TensorListing t, String vision, int width, int layers, int mlp, int patch, int imageSize,
                         DType dtype) {
        int patches = (imageSize / patch) * (imageSize / patch);
        t.add(vision + "embeddings.patch_embedding.weight", dtype, width, 3, patch, patch);
        t.add(vision + "embeddings.patch_embedding.bias", dtype, width);
        t.add(vision + "embeddings.position_embedding.weight", dtype, patches, width);
        for (int l = 0; l < layers; l++) {
            add(t, vision + "encoder.layers." + l + ".", width, mlp, dtype);
        }
        t.add(vision + "post_layernorm.weight", dtype, width);
        t.add(vision + "post_layernorm.bias", dtype, width);
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
