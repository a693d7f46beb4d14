#!/bin/sh
# SPDX-License-Identifier: MIT
# roundtrip.sh VGPU_COMPILER VGPU_AS WORKDIR SHADER...: for each shader, the binary vgpu-compiler writes
# must equal what vgpu-as makes of the assembly vgpu-compiler prints.
set -eu
compiler=$1 assembler=$2 work=$3
shift 3
status=0
for shader in "$@"; do
    name=$(basename "$shader")
    "$compiler" -o "$work/$name.bin" "$shader"
    "$compiler" -S "$shader" > "$work/$name.s"
    "$assembler" "$work/$name.s" -o "$work/$name.as.bin"
    if cmp -s "$work/$name.bin" "$work/$name.as.bin"; then
        echo "ok: $name"
    else
        echo "FAIL: $name: vgpu-as made a different binary from the printed assembly ($work/$name.s)"
        status=1
    fi
done
exit $status
