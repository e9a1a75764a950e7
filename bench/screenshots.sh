#!/usr/bin/env bash
# Walks the real window through its screens on the demo and saves them under docs/screenshots (needs a display:
# run under xvfb-run -a -s "-screen 0 1400x900x24").
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
mvn -q -B -DskipTests package test-compile
mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
PLATEAU_HOME="${PLATEAU_HOME:-$(mktemp -d)}" "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" \
  dev.plateau.ui.ScreenshotTour docs/screenshots
