#!/usr/bin/env bash
# Streamed calibration of real-size checkpoints (weights left unwritten, so zeros: the arithmetic is the real one) on
# the demo scenes (192 samples) on the CPU, at two sample counts: peak RSS of the whole process, wall time, the forward's throughput
# against the float32 GEMM peak measured in the same process, and the statistics' time against the forward's.
# Usage: bench/calibrate-at-scale.sh [MODELS] [SAMPLE COUNTS] [exact]
#   e.g. bench/calibrate-at-scale.sh "smolvla pi0" "4 64"; "exact" keeps the distant layer pairs exact too
#   (--exact-heatmap).
set -euo pipefail
cd "$(dirname "$0")/.."
models="${1:-smolvla pi0 gr00t}"
counts="${2:-4 64}"
exact="${3:-estimate}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
# the demo's 12 scenes, each listed with 16 states, as a 192-sample manifest (the two cameras' images are shared)
python3 bench/demo-samples.py "$work/data" 16
for model in $models; do
  "$java" -jar target/plateau.jar synth "$model" --real-size --out "$work/$model" >/dev/null
  for samples in $counts; do
    /usr/bin/time -f "{\"model\": \"$model\", \"samples\": $samples, \"peak_rss_gb\": %M}" -o "$work/rss" \
      "$java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -Xmx8g -cp "$cp" \
      dev.plateau.calibration.StreamingBenchmark "$work/$model" "$work/data" "$samples" \
      "$work/$model-$samples.json" 4 "$exact"
    # %M is in KB; print GB
    python3 -c "import json,sys; d=json.load(open('$work/rss')); d['peak_rss_gb']=round(d['peak_rss_gb']/1e6,2); print(json.dumps(d))"
  done
done
