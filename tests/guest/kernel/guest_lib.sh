# Shell functions of the guest scripts (sourced). Output protocol, read by guest_kms_test.py:
# "vgpu-check: ok|not ok NAME" per check, "vgpu-tap: LINE" for a test program's TAP, "vgpu-info: KEY VALUE".

check() {
    name=$1
    shift
    if "$@"; then echo "vgpu-check: ok $name"; else echo "vgpu-check: not ok $name"; fi
}

# Runs a TAP test program, its lines marked for the host.
run_tap() {
    "$@" 2>&1 | sed 's/^/vgpu-tap: /'
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

# The vgpu card's debugfs folder (mounting debugfs if needed).
vgpu_debugfs() {
    mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
    echo "/sys/kernel/debug/dri/$(vgpu_card | sed 's/card//')"
}

# wait_for WHAT COMMAND...: polls COMMAND for up to 20 s; says so if it never succeeded.
wait_for() {
    what=$1
    shift
    tries=0
    until "$@" || [ $tries -ge 200 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    "$@" || echo "# gave up waiting for $what"
}

# dmesg_has PATTERN: waits for a kernel log line matching PATTERN (grep -E).
dmesg_has() {
    wait_for "'$1' in dmesg" sh -c "dmesg | grep -qE '$1'"
    dmesg | grep -qE "$1"
}

# Kernel warnings and oopses, and warnings or errors from DRM or vgpu, since boot. Not complaints: the
# taint notes of an unsigned out-of-tree module, and the missing INTx routing table of qboot (vgpu uses
# MSI-X there).
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

# The BAD_REGISTER fault debugfs injects (a write to MAGIC), as the driver logs it.
INJECTED_FAULT_LOG='device fault BAD_REGISTER \(0x1\): asid 0 addr 0x0 engine 4'
