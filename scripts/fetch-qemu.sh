#!/bin/sh
# Fetch Debian's QEMU source package into third_party/, unpacked with Debian's patches applied:
#   scripts/fetch-qemu.sh            prints the source directory (e.g. third_party/qemu-7.2+dfsg) on stdout
# Idempotent: when the unpacked tree already matches the version apt offers, it only prints the path.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" qemu
exec "$top/scripts/fetch-deb-source.sh" qemu '*:7.2+dfsg-*' "our device targets Debian bookworm's 7.2"
