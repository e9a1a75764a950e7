"""Independent numpy float32 forward of pi0 (LeRobot's PI0Pytorch, training mode), written from the specification in
shared/reference/forward-pi0.md, for Plateau's engine test. Inputs are preprocessed (images in [-1, 1] at the model's
size, token ids, padded state, noise, time, actions); each sample runs alone (no padding).

Usage: python3 pi0_reference.py CHECKPOINT_DIR INPUTS_JSON  ->  JSON {"vlm": [...], "expert": [...]} per layer
(layer -1 first), rows concatenated over samples.
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from siglip_reference import gelu_tanh, layer_norm, read_safetensors  # noqa: E402

HD = 256
EPS = 1e-6


def gemma_rms(x, w):
    return x / np.sqrt(np.mean(x * x, -1, keepdims=True) + np.float32(EPS)) * (np.float32(1) + w)


def siglip(w, prefix, pixels, heads):
    kernel = w[prefix + "embeddings.patch_embedding.weight"]
    d, _, p, _ = kernel.shape
    g = pixels.shape[-1] // p
    patches = pixels.reshape(pixels.shape[0], 3, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(
        pixels.shape[0], g * g, -1)
    h = patches @ kernel.reshape(d, -1).T + w[prefix + "embeddings.patch_embedding.bias"]
    h = h + w[prefix + "embeddings.position_embedding.weight"]
    hd = d // heads
    i = 0
    while prefix + "encoder.layers.%d.layer_norm1.weight" % i in w:
        q = prefix + "encoder.layers.%d." % i
        lin = lambda t, n: t @ w[q + n + ".weight"].T + w[q + n + ".bias"]
        a = layer_norm(h, w[q + "layer_norm1.weight"], w[q + "layer_norm1.bias"])
        sp = lambda t: t.reshape(t.shape[0], t.shape[1], heads, hd).transpose(0, 2, 1, 3)
        s = sp(lin(a, "self_attn.q_proj")) @ sp(lin(a, "self_attn.k_proj")).transpose(0, 1, 3, 2) * np.float32(hd ** -0.5)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        h = h + lin((s @ sp(lin(a, "self_attn.v_proj"))).transpose(0, 2, 1, 3).reshape(h.shape), "self_attn.out_proj")
        h = h + lin(gelu_tanh(lin(layer_norm(h, w[q + "layer_norm2.weight"], w[q + "layer_norm2.bias"]), "mlp.fc1")),
                    "mlp.fc2")
        i += 1
    return layer_norm(h, w[prefix + "post_layernorm.weight"], w[prefix + "post_layernorm.bias"])


def rope(x, positions, theta=10000.0):
    # x [T, heads, 256]; HF rotate-half with inv_freq = 1 / theta^(2j/256), float32
    inv = (1.0 / (theta ** (np.arange(0, HD, 2, dtype=np.int64).astype(np.float32) / HD))).astype(np.float32)
    ang = positions[:, None].astype(np.float32) * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., :HD // 2], x[..., HD // 2:]
    return np.concatenate([a * c - b * s, b * c + a * s], axis=-1)


def main(folder, inputs_file):
    with open(folder + "/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(folder + "/model.safetensors")
    with open(inputs_file) as f:
        samples = json.load(f)["samples"]
    lerobot = any(k.startswith("model.paligemma_with_expert.") for k in w)
    pol = "model." if lerobot else ""
    root = pol + "paligemma_with_expert.paligemma."
    vis = root + "model.vision_tower.vision_model."
    lm = root + "model.language_model."
    ex = pol + "paligemma_with_expert.gemma_expert.model.layers."
    width = w[lm + "layers.0.input_layernorm.weight"].shape[0]
    ew = w[ex + "0.input_layernorm.weight"].shape[0]
    heads = w[lm + "layers.0.self_attn.q_proj.weight"].shape[0] // HD
    kv = w[lm + "layers.0.self_attn.k_proj.weight"].shape[0] // HD
    vw = w[vis + "embeddings.patch_embedding.weight"].shape[0]
    embed = w[root + "lm_head.weight"]
    depth = 0
    while lm + "layers.%d.input_layernorm.weight" % depth in w:
        depth += 1
    out = {"vlm": [[] for _ in range(depth + 1)], "expert": [[] for _ in range(depth + 1)]}
    for smp in samples:
        pixels = np.array(smp["images"], dtype=np.float32)
        img = siglip(w, vis, pixels, vw // 72) @ w[root + "model.multi_modal_projector.linear.weight"].T \
            + w[root + "model.multi_modal_projector.linear.bias"]
        lang = embed[np.array(smp["tokens"])] * np.float32(math.sqrt(width))
        prefix = np.concatenate([img.reshape(-1, width), lang]).astype(np.float32)
        state = np.array(smp["state"], dtype=np.float32) @ w[pol + "state_proj.weight"].T + w[pol + "state_proj.bias"]
        t = np.float32(smp["time"])
        xt = t * np.array(smp["noise"], dtype=np.float32) + (1 - t) * np.array(smp["actions"], dtype=np.float32)
        frac = np.linspace(0.0, 1.0, ew // 2, dtype=np.float64)
        period = 4e-3 * (4.0 / 4e-3) ** frac
        omega = 2 * math.pi / period
        temb = np.concatenate([np.sin(float(t) * omega), np.cos(float(t) * omega)]).astype(np.float32)
        a = xt @ w[pol + "action_in_proj.weight"].T + w[pol + "action_in_proj.bias"]
        z = np.concatenate([a, np.broadcast_to(temb, a.shape)], axis=1) @ w[pol + "action_time_mlp_in.weight"].T \
            + w[pol + "action_time_mlp_in.bias"]
        z = z / (1 + np.exp(-z))
        actions = z @ w[pol + "action_time_mlp_out.weight"].T + w[pol + "action_time_mlp_out.bias"]
        suffix = np.concatenate([state[None], actions]).astype(np.float32)
        lp, ls = prefix.shape[0], suffix.shape[0]
        ar = np.concatenate([np.zeros(lp), [1, 1], np.zeros(ls - 2)])
        cs = np.cumsum(ar)
        allowed = cs[None, :] <= cs[:, None]
        pos = np.arange(lp + ls)
        out["vlm"][0].append(prefix)
        out["expert"][0].append(suffix)
        for i in range(depth):
            hs = []
            for h, p in ((prefix, lm + "layers.%d." % i), (suffix, ex + "%d." % i)):
                x = gemma_rms(h, w[p + "input_layernorm.weight"])
                hs.append([(x @ w[p + "self_attn.%s_proj.weight" % n].T).reshape(x.shape[0], c, HD)
                           for n, c in (("q", heads), ("k", kv), ("v", kv))])
            q = rope(np.concatenate([hs[0][0], hs[1][0]]), pos)
            k = rope(np.concatenate([hs[0][1], hs[1][1]]), pos)
            v = np.concatenate([hs[0][2], hs[1][2]])
            k, v = np.repeat(k, heads // kv, axis=1), np.repeat(v, heads // kv, axis=1)
            s = np.einsum("ihd,jhd->hij", q, k) * np.float32(HD ** -0.5)
            s = np.where(allowed[None], s, np.float32(-2.3819763e38))
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            o = np.einsum("hij,jhd->ihd", s, v).reshape(lp + ls, heads * HD)
            new = []
            for h, p, rows in ((prefix, lm + "layers.%d." % i, o[:lp]), (suffix, ex + "%d." % i, o[lp:])):
                r = h + rows @ w[p + "self_attn.o_proj.weight"].T
                m = gemma_rms(r, w[p + "post_attention_layernorm.weight"])
                g = gelu_tanh(m @ w[p + "mlp.gate_proj.weight"].T) * (m @ w[p + "mlp.up_proj.weight"].T)
                new.append((r + g @ w[p + "mlp.down_proj.weight"].T).astype(np.float32))
            prefix, suffix = new
            out["vlm"][i + 1].append(prefix)
            out["expert"][i + 1].append(suffix)
    json.dump({m: [np.concatenate(layer).tolist() for layer in out[m]] for m in out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
