#!/bin/sh
# Runs in the guest (guest_kms_test.py, boot 4): kmscube on vgpu's KMS, rendered by Mesa's software
# fallback (kms_swrast: no vgpu Mesa driver yet), left spinning for the host's screendump. Output: see
# guest_lib.sh.
. "$(dirname "$0")/guest_lib.sh"

state="$(vgpu_debugfs)/state"

# The framebuffer id on the primary plane, from the atomic state.
primary_fb() {
    awk '/^plane\[[0-9]+\]: plane-0/ { p = 1 } p && /^\tfb=/ { sub(/.*fb=/, ""); print; exit }' "$state"
}

# kmscube_flipped N: waits up to 60 s (the first frames compile shaders with LLVM, slow under TCG) for N
# changes of the primary plane's framebuffer: kmscube's first frame is a plain grey clear, its next
# ones show the cube.
kmscube_flipped() {
    flips=0
    last=$(primary_fb)
    tries=0
    while [ $flips -lt "$1" ] && [ $tries -lt 600 ]; do
        sleep 0.1
        tries=$((tries + 1))
        current=$(primary_fb)
        [ "$current" != "$last" ] && flips=$((flips + 1)) && last=$current
    done
    [ $flips -ge "$1" ]
}

# kmscube stops at the first input on stdin: the sleep keeps it open.
sleep 1000 | kmscube -D "/dev/dri/$(vgpu_card)" >/tmp/kmscube.log 2>&1 &
wait_for "kmscube's framebuffer on the plane" grep -q "allocated by = kmscube" "$state"
check "kmscube page-flips its frames" kmscube_flipped 3
check "kmscube is still running" pgrep -x kmscube
grep -v extensions /tmp/kmscube.log | sed 's/^/# kmscube: /'
exit 0
