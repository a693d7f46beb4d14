#!/bin/sh
# Runs in the guest (guest_kms_test.py, boot 3). First hotplug: says it is ready, the host resizes the
# window through QEMU's VNC server, and the new size must become the connector's preferred mode (HOTPLUG,
# the driver's hotplug event, fbdev's re-probe). Then vgpu_kms_show shows its picture in that mode for
# the screendump, and the cursor registers are printed. Output: see guest_lib.sh.
# Usage: guest_hotplug_show.sh SHOW-PROGRAM
show_program=$1
. "$(dirname "$0")/guest_lib.sh"

modes="/sys/class/drm/$(vgpu_card)-Virtual-1/modes"
before=$(head -n 1 "$modes")
echo "vgpu-info: ready-for-resize $before"
preferred_changed() {
    [ "$(head -n 1 "$modes")" != "$before" ]
}
wait_for "a new preferred mode" preferred_changed
echo "vgpu-info: resized-mode $(head -n 1 "$modes")"

sleep 1000 | "$show_program" >/tmp/show.log 2>&1 &
wait_for "the picture" grep -q "vgpu-show:" /tmp/show.log
sed 's/^vgpu-show: /vgpu-info: shown /' /tmp/show.log
sed 's/^/vgpu-reg: /' "$(vgpu_debugfs)/registers"
exit 0
