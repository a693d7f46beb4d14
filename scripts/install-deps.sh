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
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be stale or empty: refresh them once, then install.
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null || {
        echo "install-deps: apt-get could not install:$missing (see the apt output above)" >&2
        exit 1
    }
fi
