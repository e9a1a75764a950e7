#!/usr/bin/env bash
# A tau change on a 48-layer module: plan under the rules, estimates, heatmap marks and profile redrawn on their
# canvases (headless, software rendering), against a bare redraw of the same charts in the same run.
# Usage: bench/tau-repaint.sh [ROUNDS]   Aim: the whole change under 16 ms (one frame at 60 Hz).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':'):$(ls ~/.m2/repository/org/testfx/openjfx-monocle/21.0.2/*.jar)"
"$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.plateau.ui.TauRepaintBenchmark "${1:-400}"
