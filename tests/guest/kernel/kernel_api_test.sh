#!/bin/sh
# SPDX-License-Identifier: MIT
# vgpu.ko across kernel APIs (kernel/kernel-api.sh picks the API from the headers, not the version).
#   kernel_api_test.sh check          the check itself, on headers made up here (suite unit, no kernel)
#   kernel_api_test.sh build OUTDIR   vgpu.ko built against every kernel whose headers are installed, the
#                                     default one aside (suite guest): Debian's 6.1.0-50 headers have the
#                                     positional drm_sched_init(), 6.1.0-57 struct drm_sched_init_args
# Output: TAP.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
api=$top/kernel/kernel-api.sh
n=0
failed=0
result() { # result OK NAME
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

case "${1:-}" in
check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/new/include/drm" "$tmp/old/include/drm" "$tmp/none"
    # The two shapes of include/drm/gpu_scheduler.h, reduced to what tells them apart.
    printf '%s\n' 'struct drm_sched_init_args {' '	const struct drm_sched_backend_ops *ops;' '};' \
        'int drm_sched_init(struct drm_gpu_scheduler *sched,' \
        '		   const struct drm_sched_init_args *args);' > "$tmp/new/include/drm/gpu_scheduler.h"
    printf '%s\n' ' * passed to drm_sched_init() through struct drm_sched_init_args {' \
        'int drm_sched_init(struct drm_gpu_scheduler *sched,' \
        '		   const struct drm_sched_backend_ops *ops,' \
        '		   uint32_t hw_submission, unsigned hang_limit,' > "$tmp/old/include/drm/gpu_scheduler.h"
    [ "$(sh "$api" "$tmp/new")" = "-DVGPU_HAVE_SCHED_INIT_ARGS" ]
    result $? "headers with struct drm_sched_init_args select it"
    [ -z "$(sh "$api" "$tmp/old")" ]
    result $? "headers with the positional drm_sched_init() select that (a mention in a comment does not count)"
    [ -z "$(sh "$api" "$tmp/none")" ]
    result $? "no header: the older API, which then fails to compile with the missing header's name"
    # Installed headers, where there are: the flag follows the declaration.
    for header in /usr/src/linux-headers-*/include/drm/gpu_scheduler.h; do
        [ -f "$header" ] || continue
        tree=${header%/include/drm/gpu_scheduler.h}
        if grep -q 'const struct drm_sched_init_args \*args);' "$header"; then want=-DVGPU_HAVE_SCHED_INIT_ARGS; else want=; fi
        [ "$(sh "$api" "$tree")" = "$want" ]
        result $? "$(basename "$tree"): ${want:-the positional drm_sched_init()}"
    done
    ;;
build)
    out=${2:?usage: kernel_api_test.sh build OUTDIR}
    default=$(ls -1 /lib/modules/*/build/Makefile 2>/dev/null | sed 's,/lib/modules/\([^/]*\)/.*,\1,' | sort -V | tail -n 1)
    for makefile in /lib/modules/*/build/Makefile; do
        [ -f "$makefile" ] || continue
        kver=$(echo "$makefile" | sed 's,/lib/modules/\([^/]*\)/.*,\1,')
        [ "$kver" = "$default" ] && continue
        log=$("$top/scripts/build-kernel-module.sh" "$out/$kver" "$kver" 2>&1)
        status=$?
        result $status "vgpu.ko builds against the headers of $kver"
        [ $status = 0 ] || echo "$log" | sed 's/^/# /'
    done
    if [ $n = 0 ]; then
        echo "ok 1 - # SKIP no kernel headers installed besides the default ($default); e.g. apt-get install linux-headers-6.1.0-50-amd64 (the older drm_sched_init())"
        n=1
    fi
    ;;
*)
    echo "usage: kernel_api_test.sh check | build OUTDIR" >&2
    exit 2
    ;;
esac
echo "1..$n"
exit $failed
