#!/bin/sh
# Fetch Debian's QEMU source package into third_party/, unpacked with Debian's patches applied:
#   scripts/fetch-qemu.sh            prints the source directory (e.g. third_party/qemu-7.2+dfsg) on stdout
# Idempotent: when the unpacked tree already matches the version apt offers, it only prints the path.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/third_party"
stamp="$dest/qemu.version"

"$top/scripts/install-deps.sh" qemu
"$top/scripts/enable-deb-src.sh"

version=$(apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
if [ -z "$version" ]; then
    echo "fetch-qemu: apt knows no source package 'qemu'; run scripts/enable-deb-src.sh, then apt-get update" >&2
    exit 1
fi
case "$version" in
    *:7.2+dfsg-*) ;;
    *) echo "fetch-qemu: apt offers qemu $version but our device targets Debian bookworm's 7.2; check /etc/apt" >&2
       exit 1 ;;
esac
upstream=${version#*:}
srcdir="$dest/qemu-${upstream%%-*}"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$srcdir/VERSION" ]; then
    echo "$srcdir"
    exit 0
fi

mkdir -p "$dest"
rm -rf "$srcdir"
# apt-get source leaves the .dsc and tarballs next to the tree; keep them there so a refetch can reuse them.
(cd "$dest" && apt-get source -q "qemu=$version" >&2) || {
    echo "fetch-qemu: 'apt-get source qemu=$version' failed (see above); is dpkg-dev installed and deb-src enabled?" >&2
    exit 1
}
if [ ! -f "$srcdir/VERSION" ] || [ ! -f "$srcdir/debian/patches/series" ]; then
    echo "fetch-qemu: expected an unpacked tree in $srcdir after apt-get source; look at $dest" >&2
    exit 1
fi
echo "$version" >"$stamp"
echo "$srcdir"
