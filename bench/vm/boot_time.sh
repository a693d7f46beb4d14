#!/bin/sh
# Wall time from start to exit of `vgpu-vm run --exec true`, median of several runs, beside a baseline
# measured in the same run: a naive boot of the same kernel (its compressed bzImage, QEMU's default
# firmware, a busybox init that powers off at once).
# usage: boot_time.sh VGPU_VM PROJECT_QEMU [QEMU]   (VGPU_BENCH_RUNS, default 5)
set -eu
vgpu_vm=$1
project_qemu=$2
qemu=${3:-}
runs=${VGPU_BENCH_RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

# The same QEMU and accelerator vgpu-vm picks; a first run also fills its caches (unpacked kernel, probes),
# which is the state every later edit-build-test run sees.
set -- run --exec true
if [ -n "$qemu" ]; then set -- "$@" --qemu "$qemu"; fi
"$vgpu_vm" "$@" 2> "$work/notes" || { cat "$work/notes" >&2; exit 1; }
accel=$(sed -n 's/^vgpu-vm: accelerator \([a-z]*\):.*/\1/p' "$work/notes")
if [ -z "$qemu" ]; then
    qemu=$project_qemu
    [ -x "$qemu" ] || qemu=$(command -v qemu-system-x86_64)
fi
echo "# vgpu-vm picked: $(sed -n 's/^vgpu-vm: //p' "$work/notes" | tr '\n' ';')"

# The baseline's initramfs: busybox as /init, powering off as soon as it runs.
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
mkdir -p "$work/root/bin"
cp /bin/busybox "$work/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' > "$work/root/init"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio --quiet -o -H newc) > "$work/baseline.cpio"

# Alternating the two spreads the load of a busy machine over both instead of over whichever ran second.
: > "$work/vgpu-vm"
: > "$work/baseline"
i=0
while [ $i -lt "$runs" ]; do
    start=$(now)
    "$vgpu_vm" "$@" -q
    echo "$(now) - $start" | bc >> "$work/vgpu-vm"
    start=$(now)
    "$qemu" -nodefaults -no-user-config -display none -machine "pc,accel=${accel:-tcg}" -m 1024 -smp 2 \
        -kernel "$kernel" -initrd "$work/baseline.cpio" -append "console=ttyS0 quiet panic=-1" \
        -serial null -no-reboot
    echo "$(now) - $start" | bc >> "$work/baseline"
    i=$((i + 1))
done

ours=$(median < "$work/vgpu-vm")
theirs=$(median < "$work/baseline")
printf 'vgpu-vm run --exec true (%s): median %.2f s over %d runs (range %s s)\n' "${accel:-?}" "$ours" "$runs" \
    "$(range < "$work/vgpu-vm")"
printf 'baseline, naive busybox boot of the same kernel: median %.2f s (range %s s)\n' "$theirs" \
    "$(range < "$work/baseline")"
printf 'vgpu-vm takes %.2f of the baseline time\n' "$(echo "$ours / $theirs" | bc -l)"
