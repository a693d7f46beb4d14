#!/bin/sh
# make fuzz: run every libFuzzer target of build-asan/ for a long time (seconds per target as $1), then the
# device fuzzer (a hostile guest against the real QEMU, build/tests/device/fuzz_vgpu_pci) for as long.
# libFuzzer crashes are written to build-asan/fuzz-artifacts/; the device fuzzer prints the seed and action
# count that replay a failure. Turn each finding into a regression test.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
mkdir -p "$top/build-asan/fuzz-artifacts"
found=0
for target in $(find "$top/build-asan/tests/fuzz" -type f -name 'fuzz-*' -perm -u+x 2>/dev/null); do
    found=1
    name=$(basename "$target")
    corpus="$top/build-asan/fuzz-corpus/$name"
    mkdir -p "$corpus"
    seeds="$top/tests/fuzz/corpus/${name#fuzz-}"
    echo "== $name for ${seconds}s"
    "$target" -max_total_time="$seconds" -artifact_prefix="$top/build-asan/fuzz-artifacts/$name-" \
        "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) || exit 1
done
[ "$found" = 1 ] || { echo "fuzz: no fuzz targets in build-asan/tests/fuzz; run 'make build-asan' first" >&2; exit 1; }
device_fuzzer="$top/build/tests/device/fuzz_vgpu_pci"
if [ -x "$device_fuzzer" ]; then
    echo "== fuzz_vgpu_pci for ${seconds}s"
    "$device_fuzzer" --seconds "$seconds" || exit 1
else
    echo "fuzz: no $device_fuzzer; run 'make build qemu' first" >&2
    exit 1
fi
