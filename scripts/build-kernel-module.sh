#!/bin/sh
# Build vgpu.ko out of tree: scripts/build-kernel-module.sh OUTDIR [KVER]
# OUTDIR receives links to kernel/'s sources and the Kbuild output (OUTDIR/vgpu.ko), so the source tree
# stays clean. KVER is the guest kernel (default: the newest one with headers installed here, which is
# the kernel vgpu-vm boots; not necessarily the running host kernel). Warnings are errors (W=1 -Werror).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [KVER]" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
out=$1
newest_headers=$(ls -1 /lib/modules/*/build/Makefile 2>/dev/null | sed 's,/lib/modules/\([^/]*\)/.*,\1,' | sort -V | tail -n 1)
kver=${2:-$newest_headers}
kdir=/lib/modules/$kver/build
# vgpu-vm boots the newest kernel in /boot: a module built for other headers would not load there.
newest_image=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sed 's,^/boot/vmlinuz-,,' | sort -V | tail -n 1)
if [ $# -lt 2 ] && [ -n "$newest_image" ] && [ -n "$kver" ] && [ "$newest_image" != "$kver" ]; then
    echo "build-kernel-module: the newest kernel in /boot is $newest_image but the newest headers are for $kver; vgpu-vm boots $newest_image, which will not load this vgpu.ko: run scripts/install-deps.sh kernel guest" >&2
fi
if [ -z "$kver" ] || [ ! -f "$kdir/Makefile" ]; then
    echo "build-kernel-module: no kernel headers for '${kver:-any kernel}' in /lib/modules; install them: scripts/install-deps.sh kernel" >&2
    exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Links, refreshed each time so added or removed sources are picked up.
find "$out" -maxdepth 1 -type l -delete
for f in "$here"/kernel/Kbuild "$here"/kernel/*.c "$here"/kernel/*.h; do
    ln -s "$f" "$out/"
done
# No BTF for an out-of-tree module: it needs the kernel's vmlinux, which the headers package lacks.
exec make -s -C "$kdir" M="$out" VGPU_SRC="$here" W=1 KCFLAGS=-Werror CONFIG_DEBUG_INFO_BTF_MODULES= modules
