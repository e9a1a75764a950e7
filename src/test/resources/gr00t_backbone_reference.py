"""Independent numpy float32 forward of GR00T-N1.5's Eagle backbone for Plateau's engine test, from
shared/reference/forward-gr00t.md sections 2 and 3: SigLIP (post-LayerNorm), mlp1, image features in place of the
image-context tokens, Qwen3 layers (q/k RMSNorm before rotary, base 1e6, causal), final RMSNorm.

Usage: python3 gr00t_backbone_reference.py CHECKPOINT_DIR INPUTS_JSON  ->  JSON {"vlm": [rows per layer, layer -1
first], "features": rows}; INPUTS_JSON: {"samples": [{"tokens": [...], "images": [[3][S][S] ...]}], "context": id}.
"""
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from decoder_reference import layer, rms_norm  # noqa: E402
from pi0_reference import siglip  # noqa: E402
from siglip_reference import read_safetensors  # noqa: E402

E = "backbone.eagle_model."
V = E + "vision_model.vision_model."
L = E + "language_model.model."


def main(folder, inputs_file):
    w = read_safetensors(folder + "/model.safetensors")
    with open(inputs_file) as f:
        inputs = json.load(f)
    hd = w[L + "layers.0.self_attn.q_norm.weight"].shape[0]
    cfg = {"heads": w[L + "layers.0.self_attn.q_proj.weight"].shape[0] // hd,
           "kv": w[L + "layers.0.self_attn.k_proj.weight"].shape[0] // hd, "head_dim": hd, "eps": 1e-6,
           "theta": 1000000.0, "gemma": False, "gelu": False}
    depth = 0
    while L + "layers.%d.input_layernorm.weight" % depth in w:
        depth += 1
    vw = w[V + "embeddings.patch_embedding.weight"].shape[0]
    layers = [[] for _ in range(depth + 1)]
    features = []
    for smp in inputs["samples"]:
        img = siglip(w, V, np.array(smp["images"], dtype=np.float32), vw // 72)
        img = (img @ w[E + "mlp1.0.weight"].T + w[E + "mlp1.0.bias"]).reshape(-1, w[E + "mlp1.0.weight"].shape[0])
        ids = np.array(smp["tokens"])
        x = w[L + "embed_tokens.weight"][ids].copy()
        x[ids == inputs["context"]] = img
        layers[0].append(x)
        for i in range(depth):
            x = layer(x, w, L + "layers.%d." % i, cfg)
            layers[i + 1].append(x)
        features.append(rms_norm(x, w[L + "norm.weight"], 1e-6, False))
    json.dump({"vlm": [np.concatenate(l).tolist() for l in layers], "features": np.concatenate(features).tolist()},
              sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
