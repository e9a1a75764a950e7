"""Independent float32 numpy forward of a Hugging Face decoder LLM (Llama, Mistral, Qwen2, Qwen3, Gemma), written
from the transformers modeling code's math (RMSNorm, rotate-half rotary embedding, grouped-query causal attention,
gated MLP), for Plateau's engine tests. Each sample runs on its own (no padding).

Usage: python3 decoder_reference.py CHECKPOINT_DIR SEQUENCES_JSON  ->  JSON {"input": rows, "layers": [rows, ...]}
where rows concatenates the samples' token vectors in order.
"""
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from siglip_reference import read_safetensors  # noqa: E402


def rms_norm(x, w, eps, gemma):
    variance = np.mean(x * x, axis=-1, keepdims=True)
    y = x / np.sqrt(variance + np.float32(eps))
    return (y * ((np.float32(1) + w) if gemma else w)).astype(np.float32)


def rotary(positions, dim, theta):
    inv_freq = (1.0 / (theta ** (np.arange(0, dim, 2, dtype=np.int64).astype(np.float32) / dim))).astype(np.float32)
    freqs = positions[:, None].astype(np.float32) * inv_freq[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    return np.cos(emb).astype(np.float32), np.sin(emb).astype(np.float32)


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def gelu_tanh(x):
    return (0.5 * x * (1 + np.tanh(np.float32(np.sqrt(2 / np.pi)) * (x + np.float32(0.044715) * x ** 3)))).astype(np.float32)


def silu(x):
    return (x / (1 + np.exp(-x))).astype(np.float32)


def layer(x, w, p, cfg):
    t = x.shape[0]
    heads, kv, hd = cfg["heads"], cfg["kv"], cfg["head_dim"]
    h = rms_norm(x, w[p + "input_layernorm.weight"], cfg["eps"], cfg["gemma"])

    def proj(name, count):
        y = h @ w[p + "self_attn." + name + ".weight"].T
        if p + "self_attn." + name + ".bias" in w:
            y = y + w[p + "self_attn." + name + ".bias"]
        return y.reshape(t, count, hd)

    q, k, v = proj("q_proj", heads), proj("k_proj", kv), proj("v_proj", kv)
    if p + "self_attn.q_norm.weight" in w:
        q = rms_norm(q, w[p + "self_attn.q_norm.weight"], cfg["eps"], False)
        k = rms_norm(k, w[p + "self_attn.k_norm.weight"], cfg["eps"], False)
    q, k, v = (a.transpose(1, 0, 2) for a in (q, k, v))
    cos, sin = rotary(np.arange(t), hd, cfg["theta"])
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    k = np.repeat(k, heads // kv, axis=0)
    v = np.repeat(v, heads // kv, axis=0)
    scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(hd))
    scores = scores + np.triu(np.full((t, t), -np.inf, dtype=np.float32), k=1)
    scores = scores - scores.max(axis=-1, keepdims=True)
    probs = np.exp(scores)
    probs = probs / probs.sum(axis=-1, keepdims=True)
    attended = (probs @ v).transpose(1, 0, 2).reshape(t, heads * hd)
    x = x + attended @ w[p + "self_attn.o_proj.weight"].T
    m = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["eps"], cfg["gemma"])
    act = gelu_tanh if cfg["gelu"] else silu
    gated = act(m @ w[p + "mlp.gate_proj.weight"].T) * (m @ w[p + "mlp.up_proj.weight"].T)
    return (x + gated @ w[p + "mlp.down_proj.weight"].T).astype(np.float32)


def main(folder, sequences_file):
    with open(folder + "/config.json") as f:
        c = json.load(f)
    gemma = c["model_type"] == "gemma"
    cfg = {"heads": c["num_attention_heads"], "kv": c.get("num_key_value_heads", c["num_attention_heads"]),
           "head_dim": c.get("head_dim", c["hidden_size"] // c["num_attention_heads"]), "eps": c.get("rms_norm_eps", 1e-6),
           "theta": c.get("rope_theta", 10000.0), "gemma": gemma,
           "gelu": gemma or c.get("hidden_act", "silu").startswith("gelu")}
    w = read_safetensors(folder + "/model.safetensors")
    with open(sequences_file) as f:
        sequences = json.load(f)
    depth = c["num_hidden_layers"]
    outputs = [[] for _ in range(depth + 1)]
    for ids in sequences:
        x = w["model.embed_tokens.weight"][np.array(ids)]
        if gemma:
            x = x * np.float32(c["hidden_size"] ** 0.5)
        outputs[0].append(x)
        for i in range(depth):
            x = layer(x, w, "model.layers.%d." % i, cfg)
            outputs[i + 1].append(x)
    rows = [np.concatenate(o).tolist() for o in outputs]
    json.dump({"input": rows[0], "layers": rows[1:]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
