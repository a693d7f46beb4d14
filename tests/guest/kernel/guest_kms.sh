#!/bin/sh
# Runs in the guest (booted by guest_kms_test.py with vgpu.ko loaded at boot): the driver's life cycle,
# the ioctl test program, and last modetest showing its test pattern for the host's screendump.
# Prints "vgpu-check: ok|not ok NAME" for its own checks, "vgpu-tap: LINE" for the test program's TAP,
# and "vgpu-info: KEY VALUE" for what the host needs to check the screendump.
# Usage: guest_kms.sh TEST-PROGRAM MODULE.ko
test_program=$1
module=$2

check() {
    name=$1
    shift
    if "$@"; then echo "vgpu-check: ok $name"; else echo "vgpu-check: not ok $name"; fi
}

bound() {
    ls /sys/bus/pci/drivers/vgpu 2>/dev/null | grep -q '^0000:'
}

unbound() {
    ! bound
}

# The card's sysfs name (card0, ...) of the device vgpu drives.
vgpu_card() {
    for dev in /sys/class/drm/card[0-9]*; do
        [ -e "$dev/device/driver" ] || continue
        [ "$(basename "$(readlink "$dev/device/driver")")" = vgpu ] && { basename "$dev"; return 0; }
    done
    return 1
}

# Kernel warnings and oopses, and warnings or errors from DRM or vgpu, since boot. Not complaints: the
# taint notes of an unsigned out-of-tree module, and the VM's missing INTx routing table (qboot has no
# MP table; vgpu uses MSI-X).
kernel_complaints() {
    {
        dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection'
        dmesg --level=emerg,alert,crit,err,warn | grep -iE 'vgpu|drm|ttm'
    } | grep -vE 'taints kernel|module verification failed|can.t find IRQ for PCI INT A'
}

no_kernel_complaints() {
    complaints=$(kernel_complaints)
    [ -z "$complaints" ] && return 0
    echo "$complaints" | sed 's/^/# dmesg: /'
    return 1
}

check "vgpu.ko bound the device at boot" bound
check "the probe announced the device" sh -c 'dmesg | grep -q "vgpu .* MiB VRAM"'
check "a DRM card is driven by vgpu" vgpu_card
"$test_program" 2>&1 | sed 's/^/vgpu-tap: /'

check "rmmod vgpu succeeds" rmmod vgpu
check "the device is unbound after rmmod" unbound
check "no DRM card is left after rmmod" sh -c '! ls /sys/class/drm | grep -q "^card"'
check "insmod vgpu.ko succeeds again" insmod "$module"
check "the device is bound again" bound
check "the reloaded driver has a card" vgpu_card
check "the reloaded driver answers ioctls" sh -c "'$test_program' test_version_and_params >/dev/null"
check "no kernel warnings or DRM errors in dmesg" no_kernel_complaints

# debugfs shows the registers, and injects a fault: the driver writes the read-only MAGIC register, a
# BAD_REGISTER fault (hw-spec 8.1) whose record the fault interrupt logs.
mount -t debugfs none /sys/kernel/debug 2>/dev/null
debugfs=/sys/kernel/debug/dri/$(vgpu_card | sed 's/card//')
check "debugfs shows the registers" grep -q "^0x0000 MAGIC            0x55504756" "$debugfs/registers"
echo 1 >"$debugfs/inject_register_fault"
fault_logged() {
    tries=0
    until dmesg | grep -q "device fault BAD_REGISTER (0x1): asid 0 addr 0x0 engine 4" || [ $tries -ge 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    dmesg | grep -q "device fault BAD_REGISTER (0x1): asid 0 addr 0x0 engine 4"
}
check "an injected register fault is logged with its record" fault_logged
check "the fault record was acknowledged" grep -q "^0x0300 FAULT_STATUS     0x00000000" "$debugfs/registers"
check "debugfs counts the fault" grep -q "^0x0324 FAULT_COUNT      0x00000001" "$debugfs/registers"

# modetest sets the preferred mode with its test pattern and waits for a key: stdin stays open (the
# sleep), so it holds the mode while the host takes the screendump after this script ends. Its output
# is line-buffered so "setting mode" shows before it blocks.
card=$(vgpu_card)
mode=$(head -n 1 "/sys/class/drm/$card-Virtual-1/modes" 2>/dev/null)
echo "vgpu-info: preferred-mode $mode"
sleep 1000 | stdbuf -oL modetest -M vgpu -r >/tmp/modetest.log 2>&1 &
tries=0
until grep -q "setting mode" /tmp/modetest.log 2>/dev/null || [ $tries -ge 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
# The mode set itself returns once the device latched it (FLIP_DONE); a second covers its return.
sleep 1
check "modetest set the preferred mode" grep -q "setting mode $mode" /tmp/modetest.log
sed 's/^/# modetest: /' /tmp/modetest.log
exit 0
