#!/usr/bin/env bash
# Installs the .deb (jpackage/package.sh) with dpkg into a temporary root, without root rights or a container:
# unpacks it there as dpkg records it (the maintainer scripts, which only add the desktop menu entry, are not run),
# then runs the installed command. Prints the installed size.
set -euo pipefail
cd "$(dirname "$0")/.."
deb="$(ls target/jpackage/plateau_*_amd64.deb)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --instdir="$root" --admindir="$root/var/lib/dpkg" --force-depends --force-script-chrootless --force-not-root \
  --unpack "$deb" >/dev/null
dpkg --admindir="$root/var/lib/dpkg" -s plateau | grep -E '^(Status|Version|Installed-Size):'
echo "installed: $(du -sh "$root/opt/plateau" | cut -f1) in $root/opt/plateau"
"$root/opt/plateau/bin/plateau" --version
"$root/opt/plateau/bin/plateau" synth smolvla --out "$root/smolvla" >/dev/null
"$root/opt/plateau/bin/plateau" verify "$root/smolvla"
