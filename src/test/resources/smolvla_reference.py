"""Independent numpy float32 forward of LeRobot's SmolVLA (training mode), written from the specification in
shared/reference/forward-smolvla.md, for Plateau's engine test. Inputs are already preprocessed: images in [-1, 1] at
the model's size, token ids, padded state, noise, time and actions per sample; each sample runs alone (no padding).

Usage: python3 smolvla_reference.py CHECKPOINT_DIR INPUTS_JSON  ->  JSON {"vlm": [rows per layer, layer -1 first],
"expert": [...]}, rows concatenated over samples.
"""
import json
import math
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from siglip_reference import gelu_tanh, layer_norm, read_safetensors  # noqa: E402

R = "model.vlm_with_expert."
V = R + "vlm.model.vision_model."
T = R + "vlm.model.text_model."
E = R + "lm_expert.layers."
HD = 64
EPS = 1e-5


def rms(x, w):
    return x / np.sqrt(np.mean(x * x, -1, keepdims=True) + np.float32(EPS)) * w


def siglip(w, pixels, heads):
    kernel = w[V + "embeddings.patch_embedding.weight"]
    d, _, p, _ = kernel.shape
    g = pixels.shape[-1] // p
    patches = pixels.reshape(pixels.shape[0], 3, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(
        pixels.shape[0], g * g, 3 * p * p)
    h = patches @ kernel.reshape(d, -1).T + w[V + "embeddings.patch_embedding.bias"]
    h = h + w[V + "embeddings.position_embedding.weight"]
    i = 0
    hd = d // heads
    while V + "encoder.layers.%d.layer_norm1.weight" % i in w:
        q = V + "encoder.layers.%d." % i
        lin = lambda t, n: t @ w[q + n + ".weight"].T + w[q + n + ".bias"]
        a = layer_norm(h, w[q + "layer_norm1.weight"], w[q + "layer_norm1.bias"])
        sp = lambda t: t.reshape(t.shape[0], t.shape[1], heads, hd).transpose(0, 2, 1, 3)
        s = sp(lin(a, "self_attn.q_proj")) @ sp(lin(a, "self_attn.k_proj")).transpose(0, 1, 3, 2) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        h = h + lin((s @ sp(lin(a, "self_attn.v_proj"))).transpose(0, 2, 1, 3).reshape(h.shape), "self_attn.out_proj")
        h = h + lin(gelu_tanh(lin(layer_norm(h, w[q + "layer_norm2.weight"], w[q + "layer_norm2.bias"]), "mlp.fc1")),
                    "mlp.fc2")
        i += 1
    return layer_norm(h, w[V + "post_layernorm.weight"], w[V + "post_layernorm.bias"])


def pixel_shuffle(x, s):
    b, n, d = x.shape
    g = int(round(math.sqrt(n)))
    o = g // s
    out = np.zeros((b, o * o, d * s * s), dtype=np.float32)
    for hh in range(o):
        for ww in range(o):
            for dh in range(s):
                for dw in range(s):
                    out[:, o * hh + ww, d * s * dh + d * dw:d * s * dh + d * dw + d] = x[:, g * (s * hh + dh) + s * ww + dw]
    return out


def rope(x, positions):
    # x [T, heads, 64]; theta_k = p / 10000^(2k/64); y[k] = x[k] cos - x[k+32] sin; y[k+32] = x[k+32] cos + x[k] sin
    k = np.arange(HD // 2, dtype=np.float32)
    timescale = (np.float32(10000) ** ((np.float32(2) / HD) * k)).astype(np.float32)
    theta = (positions[:, None].astype(np.float32) / timescale[None, :]).astype(np.float32)
    c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
    a, b = x[..., :HD // 2], x[..., HD // 2:]
    return np.concatenate([a * c - b * s, b * c + a * s], axis=-1)


def attention(q, k, v, allowed):
    # q [Tq, H, 64], k/v [Tk, KV, 64]; head h uses kv head h // (H/KV)
    rep = q.shape[1] // k.shape[1]
    k = np.repeat(k, rep, axis=1)
    v = np.repeat(v, rep, axis=1)
    s = np.einsum("ihd,jhd->hij", q, k) * np.float32(HD ** -0.5)
    s = np.where(allowed[None], s, np.float32(np.finfo(np.float32).min))
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    return np.einsum("hij,jhd->ihd", s, v).reshape(q.shape[0], -1)


def stream(w, p):
    return {n: w[p + n] for n in ["input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                                  "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                                  "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
                                  "mlp.down_proj.weight"]}


def finish(s, h, att):
    h = h + att @ s["self_attn.o_proj.weight"].T
    m = rms(h, s["post_attention_layernorm.weight"])
    g = m @ s["mlp.gate_proj.weight"].T
    return h + ((g / (1 + np.exp(-g))) * (m @ s["mlp.up_proj.weight"].T)) @ s["mlp.down_proj.weight"].T


def main(folder, inputs_file):
    with open(folder + "/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(folder + "/model.safetensors")
    with open(inputs_file) as f:
        samples = json.load(f)["samples"]
    width = w[T + "embed_tokens.weight"].shape[1]
    heads = w[T + "layers.0.self_attn.q_proj.weight"].shape[0] // HD
    kv = w[T + "layers.0.self_attn.k_proj.weight"].shape[0] // HD
    ew = w[E + "0.input_layernorm.weight"].shape[0]
    vw = w[V + "embeddings.patch_embedding.weight"].shape[0]
    scale = int(round(math.sqrt(w[R + "vlm.model.connector.modality_projection.proj.weight"].shape[1] / vw)))
    depth = cfg["num_vlm_layers"]
    n = cfg.get("self_attn_every_n_layers", 2)
    out = {"vlm": [[] for _ in range(depth + 1)], "expert": [[] for _ in range(depth + 1)]}
    for smp in samples:
        pixels = np.array(smp["images"], dtype=np.float32)
        img = pixel_shuffle(siglip(w, pixels, vw // HD), scale) @ w[R + "vlm.model.connector.modality_projection.proj.weight"].T
        img = img.reshape(-1, width) * np.float32(math.sqrt(width))
        lang = w[T + "embed_tokens.weight"][np.array(smp["tokens"])] * np.float32(math.sqrt(width))
        state = np.array(smp["state"], dtype=np.float32) @ w["model.state_proj.weight"].T + w["model.state_proj.bias"]
        prefix = np.concatenate([img, lang, state[None]]).astype(np.float32)
        t = np.float32(smp["time"])
        noise = np.array(smp["noise"], dtype=np.float32)
        actions = np.array(smp["actions"], dtype=np.float32)
        xt = t * noise + (1 - t) * actions
        frac = np.linspace(0.0, 1.0, ew // 2, dtype=np.float64)
        period = cfg.get("min_period", 4e-3) * (cfg.get("max_period", 4.0) / cfg.get("min_period", 4e-3)) ** frac
        omega = 2 * math.pi / period
        temb = np.concatenate([np.sin(float(t) * omega), np.cos(float(t) * omega)]).astype(np.float32)
        a = xt @ w["model.action_in_proj.weight"].T + w["model.action_in_proj.bias"]
        z = np.concatenate([a, np.broadcast_to(temb, a.shape)], axis=1)
        z = z @ w["model.action_time_mlp_in.weight"].T + w["model.action_time_mlp_in.bias"]
        z = z / (1 + np.exp(-z))
        suffix = (z @ w["model.action_time_mlp_out.weight"].T + w["model.action_time_mlp_out.bias"]).astype(np.float32)
        lp, chunk = prefix.shape[0], suffix.shape[0]
        flags = np.concatenate([np.zeros(lp - 1), [1], np.ones(chunk)])
        cs = np.cumsum(flags)
        allowed = cs[None, :] <= cs[:, None]
        out["vlm"][0].append(prefix)
        out["expert"][0].append(suffix)
        for i in range(depth):
            sv, se = stream(w, T + "layers.%d." % i), stream(w, E + "%d." % i)
            hv, he = rms(prefix, sv["input_layernorm.weight"]), rms(suffix, se["input_layernorm.weight"])
            pr = lambda m, s_, name, count: (m @ s_[name].T).reshape(m.shape[0], count, HD)
            if i % n == 0:
                q = np.concatenate([pr(hv, sv, "self_attn.q_proj.weight", heads), pr(he, se, "self_attn.q_proj.weight", heads)])
                k = np.concatenate([pr(hv, sv, "self_attn.k_proj.weight", kv), pr(he, se, "self_attn.k_proj.weight", kv)])
                v = np.concatenate([pr(hv, sv, "self_attn.v_proj.weight", kv), pr(he, se, "self_attn.v_proj.weight", kv)])
                pos = np.arange(lp + chunk)
                att = attention(rope(q, pos), rope(k, pos), v, allowed)
                prefix, suffix = finish(sv, prefix, att[:lp]), finish(se, suffix, att[lp:])
            else:
                pos = np.arange(lp)
                qv = rope(pr(hv, sv, "self_attn.q_proj.weight", heads), pos)
                kvr = rope(pr(hv, sv, "self_attn.k_proj.weight", kv), pos)
                vv = pr(hv, sv, "self_attn.v_proj.weight", kv)
                new_prefix = finish(sv, prefix, attention(qv, kvr, vv, allowed[:lp, :lp]))
                qe = rope(pr(he, se, "self_attn.q_proj.weight", heads), np.arange(chunk))
                ke = (kvr.reshape(lp, -1) @ se["self_attn.k_proj.weight"].T).reshape(lp, kv, HD)
                ve = (vv.reshape(lp, -1) @ se["self_attn.v_proj.weight"].T).reshape(lp, kv, HD)
                suffix = finish(se, suffix, attention(qe, ke, ve, np.ones((chunk, lp), dtype=bool)))
                prefix = new_prefix
            out["vlm"][i + 1].append(prefix.astype(np.float32))
            out["expert"][i + 1].append(suffix.astype(np.float32))
    json.dump({m: [np.concatenate(layer).tolist() for layer in out[m]] for m in out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
