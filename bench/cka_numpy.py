"""numpy side of bench/cka-all-pairs.sh: all-pairs linear CKA of the layers in NPY ([L, n, d] float32), written the
two ways numpy users write it, timed in this process, with numpy's own float32 GEMM peak.

  gram-stack (float32): centre each layer, K_l = X_l X_l^T, stack the flattened Grams, G G^T, normalise.
  pairwise (float64): Kornblith et al.'s feature-space formula for every pair i <= j.
"""
import json
import sys
import time

import numpy as np


def gram_stack(layers):
    grams = []
    for x in layers:
        xc = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
        grams.append((xc @ xc.T).ravel())
    g = np.stack(grams)
    h = g @ g.T
    d = np.sqrt(np.diag(h))
    return h / np.outer(d, d)


def feature_cka(x, y):
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    return np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))


def pairwise(layers):
    count = len(layers)
    out = np.eye(count)
    for i in range(count):
        for j in range(i):
            out[i, j] = out[j, i] = feature_cka(layers[i], layers[j])
    return out


def best_of(runs, f):
    best = float("inf")
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(path, runs):
    layers = np.load(path)
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    a @ a
    gemm, _ = best_of(6, lambda: a @ a)
    stack_s, _ = best_of(runs, lambda: gram_stack(layers))
    doubles = layers.astype(np.float64)
    pair_s, _ = best_of(1, lambda: pairwise(doubles))
    json.dump({"numpy_gemm_peak_gflops": 2 * 2048 ** 3 / gemm / 1e9, "gram_stack_float32_s": stack_s,
               "pairwise_float64_s": pair_s}, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
