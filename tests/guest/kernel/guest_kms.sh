#!/bin/sh
# Runs in the guest (booted by guest_kms_test.py with vgpu.ko loaded at boot): the driver's life cycle,
# the ioctl test program, and last modetest showing its test pattern for the host's screendump. Output:
# see guest_lib.sh.
# Usage: guest_kms.sh TEST-PROGRAM MODULE.ko
test_program=$1
module=$2

. "$(dirname "$0")/guest_lib.sh"

check "vgpu.ko bound the device at boot" bound
check "the probe announced the device" sh -c 'dmesg | grep -q "vgpu .* MiB VRAM"'
check "a DRM card is driven by vgpu" vgpu_card
run_tap "$test_program"

check "rmmod vgpu succeeds" rmmod vgpu
check "the device is unbound after rmmod" unbound
check "no DRM card is left after rmmod" sh -c '! ls /sys/class/drm | grep -q "^card"'
check "insmod vgpu.ko succeeds again" insmod "$module"
check "the device is bound again" bound
check "the reloaded driver has a card" vgpu_card
check "the reloaded driver answers ioctls" sh -c "'$test_program' test_version_and_params >/dev/null"

# Loading by PCI ID: modprobe of the device's modalias finds vgpu through the alias MODULE_DEVICE_TABLE
# declares, in a module tree of its own (depmod over the whole kernel takes a minute under TCG).
modprobe_by_modalias() {
    release=$(uname -r)
    tree=/tmp/modules
    mkdir -p "$tree/lib/modules/$release/extra"
    cp "$module" "$tree/lib/modules/$release/extra/"
    cp "/lib/modules/$release/modules.builtin" "/lib/modules/$release/modules.builtin.modinfo" \
        "/lib/modules/$release/modules.order" "$tree/lib/modules/$release/"
    depmod -b "$tree" "$release" &&
        modprobe -d "$tree" "$(cat "/sys/bus/pci/devices/$device/modalias")" &&
        bound
}
device=$(ls /sys/bus/pci/drivers/vgpu | grep '^0000:' | head -n 1)
check "rmmod vgpu succeeds once more" rmmod vgpu
check "modprobe of the device's modalias loads and binds vgpu" modprobe_by_modalias
check "no kernel warnings or DRM errors in dmesg" no_kernel_complaints

# debugfs shows the registers, and injects a fault: the driver writes the read-only MAGIC register, a
# BAD_REGISTER fault (hw-spec 8.1) whose record the fault interrupt logs.
debugfs=$(vgpu_debugfs)
check "debugfs shows the registers" grep -q "^0x0000 MAGIC            0x55504756" "$debugfs/registers"
echo 1 >"$debugfs/inject_register_fault"
check "an injected register fault is logged with its record" dmesg_has "$INJECTED_FAULT_LOG"
check "the fault record was acknowledged" grep -q "^0x0300 FAULT_STATUS     0x00000000" "$debugfs/registers"
check "debugfs counts the fault" grep -q "^0x0324 FAULT_COUNT      0x00000001" "$debugfs/registers"

# modetest sets the preferred mode with its test pattern and waits for a key: stdin stays open (the
# sleep), so it holds the mode while the host takes the screendump after this script ends. Its output
# is line-buffered so "setting mode" shows before it blocks.
card=$(vgpu_card)
mode=$(head -n 1 "/sys/class/drm/$card-Virtual-1/modes" 2>/dev/null)
echo "vgpu-info: preferred-mode $mode"
sleep 1000 | stdbuf -oL modetest -M vgpu -r >/tmp/modetest.log 2>&1 &
# Its framebuffer on the plane (the atomic state names the process that made it), then a second for the
# commit to latch (the mode set returns at FLIP_DONE).
wait_for "modetest's framebuffer on the plane" grep -q "allocated by = modetest" "$debugfs/state"
sleep 1
check "modetest set the preferred mode" grep -q "setting mode $mode" /tmp/modetest.log
sed 's/^/# modetest: /' /tmp/modetest.log
exit 0
