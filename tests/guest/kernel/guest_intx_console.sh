#!/bin/sh
# Runs in the guest (guest_kms_test.py, boot 2, SeaBIOS so that INTx is routed): the connector's modes,
# then the driver reloaded with msix=0 so that everything runs on INTx (page flips and vblanks, a fault),
# then text on the fbdev console for the host's screendump.
# Usage: guest_intx_console.sh TEST-PROGRAM MODULE.ko
test_program=$1
module=$2
. "$(dirname "$0")/guest_lib.sh"

echo "vgpu-info: modes $(cat "/sys/class/drm/$(vgpu_card)-Virtual-1/modes" | tr '\n' ' ')"

check "rmmod vgpu succeeds" rmmod vgpu
check "insmod vgpu.ko msix=0 succeeds" insmod "$module" msix=0
check "the driver fell back to INTx" dmesg_has 'MSI-X disabled \(msix=0\), using INTx'
check "the driver announced INTx" dmesg_has 'vgpu .* MiB VRAM, INTx'
check "vgpu has an IO-APIC interrupt" sh -c 'grep vgpu /proc/interrupts | grep -q IO-APIC'
run_tap "$test_program" test_modeset_and_page_flips
echo 1 >"$(vgpu_debugfs)/inject_register_fault"
check "a fault is logged through INTx" dmesg_has "$INJECTED_FAULT_LOG"
no_complaints_but_the_fault() {
    ! kernel_complaints | grep -v 'device fault BAD_REGISTER' | grep -q .
}
check "no kernel warnings or DRM errors in dmesg but the injected fault" no_complaints_but_the_fault

# Clear the console and write one line at its top-left; the cursor may blink, the text not.
text="VGPU FBDEV CONSOLE VGPU FBDEV CONSOLE VGPU FBDEV CONSOLE"
printf '\033[2J\033[H%s\n' "$text" >/dev/tty1
echo "vgpu-info: console-text $text"
sleep 1
exit 0
