#!/usr/bin/env bash
# The study report of the demo (calibrated on its 12 samples, the paper's SmolVLA plan) rendered by headless
# Chromium (Debian's package `chromium`) into docs/screenshots/report.png, to look at: every figure is inline SVG.
# Usage: bench/report-screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
chromium="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$chromium" ] || { echo "needs Chromium: apt-get install chromium" >&2; exit 2; }
out="$(realpath -m "${1:-docs/screenshots/report.png}")"
mvn -q -B -DskipTests package
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PLATEAU_HOME="$work/home"
"$java" -jar target/plateau.jar demo --print >/dev/null
ckpt="$work/home/demo/smolvla-tiny"
"$java" -jar target/plateau.jar calibrate "$ckpt" --data assets/demo-calibration --samples 12 --out "$work/run.json" \
  >/dev/null
"$java" -jar target/plateau.jar report "$work/run.json" --checkpoint "$ckpt" \
  --plan sample-configs/smolvla-table5.plan.json --out "$work/report.html"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,4200 \
  --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out"
