#!/bin/sh
# Runs in the guest (booted by guest_submit_test.py with vgpu.ko loaded at boot): the submission test
# program, leak counters before and after it, debugfs's submission state; then, reloaded with a short
# job timeout, the hang-and-reset case; with a small watchdog, a job the device stops; last the device
# is removed while a job runs, and rescanned. Output: see guest_lib.sh; the TAP of the later runs is
# marked "vgpu-tap-reset:", "vgpu-tap-watchdog:" and "vgpu-tap-unplug:".
# Usage: guest_submit.sh TEST-PROGRAM MODULE.ko
test_program=$1
module=$2

. "$(dirname "$0")/guest_lib.sh"

# Jobs, address spaces, system-memory objects and VRAM allocations that exist (debugfs), to compare
# before and after.
submission_counters() {
    debugfs=$(vgpu_debugfs)
    sed -n 's/^jobs run [0-9]*, \(jobs alive [0-9]*, address spaces [0-9]*\),.*/\1/p' "$debugfs/submission"
    grep "^system-memory objects" "$debugfs/submission"
    echo "vram allocations $(grep -c . "$debugfs/vram-mm")"
}

check "vgpu.ko bound the device at boot" bound
check "the render node is driven by vgpu" sh -c 'ls /dev/dri | grep -q renderD'
# vgem exports the dma-buf of another device that the PRIME import test needs.
check "modprobe vgem succeeds" modprobe vgem
before=$(submission_counters)
run_tap "$test_program"
after=$(submission_counters)
echo "# before: $before; after: $after" | tr '\n' ' '; echo
check "no job, address space or buffer is left after the clients closed" [ "$before" = "$after" ]
debugfs=$(vgpu_debugfs)
check "debugfs shows the ring" grep -q "^ring: size 65536" "$debugfs/submission"
check "debugfs logs the fault with its job" grep -qE "^  MMU_NOT_MAPPED asid [0-9]+ addr 0x7000000 .* job [0-9]+ pid [0-9]+" \
    "$debugfs/submission"
check "no fence is left in flight" sh -c "sed -n '/^in flight:/,/^faults:/p' '$debugfs/submission' | grep -q '^  seq' && exit 1 || exit 0"
check "the fault was logged for its job" dmesg_has 'device fault MMU_NOT_MAPPED \(0x20\): asid [0-9]+ addr 0x7000000 .* job [0-9]+ pid [0-9]+'

check "rmmod vgpu succeeds after submissions" rmmod vgpu
check "insmod vgpu.ko job_timeout_ms=100 succeeds" insmod "$module" job_timeout_ms=100
"$test_program" --reset 2>&1 | sed 's/^/vgpu-tap-reset: /'
debugfs=$(vgpu_debugfs)
check "debugfs counts the reset" grep -qE "resets [1-9]" "$debugfs/submission"
check "the reset was logged" dmesg_has 'job [0-9]+ of pid [0-9]+ ran over 100 ms: resetting the GPU'
check "the display still scans out after the reset" grep -q "^0x0500 DISP_CTRL        0x00000001" "$debugfs/registers"
check "rmmod vgpu succeeds after the reset" rmmod vgpu
check "insmod vgpu.ko watchdog=16 succeeds" insmod "$module" watchdog=16
"$test_program" --watchdog 2>&1 | sed 's/^/vgpu-tap-watchdog: /'
check "the watchdog fault was logged for its job" dmesg_has 'device fault WATCHDOG \(0x16\): asid [0-9]+ .* job [0-9]+ pid [0-9]+'
check "rmmod vgpu succeeds after the watchdog fault" rmmod vgpu
check "insmod vgpu.ko succeeds before the unplug" insmod "$module"
"$test_program" --unplug 2>&1 | sed 's/^/vgpu-tap-unplug: /'
check "the device is bound again after the rescan" bound
check "rmmod vgpu succeeds after the unplug" rmmod vgpu
# Complaints other than the faults and the reset the tests caused on purpose.
check "no kernel warnings or unexpected DRM errors in dmesg" sh -c \
    '! kernel_complaints | grep -vE "device fault (MMU_NOT_MAPPED|WATCHDOG)|ran over 100 ms: resetting the GPU" | grep -q .'
kernel_complaints | sed 's/^/# dmesg: /'
exit 0
