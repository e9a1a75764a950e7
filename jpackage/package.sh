#!/usr/bin/env bash
# Builds Plateau's Linux app-image and .deb in target/jpackage from `mvn package` output: a trimmed Java 25 runtime
# (jlink) with JavaFX and ControlsFX as modules, the application and its other libraries on the class path (the
# PyTorch and FFmpeg natives inside their jars, unpacked offline at run time). Needs binutils (objcopy) for jlink and
# fakeroot for the .deb. Usage: jpackage/package.sh [--app-image-only]
set -euo pipefail
cd "$(dirname "$0")/.."
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME="$jdk"
mvn -q -B -DskipTests package
out=target/jpackage
rm -rf "$out"
mkdir -p "$out/input" "$out/modules"
cp target/plateau.jar "$out/input/"
for jar in target/lib/*.jar; do
  case "$(basename "$jar")" in
    javafx-*-linux.jar | controlsfx-*.jar) cp "$jar" "$out/modules/" ;;
    javafx-*.jar) ;;  # the platform-neutral JavaFX jars are empty; their -linux twins are the modules
    *) cp "$jar" "$out/input/" ;;
  esac
done
"$jdk/bin/jpackage" @jpackage/options --type app-image --dest "$out" --input "$out/input" \
  --module-path "$out/modules"
echo "app-image: $out/plateau ($(du -sh "$out/plateau" | cut -f1))"
if [ "${1:-}" != "--app-image-only" ]; then
  "$jdk/bin/jpackage" @jpackage/deb-options --type deb --dest "$out" --app-image "$out/plateau" \
    --name plateau --app-version 0.1.0 --vendor Plateau \
    --description "CKA-guided layer pruning workbench for Vision-Language-Action models" --icon jpackage/plateau.png
  echo "deb: $(ls "$out"/*.deb) ($(du -h "$out"/*.deb | cut -f1))"
fi
