#!/usr/bin/env bash
# All-pairs exact linear CKA for L layers of n tokens and width d (default 32 x 4096 x 960), Plateau against numpy in
# the same run: numpy's gram-stack in float32 and Kornblith's pairwise loop in float64, with each side's float32 GEMM
# peak. Prints times, ratios and Plateau's error against float64. Usage: bench/cka-all-pairs.sh [L n d RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
layers="${1:-32}" tokens="${2:-4096}" width="${3:-960}" runs="${4:-3}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
plateau="$("$java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -Xmx4g -cp "$cp" \
  dev.plateau.analysis.CkaBenchmark "$layers" "$tokens" "$width" "$work/layers.npy" "$runs" | tail -n 1)"
numpy="$(python3 bench/cka_numpy.py "$work/layers.npy" "$runs" | tail -n 1)"
python3 - "$plateau" "$numpy" "$layers" "$tokens" "$width" <<'PY'
import json, sys
p, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
L, t, d = map(int, sys.argv[3:6])
flops = 2.0 * L * t * t * d
print(f"all-pairs linear CKA, {L} layers x {t} tokens x {d} features ({p['space']} space)")
print(f"  plateau (float32, DJL)      {p['plateau_s']:8.3f} s   {flops / p['plateau_s'] / 1e9:7.1f} gram-stack-equivalent GFLOP/s"
      f" = {flops / p['plateau_s'] / 1e9 / p['plateau_gemm_peak_gflops']:.2f} x its GEMM peak ({p['plateau_gemm_peak_gflops']:.1f} GFLOP/s)")
print(f"  numpy gram-stack (float32)  {n['gram_stack_float32_s']:8.3f} s   {flops / n['gram_stack_float32_s'] / 1e9:7.1f} GFLOP/s"
      f" = {flops / n['gram_stack_float32_s'] / 1e9 / n['numpy_gemm_peak_gflops']:.2f} x its GEMM peak ({n['numpy_gemm_peak_gflops']:.1f} GFLOP/s)")
print(f"  numpy pairwise (float64)    {n['pairwise_float64_s']:8.3f} s")
print(f"  speed-up vs gram-stack {n['gram_stack_float32_s'] / p['plateau_s']:.2f}x, vs pairwise {n['pairwise_float64_s'] / p['plateau_s']:.1f}x;"
      f" max abs error vs float64 {p['max_abs_error_vs_float64']:.2e}")
PY
