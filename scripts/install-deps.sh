#!/bin/sh
# Install the Debian packages a part of vgpu needs: scripts/install-deps.sh GROUP...
# Groups are the files in scripts/packages/ (one package a line, # comments). Only missing packages are
# installed, so a second run costs one dpkg query. Uses sudo when not root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=""
for group in "$@"; do
    list="$here/packages/$group.txt"
    if [ ! -f "$list" ]; then
        echo "install-deps: unknown group '$group'; groups are: $(ls "$here/packages" | sed 's/\.txt$//' | tr '\n' ' ')" >&2
        exit 2
    fi
    for pkg in $(sed 's/#.*//' "$list"); do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = installed ] || missing="$missing $pkg"
    done
done
[ -n "$missing" ] || exit 0
# The guest kernel and its headers come as a pair: vgpu-vm boots the newest kernel in /boot and vgpu.ko
# is built against the newest headers, so both are installed (or upgraded) together, at one version.
case " $missing " in
    *" linux-image-amd64 "* | *" linux-headers-amd64 "*)
        missing=$(printf '%s\n' $missing linux-image-amd64 linux-headers-amd64 | sort -u | tr '\n' ' ') ;;
esac
echo "install-deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be stale or empty (stale lists installed headers of an older
# kernel than the newest image): refresh them first, then install.
$SUDO apt-get update -q >/dev/null || echo "install-deps: apt-get update failed; installing from the lists there are" >&2
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null || {
    echo "install-deps: apt-get could not install: $missing (see the apt output above)" >&2
    exit 1
}
