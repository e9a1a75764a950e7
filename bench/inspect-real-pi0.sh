#!/usr/bin/env bash
# Whole-process wall time and peak RSS of `plateau inspect` on a real-size, sharded pi0 checkpoint (3.5 B parameters,
# 7 GB of BF16/F32 tensors written as sparse files), paired in the same run with a reference: the same JVM and
# class path answering `plateau --version`, which does no work. Usage: bench/inspect-real-pi0.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
[ -f target/plateau.jar ] || mvn -q -B -DskipTests package
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$java" -jar target/plateau.jar synth pi0 --real-size --shard-mb 2000 --out "$work/pi0" >/dev/null
"$java" -jar target/plateau.jar inspect "$work/pi0" | sed -n '1,5p'
echo "apparent size $(du -sh --apparent-size "$work/pi0" | cut -f1), on disk $(du -sh "$work/pi0" | cut -f1)"

measure() { # prints "seconds kilobytes" per run
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1
  done
}
summary() { # label, then lines of "seconds kilobytes"
  sort -n | awk -v label="$1" '{ t[NR] = $1; if ($2 > m) m = $2 } END {
    printf "%-22s min %.3f s  median %.3f s  max %.3f s  peak RSS %.0f MB\n", label, t[1], t[int((NR + 1) / 2)], t[NR], m / 1024 }'
}
inspect="$(measure "$java" -jar target/plateau.jar inspect "$work/pi0")"
reference="$(measure "$java" -jar target/plateau.jar --version)"
echo "$inspect" | summary "inspect (real pi0)"
echo "$reference" | summary "reference (--version)"
median() { sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
awk -v a="$(echo "$inspect" | median)" -v b="$(echo "$reference" | median)" \
  'BEGIN { printf "ratio of medians, inspect / reference: %.2f (inspect adds %.0f ms to a bare start)\n", a / b, (a - b) * 1000 }'
