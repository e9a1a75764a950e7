"""Independent numpy reference for Plateau's vision tests: LeRobot's resize-with-pad (PyTorch bilinear,
align_corners=False, no antialias; pad left/top), x*2-1, the SigLIP encoder of transformers (Conv2d patch embedding,
position embedding, pre-LayerNorm layers with biased MHA and GELU-tanh MLP, post-LayerNorm) and SmolVLM's pixel
shuffle in its closed form, float32.

Usage: python3 siglip_reference.py CHECKPOINT_DIR PREFIX HEADS PIXELS_JSON SIZE SCALE
PIXELS_JSON: {"images": [[[r,g,b] per pixel] per row] per image, uint8}. Prints JSON
{"layers": [flattened [B*N, D] per layer], "post": [...], "shuffled": [...]}
"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        raw = data[b:e]
        if info["dtype"] == "BF16":
            values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            values = np.frombuffer(raw, dtype="<f4")
        out[name] = values.reshape(info["shape"]).astype(np.float32)
    return out


def bilinear_axis(n_in, n_out):
    src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, src - i0


def resize_with_pad(img, size):
    c, h, w = img.shape
    if h == size and w == size:
        return img
    ratio = max(w / size, h / size)
    rh, rw = int(h / ratio), int(w / ratio)
    y0, y1, wy = bilinear_axis(h, rh)
    x0, x1, wx = bilinear_axis(w, rw)
    top = img[:, y0][:, :, x0] * (1 - wx) + img[:, y0][:, :, x1] * wx
    bottom = img[:, y1][:, :, x0] * (1 - wx) + img[:, y1][:, :, x1] * wx
    resized = top * (1 - wy)[None, :, None] + bottom * wy[None, :, None]
    out = np.zeros((c, size, size))
    out[:, size - rh:, size - rw:] = resized
    return out


def layer_norm(x, w, b, eps=1e-6):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def main(folder, prefix, heads, pixels_file, size, scale):
    w = read_safetensors(folder + "/model.safetensors")
    with open(pixels_file) as f:
        images = json.load(f)["images"]
    batch = []
    for im in images:
        arr = np.array(im, dtype=np.float64).transpose(2, 0, 1) / 255.0
        batch.append(resize_with_pad(arr, size) * 2 - 1)
    x = np.stack(batch).astype(np.float32)
    kernel = w[prefix + "embeddings.patch_embedding.weight"]
    d, _, p, _ = kernel.shape
    g = size // p
    emb = np.zeros((x.shape[0], g * g, d), dtype=np.float32)
    for r in range(g):
        for c in range(g):
            patch = x[:, :, r * p:(r + 1) * p, c * p:(c + 1) * p]
            emb[:, r * g + c] = np.einsum("bchw,ochw->bo", patch, kernel)
    h = emb + w[prefix + "embeddings.patch_embedding.bias"] + w[prefix + "embeddings.position_embedding.weight"]
    layers = []
    i = 0
    hd = d // heads
    while prefix + "encoder.layers.%d.layer_norm1.weight" % i in w:
        q = prefix + "encoder.layers.%d." % i
        lin = lambda t, n: t @ w[q + n + ".weight"].T + w[q + n + ".bias"]
        a = layer_norm(h, w[q + "layer_norm1.weight"], w[q + "layer_norm1.bias"])
        split = lambda t: t.reshape(t.shape[0], t.shape[1], heads, hd).transpose(0, 2, 1, 3)
        qq, kk, vv = split(lin(a, "self_attn.q_proj")), split(lin(a, "self_attn.k_proj")), split(lin(a, "self_attn.v_proj"))
        s = qq @ kk.transpose(0, 1, 3, 2) / np.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        o = (s @ vv).transpose(0, 2, 1, 3).reshape(h.shape)
        h = h + lin(o, "self_attn.out_proj")
        m = layer_norm(h, w[q + "layer_norm2.weight"], w[q + "layer_norm2.bias"])
        h = h + lin(gelu_tanh(lin(m, "mlp.fc1")), "mlp.fc2")
        layers.append(h.reshape(-1, d).tolist())
        i += 1
    post = layer_norm(h, w[prefix + "post_layernorm.weight"], w[prefix + "post_layernorm.bias"])
    side = g // scale
    shuffled = np.zeros((post.shape[0], side * side, d * scale * scale), dtype=np.float32)
    for hh in range(side):
        for ww in range(side):
            for dh in range(scale):
                for dw in range(scale):
                    src = g * (scale * hh + dh) + (scale * ww + dw)
                    col = d * scale * dh + d * dw
                    shuffled[:, side * hh + ww, col:col + d] = post[:, src]
    json.dump({"layers": layers, "post": post.reshape(-1, d).tolist(),
               "shuffled": shuffled.reshape(shuffled.shape[0], -1).tolist()}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
