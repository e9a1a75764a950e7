"""Independent reference for Plateau's layer-similarity tests, written from the papers' formulas with numpy (float64).

Usage: python3 similarity_reference.py FILE.safetensors BATCH PCA_K
FILE holds float64 tensors layer0..layer{L-1}, each [n, d]. Prints JSON with L x L matrices:
  cka           Kornblith et al. 2019: centred Grams, HSIC = <HKH, HLH>, CKA = HSIC(K,L)/sqrt(HSIC(K,K) HSIC(L,L))
  cka_feature   the same from features: ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F), X, Y column-centred
  cka_unbiased  Nguyen, Raghu, Kornblith 2021: HSIC_1 per consecutive batch of BATCH tokens, summed, then normalised
  cosine, angular, mse  token-wise criteria
  pca_ratio     explained variance ratio of the top PCA_K components of layer0 (numpy.linalg.eigh)
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    layers = {}
    for name, info in header.items():
        assert info["dtype"] == "F64"
        b, e = info["data_offsets"]
        layers[name] = np.frombuffer(data[b:e], dtype="<f8").reshape(info["shape"])
    return [layers["layer%d" % i] for i in range(len(layers))]


def centre_gram(k):
    n = k.shape[0]
    h = np.eye(n) - np.ones((n, n)) / n
    return h @ k @ h


def cka_tokens(kx, ky):
    """kx, ky: centred Gram matrices."""
    return np.sum(kx * ky) / np.sqrt(np.sum(kx * kx) * np.sum(ky * ky))


def cka_features(x, y):
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    return np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))


def hsic1(k, l):
    n = k.shape[0]
    k = k.copy()
    l = l.copy()
    np.fill_diagonal(k, 0)
    np.fill_diagonal(l, 0)
    one = np.ones(n)
    term = np.trace(k @ l) + (one @ k @ one) * (one @ l @ one) / ((n - 1) * (n - 2)) - 2 / (n - 2) * (one @ k @ l @ one)
    return term / (n * (n - 3))


def cka_unbiased(layers, batch):
    count = len(layers)
    n = layers[0].shape[0]
    acc = np.zeros((count, count))
    for start in range(0, n - 3, batch):
        grams = [x[start:start + batch] @ x[start:start + batch].T for x in layers]
        if grams[0].shape[0] < 4:
            continue
        for i in range(count):
            for j in range(count):
                acc[i, j] += hsic1(grams[i], grams[j])
    out = np.zeros((count, count))
    for i in range(count):
        for j in range(count):
            out[i, j] = acc[i, j] / np.sqrt(acc[i, i] * acc[j, j])
    return out


def cosines(x, y):
    return np.sum(x * y, axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


def main(path, batch, k):
    layers = read(path)
    count = len(layers)
    pairs = lambda f: [[float(f(layers[i], layers[j])) for j in range(count)] for i in range(count)]
    x0 = layers[0] - layers[0].mean(axis=0)
    eigenvalues = np.linalg.eigvalsh(x0.T @ x0 / (x0.shape[0] - 1))[::-1]
    grams = [centre_gram(x @ x.T) for x in layers]
    out = {
        "cka": [[float(cka_tokens(grams[i], grams[j])) for j in range(count)] for i in range(count)],
        "cka_feature": pairs(cka_features),
        "cka_unbiased": cka_unbiased(layers, batch).tolist(),
        "cosine": pairs(lambda x, y: np.mean(cosines(x, y))),
        "angular": pairs(lambda x, y: np.mean(np.arccos(np.clip(cosines(x, y), -1, 1))) / np.pi),
        "mse": pairs(lambda x, y: np.mean((x - y) ** 2)),
        "pca_ratio": (eigenvalues[:k] / eigenvalues.sum()).tolist(),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
