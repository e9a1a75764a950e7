#!/usr/bin/env bash
# Export throughput and peak RSS: plateau prune of a real-size GR00T-N1.5 (2.4 B parameters in 2 shards, data left
# unwritten so the source takes no disk) with the paper's Table 5 plan, paired in the same run with `cp` of the same
# source (--sparse=never, so cp writes every byte as the export does) followed by `sync`: the export flushes its files
# to disk before it renames them into place, so both are timed until the data is on disk.
# Usage: bench/export-real-gr00t.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
[ -f target/plateau.jar ] || mvn -q -B -DskipTests package
work="$(mktemp -d -p "${BENCH_DIR:-$PWD/target}")"
trap 'rm -rf "$work"' EXIT
"$java" -jar target/plateau.jar synth gr00t --real-size --out "$work/source" >/dev/null
source_bytes=$(du -sb --apparent-size "$work/source" | cut -f1)
for run in $(seq "$runs"); do
  sync
  /usr/bin/time -f '%e %M' -o "$work/t.prune" "$java" -jar target/plateau.jar prune "$work/source" \
    --plan sample-configs/gr00t-table5.plan.json --out "$work/pruned" >/dev/null
  sync
  written=$(du -sb --apparent-size "$work/pruned" | cut -f1)
  rm -rf "$work/pruned"
  /usr/bin/time -f '%e %M' -o "$work/t.cp" sh -c 'cp -r --sparse=never "$1" "$2" && sync' cp "$work/source" "$work/copy"
  sync
  rm -rf "$work/copy"
  read -r pt prss < "$work/t.prune"
  read -r ct crss < "$work/t.cp"
  awk -v pt="$pt" -v ct="$ct" -v w="$written" -v s="$source_bytes" -v prss="$prss" -v run="$run" 'BEGIN {
    p = w / pt / 1e6; c = s / ct / 1e6
    printf "run %d: prune wrote %.2f GB in %.2f s = %.0f MB/s (peak RSS %.0f MB); cp + sync wrote %.2f GB in %.2f s = %.0f MB/s; prune / (cp + sync) throughput %.0f %%\n",
      run, w / 1e9, pt, p, prss / 1024, s / 1e9, ct, c, 100 * p / c }'
done
