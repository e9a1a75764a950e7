#!/usr/bin/env bash
# Calibration of a real-size SmolVLA (450 M parameters; weights left unwritten, so zeros) on the demo set on the CPU:
# wall time, peak RSS, and forward throughput as a fraction of the float32 GEMM peak measured in the same process.
# Usage: bench/calibrate-real-smolvla.sh [SAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
samples="${1:-8}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$java" -jar target/plateau.jar synth smolvla --real-size --out "$work/smolvla" >/dev/null
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
/usr/bin/time -f '%e s wall, peak RSS %M KB' "$java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -cp "$cp" dev.plateau.calibration.CalibrationBenchmark "$work/smolvla" assets/demo-calibration "$samples" \
  "$work/run.json"
