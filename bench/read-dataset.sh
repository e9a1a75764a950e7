#!/usr/bin/env bash
# Reading calibration samples from a LeRobot v3.0 dataset (two 640x480 cameras, SVT-AV1 with key frames every 2 frames
# as LeRobot records, and H.264): time to open it and per decoded frame; then a calibration of a real-size SmolVLA
# (weights left unwritten) from it, its wall time against its forward pass.
# Usage: bench/read-dataset.sh [SAMPLES] [--no-calibration]
set -euo pipefail
cd "$(dirname "$0")/.."
samples="${1:-16}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$java" -jar target/plateau.jar synth smolvla --real-size --out "$work/smolvla" >/dev/null
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
/usr/bin/time -f '%e s wall, peak RSS %M KB' "$java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -Xmx4g -cp "$cp" dev.plateau.calibration.DatasetBenchmark "$work" "$work/smolvla" "$samples" ${2:-}
