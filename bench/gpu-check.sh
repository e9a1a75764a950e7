#!/usr/bin/env bash
# The device check, for a machine with an NVIDIA GPU (driver for CUDA 12.4 or newer); about 5 minutes.
#  1. The builder SmolVLA, pi0, GR00T-N1.5 and Llama (seeded random weights) calibrated on the CPU and on the GPU:
#     every layer's hidden states agree to 1e-3 of the layer's largest magnitude, the streamed statistics to 1e-4.
#  2. A real-size SmolVLA (zero weights) calibrated on the GPU with SAMPLES samples (default 256), timed.
# Needs the CUDA natives: a build with -Dcuda (below), or `plateau gpu install` beforehand.
# Usage: bench/gpu-check.sh [SAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
samples="${1:-256}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests -Dcuda package test-compile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the demo's 12 scenes, each listed with 22 states: 264 samples (the images are shared)
python3 bench/demo-samples.py "$work/data" 22
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
exec "$java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp "$cp" \
  dev.plateau.calibration.GpuCheck "$work" "$work/data" "$samples"
