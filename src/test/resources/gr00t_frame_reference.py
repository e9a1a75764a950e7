"""Independent numpy reference of GR00T-N1.5's evaluation video pipeline for one frame (forward-gr00t.md 1.2, 1.3):
centre crop to 95 % (floor sizes, rounded offsets), antialiased bilinear resize as PyTorch computes it with
antialias=True (separable; output i of a dimension scaled by s = in/out weights inputs j by the triangle
max(0, 1 - |(j - c + 0.5) / max(s, 1)|) around c = s (i + 0.5) within support max(s, 1), normalised), 8-bit
truncation, then (v - 127.5) / 127.5.

Usage: python3 gr00t_frame_reference.py PIXELS_JSON SIZE  ->  JSON [3][SIZE][SIZE]
"""
import json
import sys

import numpy as np


def weights(n_in, n_out):
    s = n_in / n_out
    support = max(s, 1.0)
    inv = 1.0 / s if s >= 1 else 1.0
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        c = s * (i + 0.5)
        lo = max(int(c - support + 0.5), 0)
        hi = min(int(c + support + 0.5), n_in)
        for j in range(lo, hi):
            m[i, j] = max(0.0, 1 - abs((j - c + 0.5) * inv))
        m[i] /= m[i].sum()
    return m


def main(pixels_file, size):
    with open(pixels_file) as f:
        img = np.array(json.load(f), dtype=np.float64).transpose(2, 0, 1) / 255.0
    _, h, w = img.shape
    ch, cw = int(np.floor(0.95 * h)), int(np.floor(0.95 * w))
    top, left = int(round((h - ch) / 2)), int(round((w - cw) / 2))
    crop = img[:, top:top + ch, left:left + cw]
    resized = np.einsum("yh,chw,xw->cyx", weights(ch, size), crop, weights(cw, size))
    v = np.clip(np.floor(resized.astype(np.float32) * np.float32(255)), 0, 255)
    json.dump(((v - 127.5) / 127.5).tolist(), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
