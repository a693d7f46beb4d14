#!/bin/sh
# Fetch a Debian source package into third_party/, unpacked with Debian's patches applied:
#   scripts/fetch-deb-source.sh PACKAGE VERSION_GLOB WHY
# prints the source directory (third_party/PACKAGE-UPSTREAM) on stdout. VERSION_GLOB is the shell pattern the
# version apt offers must match (WHY says, in the error, why that version). Idempotent: when the unpacked tree
# matches the version apt offers (third_party/PACKAGE.version), it only prints the path. Used by
# fetch-qemu.sh and fetch-mesa.sh.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
package=$1
pattern=$2
why=$3
dest="$top/third_party"
stamp="$dest/$package.version"

"$top/scripts/enable-deb-src.sh"

version=$(apt-cache showsrc "$package" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
if [ -z "$version" ]; then
    echo "fetch-$package: apt knows no source package '$package'; run scripts/enable-deb-src.sh, then apt-get update" >&2
    exit 1
fi
# shellcheck disable=SC2254
case "$version" in
    $pattern) ;;
    *) echo "fetch-$package: apt offers $package $version but $why; check /etc/apt" >&2
       exit 1 ;;
esac
upstream=${version#*:}
srcdir="$dest/$package-${upstream%%-*}"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$srcdir/VERSION" ]; then
    echo "$srcdir"
    exit 0
fi

mkdir -p "$dest"
rm -rf "$srcdir"
# apt-get source leaves the .dsc and tarballs next to the tree; keep them there so a refetch can reuse them.
(cd "$dest" && apt-get source -q "$package=$version" >&2) || {
    echo "fetch-$package: 'apt-get source $package=$version' failed (see above); is dpkg-dev installed and deb-src enabled?" >&2
    exit 1
}
if [ ! -f "$srcdir/VERSION" ] || [ ! -f "$srcdir/debian/patches/series" ]; then
    echo "fetch-$package: expected an unpacked tree in $srcdir after apt-get source; look at $dest" >&2
    exit 1
fi
# Source format 1.0 (Mesa's): dpkg-source applied only the .diff.gz; the quilt series is ours to apply.
# "3.0 (quilt)" (QEMU's): dpkg-source applied it already.
if [ "$(cat "$srcdir/debian/source/format" 2>/dev/null)" != "3.0 (quilt)" ]; then
    for patch in $(sed 's/#.*//' "$srcdir/debian/patches/series"); do
        patch -d "$srcdir" -p1 -s -N <"$srcdir/debian/patches/$patch" >&2 || {
            echo "fetch-$package: Debian's patch $patch does not apply to $srcdir; delete $srcdir and re-run" >&2
            exit 1
        }
    done
fi
echo "$version" >"$stamp"
echo "$srcdir"
