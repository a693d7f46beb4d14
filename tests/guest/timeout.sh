#!/bin/sh
# A payload that never ends is stopped at --timeout with a clear message and status 124.
# usage: timeout.sh VGPU_VM [QEMU [PROJECT_QEMU]]
set -u
here=$(dirname "$0")
. "$here/tap.sh"
vgpu_vm=$1
qemu_args=""
if [ -n "${2:-}" ]; then qemu_args="--qemu $2"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plan 3
limit=15
start=$(date +%s)
# shellcheck disable=SC2086
"$vgpu_vm" run -q $qemu_args --timeout $limit --exec 'echo started; sleep 100000' > "$work/out" 2> "$work/err"
status=$?
elapsed=$(( $(date +%s) - start ))
check "a hung payload ends with status 124" [ "$status" = 124 ]
check "the message names --timeout" grep -q "did not finish within $limit s (--timeout)" "$work/err"
check "it stops at the limit, not long after ($elapsed s for $limit s)" [ "$elapsed" -lt $((limit + 10)) ]
[ "$status" = 124 ] || show "$work/err"
tap_done
