"""Independent numpy float32 forward of GR00T-N1.5's flow-matching action head (eval mode), written from
shared/reference/forward-gr00t.md sections 4 and 5, for Plateau's engine test.

Usage: python3 gr00t_head_reference.py CHECKPOINT_DIR INPUTS_JSON  ->  JSON {"vl_self_attention": [...], "dit": [...]}
per layer (layer -1 first), rows concatenated over samples.
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from siglip_reference import gelu_tanh, read_safetensors  # noqa: E402

H = "action_head."


def ln(x, w=None, b=None, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    y = (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + np.float32(eps))
    return y if w is None else y * w + b


def silu(x):
    return x / (1 + np.exp(-x))


def attn(w, p, x, ctx, heads):
    q = x @ w[p + "to_q.weight"].T + w[p + "to_q.bias"]
    k = ctx @ w[p + "to_k.weight"].T + w[p + "to_k.bias"]
    v = ctx @ w[p + "to_v.weight"].T + w[p + "to_v.bias"]
    hd = q.shape[1] // heads
    q, k, v = (t.reshape(t.shape[0], heads, hd) for t in (q, k, v))
    s = np.einsum("ihd,jhd->hij", q, k) / np.float32(math.sqrt(hd))
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    o = np.einsum("hij,jhd->ihd", s, v).reshape(x.shape[0], -1)
    return o @ w[p + "to_out.0.weight"].T + w[p + "to_out.0.bias"]


def ff(w, p, x):
    return gelu_tanh(x @ w[p + "net.0.proj.weight"].T + w[p + "net.0.proj.bias"]) @ w[p + "net.2.weight"].T \
        + w[p + "net.2.bias"]


def cat(w, p, c, x):
    return x @ w[p + ".W"][c] + w[p + ".b"][c]


def main(folder, inputs_file):
    with open(folder + "/config.json") as f:
        cfg = json.load(f)["action_head_cfg"]
    w = read_safetensors(folder + "/model.safetensors")
    with open(inputs_file) as f:
        samples = json.load(f)["samples"]
    vh = cfg["vl_self_attention_cfg"]["num_attention_heads"]
    dh = cfg["diffusion_model_cfg"]["num_attention_heads"]
    nv = cfg["vl_self_attention_cfg"]["num_layers"]
    nd = cfg["diffusion_model_cfg"]["num_layers"]
    out = {"vl_self_attention": [[] for _ in range(nv + 1)], "dit": [[] for _ in range(nd + 1)]}
    for smp in samples:
        e = ln(np.array(smp["features"], dtype=np.float32), w[H + "vlln.weight"], w[H + "vlln.bias"])
        out["vl_self_attention"][0].append(e)
        for j in range(nv):
            p = H + "vl_self_attention.transformer_blocks.%d." % j
            h = e + attn(w, p + "attn1.", ln(e, w[p + "norm1.weight"], w[p + "norm1.bias"]),
                         ln(e, w[p + "norm1.weight"], w[p + "norm1.bias"]), vh)
            e = h + ff(w, p + "ff.", ln(h, w[p + "norm3.weight"], w[p + "norm3.bias"]))
            out["vl_self_attention"][j + 1].append(e)
        c = smp["embodiment"]
        t = np.float32(smp["time"])
        k = int(np.float32(1000) * t)  # float32 product as in torch (t * buckets).long(), whatever numpy promotes
        state = cat(w, H + "state_encoder.layer2", c,
                    np.maximum(cat(w, H + "state_encoder.layer1", c, np.array([smp["state"]], dtype=np.float32)), 0))
        xt = (1 - t) * np.array(smp["noise"], dtype=np.float32) + t * np.array(smp["actions"], dtype=np.float32)
        a = cat(w, H + "action_encoder.W1", c, xt)
        half = a.shape[1] // 2
        omega = np.exp(-np.arange(half) * math.log(10000) / half)
        tau = np.concatenate([np.sin(k * omega), np.cos(k * omega)]).astype(np.float32)
        act = cat(w, H + "action_encoder.W3", c,
                  silu(cat(w, H + "action_encoder.W2", c, np.concatenate([a, np.broadcast_to(tau, a.shape)], 1))))
        act = act + w[H + "position_embedding.weight"][:act.shape[0]]
        x = np.concatenate([state, w[H + "future_tokens.weight"], act]).astype(np.float32)
        te = H + "model.timestep_encoder.timestep_embedder."
        ch = w[te + "linear_1.weight"].shape[1] // 2
        f = np.exp(-math.log(10000) * np.arange(ch, dtype=np.float32) / (ch - 1)).astype(np.float32)
        arg = np.float32(k) * f
        emb = np.concatenate([np.cos(arg), np.sin(arg)])
        temb = silu(emb @ w[te + "linear_1.weight"].T + w[te + "linear_1.bias"]) @ w[te + "linear_2.weight"].T \
            + w[te + "linear_2.bias"]
        out["dit"][0].append(x)
        for l in range(nd):
            p = H + "model.transformer_blocks.%d." % l
            mod = silu(temb) @ w[p + "norm1.linear.weight"].T + w[p + "norm1.linear.bias"]
            d = x.shape[1]
            scale, shift = mod[:d], mod[d:]
            n = ln(x) * (1 + scale) + shift
            h = x + attn(w, p + "attn1.", n, e if l % 2 == 0 else n, dh)
            x = (h + ff(w, p + "ff.", ln(h))).astype(np.float32)
            out["dit"][l + 1].append(x)
    json.dump({m: [np.concatenate(layer).tolist() for layer in out[m]] for m in out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
