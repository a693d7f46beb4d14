#!/bin/sh
# Boots vgpu-vm with vgpu.ko and runs one benchmark program in the guest; prints its figures.
# usage: guest_bench.sh VGPU_VM MODULE_DIR BENCH_PROGRAM [QEMU]
set -eu
vgpu_vm=$1
module_dir=$2
program=$3
qemu=${4:-}
# vgpu.ko, built here rather than by ninja (tests/guest/kernel/meson.build says why).
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/scripts/build-kernel-module.sh" "$module_dir/../kbuild" >&2
mkdir -p "$module_dir"
cp "$module_dir/../kbuild/vgpu.ko" "$module_dir/"
set -- run --modules "$module_dir" --timeout 300 --exec "$program"
if [ -n "$qemu" ]; then set -- "$@" --qemu "$qemu"; fi
echo "# in a TCG guest (vgpu-vm), vgpu.ko, one client: $(basename "$program")"
"$vgpu_vm" "$@"
