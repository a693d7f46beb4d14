#!/bin/sh
# Runs in the guest (booted by guest_submit_test.py with vgpu.ko loaded at boot): the submission test
# program, leak counters before and after it, debugfs's submission state; then, reloaded with a short
# job timeout, the hang-and-reset case; with a small watchdog, a job the device stops; last the device
# is removed while a job runs, and rescanned. The hostile clients' test (vgpu_hostile_test.c) and the
# ioctl fuzzer (vgpu_ioctl_fuzz.c) run with the first load, the pinned-memory limit's edges with the
# watchdog=16 load. Output: see guest_lib.sh; the TAP of the other runs is marked "vgpu-tap-reset:",
# "vgpu-tap-watchdog:", "vgpu-tap-unplug:", "vgpu-tap-hostile:", "vgpu-tap-pin-limit:", "vgpu-tap-fuzz:".
# Usage: guest_submit.sh TEST-PROGRAM MODULE.ko HOSTILE-PROGRAM FUZZER
test_program=$1
module=$2
hostile_program=$3
fuzzer=$4

. "$(dirname "$0")/guest_lib.sh"

# Jobs, address spaces, system-memory objects and VRAM allocations that exist (debugfs), to compare
# before and after.
submission_counters() {
    debugfs=$(vgpu_debugfs)
    sed -n 's/^jobs run [0-9]*, \(jobs alive [0-9]*, address spaces [0-9]*\),.*/\1/p' "$debugfs/submission"
    grep "^system-memory objects" "$debugfs/submission"
    grep "^buffers pinned for the GPU" "$debugfs/submission"
    echo "vram allocations $(grep -c . "$debugfs/vram-mm")"
}

check "vgpu.ko bound the device at boot" bound
check "the render node is driven by vgpu" sh -c 'ls /dev/dri | grep -q renderD'
# vgem exports the dma-buf of another device that the PRIME import test needs.
check "modprobe vgem succeeds" modprobe vgem
# Jobs are freed by the scheduler shortly after the processes that submitted them exit.
counters_back() {
    [ "$(submission_counters)" = "$before" ]
}
# check_no_leak WHO: the counters are back where they were before WHO ran.
check_no_leak() {
    wait_for "the leak counters to come back" counters_back
    after=$(submission_counters)
    echo "# before: $before; after: $after" | tr '\n' ' '; echo
    check "no job, address space or buffer is left after $1" [ "$before" = "$after" ]
}
no_fence_in_flight() {
    ! sed -n '/^in flight:/,/^faults:/p' "$(vgpu_debugfs)/submission" | grep -q '^  seq'
}

before=$(submission_counters)
run_tap "$test_program"
check_no_leak "the clients closed"
debugfs=$(vgpu_debugfs)
check "debugfs shows the ring" grep -q "^ring: size 65536" "$debugfs/submission"
check "debugfs logs the fault with its job" grep -qE "^  MMU_NOT_MAPPED asid [0-9]+ addr 0x7000000 .* job [0-9]+ pid [0-9]+" \
    "$debugfs/submission"
check "no fence is left in flight" no_fence_in_flight
check "the fault was logged for its job" dmesg_has 'device fault MMU_NOT_MAPPED \(0x20\): asid [0-9]+ addr 0x7000000 .* job [0-9]+ pid [0-9]+'

"$hostile_program" 2>&1 | sed 's/^/vgpu-tap-hostile: /'
"$fuzzer" --seconds "${VGPU_FUZZ_SECONDS:-20}" --seed "${VGPU_FUZZ_SEED:-1}" 2>&1 | sed 's/^/vgpu-tap-fuzz: /'
check_no_leak "the hostile clients and the fuzzer"
check "no fence is left in flight after the fuzzer" no_fence_in_flight

check "rmmod vgpu succeeds after submissions" rmmod vgpu
check "insmod vgpu.ko job_timeout_ms=100 succeeds" insmod "$module" job_timeout_ms=100
"$test_program" --reset 2>&1 | sed 's/^/vgpu-tap-reset: /'
debugfs=$(vgpu_debugfs)
check "debugfs counts the reset" grep -qE "resets [1-9]" "$debugfs/submission"
check "the reset was logged" dmesg_has 'job [0-9]+ of pid [0-9]+ ran over 100 ms: resetting the GPU'
check "the display still scans out after the reset" grep -q "^0x0500 DISP_CTRL        0x00000001" "$debugfs/registers"
check "rmmod vgpu succeeds after the reset" rmmod vgpu
check "insmod vgpu.ko watchdog=16 pinned_sysmem_limit_mb=4 succeeds" insmod "$module" watchdog=16 pinned_sysmem_limit_mb=4
"$test_program" --watchdog 2>&1 | sed 's/^/vgpu-tap-watchdog: /'
"$hostile_program" --pin-limit 2>&1 | sed 's/^/vgpu-tap-pin-limit: /'
check "the watchdog fault was logged for its job" dmesg_has 'device fault WATCHDOG \(0x16\): asid [0-9]+ .* job [0-9]+ pid [0-9]+'
check "rmmod vgpu succeeds after the watchdog fault" rmmod vgpu
check "insmod vgpu.ko succeeds before the unplug" insmod "$module"
"$test_program" --unplug 2>&1 | sed 's/^/vgpu-tap-unplug: /'
check "the device is bound again after the rescan" bound
check "rmmod vgpu succeeds after the unplug" rmmod vgpu
# Complaints other than the device faults and resets the tests and the fuzzer caused on purpose.
check "no hung task was reported" sh -c '! dmesg | grep -q "blocked for more than"'
check "no kernel warnings or unexpected DRM errors in dmesg" sh -c \
    '! kernel_complaints | grep -vE "\*ERROR\* (device fault [A-Z0-9_]+ \(0x[0-9a-f]+\)|[0-9]+ more device faults were counted)|ran over [0-9]+ ms: resetting the GPU" | grep -q .'
kernel_complaints | sed 's/^/# dmesg: /'
exit 0
