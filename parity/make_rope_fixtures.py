"""Rotary-scaling fixtures, made with the ORIGINAL transformers code (realref's v4.51 cut, d1b92369).

For each rope_scaling type Plateau supports (linear, dynamic NTK, Llama 3.1's llama3, YaRN; parity/make_fixtures.py
covers none), a tiny Llama with
realistic weights (token embeddings N(0, 1), RMSNorm weights near 1, projections N(0, 1/fan_in)) reads two prompts of
192 tokens; its config.json, model.safetensors and per-layer hidden states (fp32) go to
src/test/resources/parity/rope-<type>/. The scalings are set so that they change the frequencies within 192
positions (original context 64, Llama 3's theta 500000); dynamic NTK has max_position_embeddings 128, so the
192-token prompt takes its length-dependent branch. dev.plateau.engine.RopeParityTest checks every layer against
them and that computing them without the scaling fails.

    . /path/to/realref/env-base.sh && "$PY" parity/make_rope_fixtures.py [OUTPUT_DIR]
"""
import json
import math
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaModel

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources",
                                                          "parity")
LENGTH = 192
SCALINGS = {
    "linear": (256, {"rope_type": "linear", "factor": 4.0}),
    "dynamic": (128, {"rope_type": "dynamic", "factor": 2.0}),
    "llama3": (256, {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 64}),
    "yarn": (256, {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64}),
}


def realistic(model):
    """Weights as a trained model has them in scale, so that attention is sharp and positions matter."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif name == "embed_tokens.weight":
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1]))


def main():
    tokens = torch.randint(0, 512, (2, LENGTH), generator=torch.Generator().manual_seed(1))
    for name, (max_positions, scaling) in SCALINGS.items():
        config = LlamaConfig(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=4,
                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max_positions,
                             rms_norm_eps=1e-5, rope_theta=500000.0, rope_scaling=scaling, tie_word_embeddings=True,
                             attn_implementation="eager")
        model = LlamaModel(config).float().eval()
        realistic(model)
        with torch.no_grad():
            out = model(input_ids=tokens, output_hidden_states=True)
        folder = os.path.join(OUT, "rope-" + name)
        os.makedirs(folder, exist_ok=True)
        config.save_pretrained(folder)
        state = {k: v.detach().contiguous().float() for k, v in model.state_dict().items()}
        save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
        states = {"hidden.%d" % i: h.detach().contiguous().float() for i, h in enumerate(out.hidden_states)}
        save_file(states, os.path.join(folder, "hidden_states.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(folder, "inputs.json"), "w") as f:
            json.dump({"tokens": tokens.tolist()}, f)
        print(name, "rotary:", model.rotary_emb.rope_type, "attention scaling", model.rotary_emb.attention_scaling)


if __name__ == "__main__":
    main()
