"""Parity fixtures for Plateau's engine, made with the reference implementations (transformers, PyTorch).

Builds tiny models with transformers (Llama/SmolLM2, Qwen2, Qwen3, Gemma, SigLIP vision) and REALISTIC weights (token
and position embeddings N(0, 1), norm weights near 1 (Gemma's (1 + w): w near 0), matrices N(0, 1/fan_in), small
biases), so that attention is sharp and a wrong rotary embedding or mask shows; saves each one's config.json and
model.safetensors and its per-layer hidden states for fixed inputs (two prompts of 160 tokens; two 56 x 56 images), in
fp32, under src/test/resources/parity/<name>/. The Java test dev.plateau.engine.ParityFixturesTest checks our blocks
against them, every layer, relative to the layer's largest magnitude.

Run with the original code of ../shared/realref (transformers v4.51 cut, no network needed):
    . /path/to/realref/env-base.sh && "$PY" parity/make_fixtures.py [OUTPUT_DIR]
"""
import math
import json
import os
import sys

import torch
from safetensors.torch import save_file

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources",
                                                          "parity")
TOKENS = torch.randint(0, 512, (2, 160), generator=torch.Generator().manual_seed(1)).tolist()


def realistic(model, zero_centred_norms=False):
    """Weights of a trained model's scale: attention sharp enough that positions and masks matter."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and "norm" in name and name.endswith("weight"):
                p.copy_((0 if zero_centred_norms else 1) + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            elif "embed" in name:
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))


def save(name, model, config, hidden_states, extra=None):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    config.save_pretrained(folder)
    state = {k: v.detach().contiguous().float() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    states = {"hidden.%d" % i: h.detach().contiguous().float() for i, h in enumerate(hidden_states)}
    save_file(states, os.path.join(folder, "hidden_states.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "inputs.json"), "w") as f:
        json.dump(extra or {"tokens": TOKENS}, f)


def decoder(name, config_class, model_class, **overrides):
    torch.manual_seed(0)
    base = dict(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=4, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-6, tie_word_embeddings=True,
                attn_implementation="eager")
    base.update(overrides)
    config = config_class(**base)
    model = model_class(config).float().eval()
    realistic(model, zero_centred_norms=name == "gemma")
    with torch.no_grad():
        out = model(input_ids=torch.tensor(TOKENS), output_hidden_states=True)
    save(name, model, config, out.hidden_states)


def main():
    from transformers import (GemmaConfig, GemmaModel, LlamaConfig, LlamaModel, Qwen2Config, Qwen2Model,
                              Qwen3Config, Qwen3Model, SiglipVisionConfig, SiglipVisionModel)
    decoder("llama", LlamaConfig, LlamaModel, rope_theta=10000.0)
    decoder("qwen2", Qwen2Config, Qwen2Model, rope_theta=1000000.0)
    decoder("qwen3", Qwen3Config, Qwen3Model, head_dim=16, rope_theta=1000000.0)
    decoder("gemma", GemmaConfig, GemmaModel, head_dim=16, num_key_value_heads=1,
            hidden_activation="gelu_pytorch_tanh")
    torch.manual_seed(0)
    config = SiglipVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                                image_size=56, patch_size=14, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
    model = SiglipVisionModel(config).float().eval()
    realistic(model)
    pixels = torch.rand(2, 3, 56, 56, generator=torch.Generator().manual_seed(1)) * 2 - 1
    with torch.no_grad():
        out = model(pixel_values=pixels, output_hidden_states=True)
    save("siglip", model, config, out.hidden_states, {"pixels": pixels.tolist()})


if __name__ == "__main__":
    main()
