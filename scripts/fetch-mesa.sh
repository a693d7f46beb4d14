#!/bin/sh
# Fetch Debian's Mesa source package into third_party/, unpacked with Debian's patches applied:
#   scripts/fetch-mesa.sh            prints the source directory (e.g. third_party/mesa-22.3.6) on stdout
# Idempotent: when the unpacked tree already matches the version apt offers, it only prints the path.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" mesa
exec "$top/scripts/fetch-deb-source.sh" mesa '22.3.6-*' "our driver targets Debian bookworm's 22.3.6"
