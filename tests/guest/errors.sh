#!/bin/sh
# Bad input gives one clear error line and a non-zero status, without booting anything; named VMs are
# created, listed and refused with file, line and key when their config is wrong.
# usage: errors.sh VGPU_VM [QEMU [PROJECT_QEMU]]
set -u
here=$(dirname "$0")
. "$here/tap.sh"
vgpu_vm=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export VGPU_VM_DIR="$work/vms"
plan 16

# expect_error NAME EXPECTED-TEXT ARGS...: non-zero status and exactly one stderr line containing the text.
expect_error() {
    name=$1 expected=$2
    shift 2
    "$vgpu_vm" "$@" > "$work/out" 2> "$work/err"
    status=$?
    lines=$(wc -l < "$work/err")
    if [ "$status" != 0 ] && [ "$lines" = 1 ] && grep -qF -- "$expected" "$work/err"; then
        ok "$name"
    else
        fail "$name" "status $status, $lines stderr lines, expected one containing: $expected"
        show "$work/err"
    fi
}

expect_error "no command" "no command; the commands are"
expect_error "unknown command" "unknown command 'boot'" boot
expect_error "unknown option" "unknown option '--frobnicate'" run --frobnicate
expect_error "option without its value" "--mem needs a value" run --mem
expect_error "bad memory size" "not a memory size" run --mem lots
expect_error "missing kernel" "kernel /nonexistent/vmlinuz" run -q -k /nonexistent/vmlinuz --exec true
expect_error "missing QEMU" "QEMU /nonexistent/qemu (from --qemu) is not an executable" run -q --qemu /nonexistent/qemu --exec true
expect_error "--shell with --exec" "--shell and --exec" run -q --shell --exec true
expect_error "unknown named VM" "no VM named ghost" run ghost

"$vgpu_vm" create box --cpus 3 --mem 1536M --disk 64M > "$work/out" 2> "$work/err"
check "create makes a VM with a config and a disk" sh -c "[ -f '$VGPU_VM_DIR/box/config' ] && [ \$(stat -c %s '$VGPU_VM_DIR/box/disk.img') = 67108864 ]"
"$vgpu_vm" list > "$work/list" 2> "$work/err"
check "list shows it with its settings" grep -q "^box .*cpus=3 mem=1536M disk=$VGPU_VM_DIR/box/disk.img" "$work/list"
expect_error "create refuses an existing name" "exists already" create box
"$vgpu_vm" run -q box --dry-run --cpus 2 > "$work/script" 2> "$work/err"
check "run NAME uses the VM's config (its memory, its disk)" sh -c "grep -q -- '^    -m 1536 ' '$work/script' && grep -q 'file=$VGPU_VM_DIR/box/disk.img' '$work/script'"
check "options after NAME override its config" grep -q -- '^    -smp 2 ' "$work/script"

printf 'cpus = 2\nmem = 1G\ncolour = blue\n' > "$VGPU_VM_DIR/box/config"
expect_error "a config error names file, line and key" "$VGPU_VM_DIR/box/config:3: key 'colour': unknown key" run box --exec true
chmod 000 "$VGPU_VM_DIR/box/config"
if [ "$(id -u)" = 0 ]; then
    # root reads any file; a directory in the config's place is unreadable for everyone.
    chmod 644 "$VGPU_VM_DIR/box/config"; rm "$VGPU_VM_DIR/box/config"; mkdir "$VGPU_VM_DIR/box/config"
fi
expect_error "an unreadable config is one line naming it" "$VGPU_VM_DIR/box/config" run box --exec true
tap_done
