#!/bin/sh
# make run: boot a guest on the vgpu with the freshly built vgpu.ko and show what its display shows.
# With a display ($DISPLAY or $WAYLAND_DISPLAY): a QEMU window and an interactive guest shell in this
# terminal (try `modetest -M vgpu`); `exit` ends it. Headless: two boots, each saving a screenshot to out/:
# the guest's text console on the vgpu (fbdev), and modetest's test pattern on the preferred mode.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
vm="$top/build/tools/vgpu-vm/vgpu-vm"
modules="$top/build/kernel"
out="$top/out"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -t 0 ]; then
    echo "run: booting a guest on vgpu in a window; type 'exit' to end it"
    exec "$vm" run --modules "$modules" --display --shell
fi

mkdir -p "$out"
# The console: kernel messages about the vgpu, written to the framebuffer console that vgpu.ko provides.
"$vm" run --modules "$modules" --timeout 120 --screenshot "$out/console.png" --exec '
    printf "\033[2J\033[H" >/dev/tty1
    { echo "vgpu: $(cat /sys/class/drm/card0/device/vendor):$(cat /sys/class/drm/card0/device/device) driven by $(basename "$(readlink /sys/class/drm/card0/device/driver)")"
      dmesg | grep -i vgpu | tail -n 20; } >/dev/tty1
    sleep 1'
# modetest's SMPTE-like test pattern on the connector's preferred mode, kept on screen for the screenshot.
"$vm" run --modules "$modules" --timeout 120 --screenshot "$out/modetest.png" --exec '
    connector=$(modetest -M vgpu -c | awk "/^[0-9]+\t/ { print \$1; exit }")
    # modetest keeps the mode until it reads a key: feed it a pipe that stays open past the screenshot.
    { sleep 60 | modetest -M vgpu -s "$connector:#0" >/dev/null 2>&1; } &
    sleep 3'
echo "run: headless, so the guest's display was saved instead of shown:"
echo "  $out/console.png   the text console on the vgpu"
echo "  $out/modetest.png  modetest's test pattern on the preferred mode"
