#!/usr/bin/env bash
# Starts the app-image (jpackage/package.sh) under Xvfb as a new user would, twice: cold (an empty home, so the demo
# and user.home, so the demo is written and calibrated and the natives unpacked) and warm. Fails unless the Plateau window appears; prints the
# time from start to the window and to its first frame, and saves screenshots in target/jpackage/.
# Needs xvfb, xauth, x11-utils (xwininfo) and imagemagick (import).
set -euo pipefail
cd "$(dirname "$0")/.."
app="$PWD/target/jpackage/plateau/bin/plateau"
[ -x "$app" ] || { echo "no app-image: run jpackage/package.sh first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
for run in cold warm; do
  HOME="$work/home" PLATEAU_HOME="$work/home/.cache/plateau" \
    JAVA_TOOL_OPTIONS="-Dplateau.startup.trace=true -Duser.home=$work/home" \
    xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
      app="$1"; log="$2"; shot="$3"
      t0=$(date +%s%N)
      "$app" >"$log" 2>&1 &
      pid=$!
      found=""
      for _ in $(seq 1 600); do
        if xwininfo -root -tree 2>/dev/null | grep -q "\"Plateau"; then found=yes; break; fi
        sleep 0.05
      done
      t1=$(date +%s%N)
      [ -n "$found" ] || { echo "no Plateau window within 30 s" >&2; cat "$log" >&2; kill "$pid"; exit 1; }
      echo "window on screen after $(( (t1 - t0) / 1000000 )) ms"
      for _ in $(seq 1 600); do grep -q "first frame" "$log" && break; sleep 0.05; done
      sleep 15
      import -window root "$shot"
      xwininfo -root -tree | grep -o "\"Plateau[^\"]*\"" | head -1
      kill "$pid"; wait "$pid" 2>/dev/null || true' \
    _ "$app" "$work/$run.log" "$PWD/target/jpackage/$run.png"
  grep -h "first frame" "$work/$run.log" | sed "s/^/$run: /"
  if grep -q "Exception" "$work/$run.log"; then echo "$run: exceptions in the log:" >&2; cat "$work/$run.log" >&2; exit 1; fi
done
