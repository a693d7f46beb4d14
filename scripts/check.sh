#!/bin/sh
# Run test suites and print the one closing line: scripts/check.sh SUITE...
# Suites: unit (gcc build), asan (the unit suite again under ASan+UBSan, clang), fuzz (bounded libFuzzer
# runs, clang), device (QEMU through qtest), guest (a booted guest through vgpu-vm), mesa (the Mesa
# driver on the host through the vgpu drm-shim).
# Every suite runs even when an earlier one fails; the exit status is non-zero if any test failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=""
status=0
for suite in "$@"; do
    case "$suite" in
        unit)   dir=build;      msuite=unit ;;
        asan)   dir=build-asan; msuite=unit ;;
        fuzz)   dir=build-asan; msuite=fuzz ;;
        device) dir=build;      msuite=device ;;
        guest)  dir=build;      msuite=guest ;;
        mesa)   dir=build;      msuite=mesa ;;
        *) echo "check: unknown suite '$suite' (unit, asan, fuzz, device, guest, mesa)" >&2; exit 2 ;;
    esac
    echo "== suite $suite ($dir, meson suite $msuite)"
    rm -f "$top/$dir/meson-logs/check-$suite.json"
    meson test -C "$top/$dir" --suite "$msuite" --logbase "check-$suite" --print-errorlogs \
        --num-processes 2 || status=1
    if [ -f "$top/$dir/meson-logs/check-$suite.json" ]; then
        logs="$logs $top/$dir/meson-logs/check-$suite.json"
    fi
done
# shellcheck disable=SC2086
python3 "$top/scripts/summarize-tests.py" $logs || status=1
exit $status
