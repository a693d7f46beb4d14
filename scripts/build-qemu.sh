#!/bin/sh
# Build qemu-system-x86_64 with our vgpu-pci device: scripts/build-qemu.sh
# Result: build-qemu/qemu-system-x86_64 (QEMU 7.2 from Debian's source package, x86_64 system emulator only).
#
# Steps: install scripts/packages/qemu.txt, fetch and unpack the source (scripts/fetch-qemu.sh), build libvgpu
# in the vgpu meson build directory, hook qemu/ into the QEMU tree, configure once per option set, build.
# A re-run with nothing changed (same options, same qemu/ files, libvgpu not rebuilt) stops after a hash check.
#
# Environment: VGPU_BUILD   libvgpu's meson build directory (default <repo>/build)
#              QEMU_BUILD   QEMU's build directory (default <repo>/build-qemu)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
newer() { [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }
vgpu_build=$(absolute "${VGPU_BUILD:-$top/build}")
qemu_build=$(absolute "${QEMU_BUILD:-$top/build-qemu}")
binary="$qemu_build/qemu-system-x86_64"

"$top/scripts/install-deps.sh" qemu
src=$("$top/scripts/fetch-qemu.sh")

# libvgpu: QEMU links it through the uninstalled pkg-config file of the vgpu meson project.
[ -f "$vgpu_build/build.ninja" ] || meson setup "$vgpu_build" "$top" >/dev/null
ninja -C "$vgpu_build" libvgpu/libvgpu.a >/dev/null || {
    echo "build-qemu: libvgpu does not build; run 'ninja -C $vgpu_build' to see why" >&2
    exit 1
}
export PKG_CONFIG_PATH="$vgpu_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# Our files stay in qemu/ and are linked into the tree; the tree's own build files gain one line each.
ln -sfn "$top/qemu/hw/display/vgpu" "$src/hw/display/vgpu"
ln -sf "$top/qemu/configs/devices/x86_64-softmmu/vgpu.mak" "$src/configs/devices/x86_64-softmmu/vgpu.mak"
grep -qx "subdir('vgpu')" "$src/hw/display/meson.build" || echo "subdir('vgpu')" >>"$src/hw/display/meson.build"
grep -qx "source vgpu/Kconfig" "$src/hw/display/Kconfig" || echo "source vgpu/Kconfig" >>"$src/hw/display/Kconfig"

# A window where a toolkit is installed (qemu.txt installs GTK); VNC and screendumps always.
if pkg-config --exists gtk+-3.0; then
    window=--enable-gtk
elif pkg-config --exists sdl2; then
    window=--enable-sdl
else
    window=""
fi
firmware_dirs="/usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu"
# Lean: one target, every optional feature off unless listed, our own device list. No firmware blobs of
# our own: the Debian packages in qemu.txt provide them at the paths baked in with --firmwarepath.
options="--target-list=x86_64-softmmu --without-default-features --without-default-devices
 --with-devices-x86_64=vgpu --enable-tcg --enable-kvm --enable-slirp --enable-virtfs --enable-attr --enable-cap-ng
 --enable-png --enable-vnc $window --disable-docs --disable-tools --disable-guest-agent --disable-install-blobs
 --firmwarepath=$(echo "$firmware_dirs" | tr ' ' :)
 --cc=/usr/lib/ccache/gcc --host-cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++"

# A new Debian revision of the source (fetch-qemu.sh replaces the tree) also counts as new options.
configure_id=$(printf '%s\n%s\n%s\n%s\n' "$src" "$(cat "$top/third_party/qemu.version")" "$vgpu_build" "$options" |
    sha256sum | cut -c1-16)
inputs_id=$( (echo "$configure_id"; cd "$top" && sha256sum scripts/build-qemu.sh && find qemu -type f | LC_ALL=C sort | xargs sha256sum) \
    | sha256sum | cut -c1-16)
libvgpu="$vgpu_build/libvgpu/libvgpu.a"
if [ -x "$binary" ] && [ "$(cat "$qemu_build/vgpu-inputs.stamp" 2>/dev/null)" = "$inputs_id" ] &&
    ! newer "$libvgpu" "$binary"; then
    echo "build-qemu: $binary is up to date"
    exit 0
fi

mkdir -p "$qemu_build"
if [ "$(cat "$qemu_build/vgpu-configure.stamp" 2>/dev/null)" != "$configure_id" ] ||
    [ ! -f "$qemu_build/build.ninja" ]; then
    echo "build-qemu: configuring QEMU in $qemu_build"
    rm -f "$qemu_build/vgpu-configure.stamp"
    # shellcheck disable=SC2086
    (cd "$qemu_build" && "$src/configure" $options) >"$qemu_build/vgpu-configure.log" 2>&1 || {
        echo "build-qemu: QEMU's configure failed; the end of $qemu_build/vgpu-configure.log says why:" >&2
        tail -n 15 "$qemu_build/vgpu-configure.log" >&2
        exit 1
    }
    echo "$configure_id" >"$qemu_build/vgpu-configure.stamp"
fi

# Run from its build directory, QEMU looks for every data path under qemu-bundle/ there: link Debian's
# firmware directories into it, so the binary finds SeaBIOS, option ROMs and linuxboot without installing.
for dir in $firmware_dirs; do
    mkdir -p "$qemu_build/qemu-bundle$(dirname "$dir")"
    ln -sfn "$dir" "$qemu_build/qemu-bundle$dir"
done

# ninja does not see inside the static library QEMU links by -lvgpu: relink when libvgpu was rebuilt.
if [ -e "$binary" ] && newer "$libvgpu" "$binary"; then
    rm -f "$binary"
fi
# Paths relative to the checkout and no directory in the hash: a fresh clone (CI) or a git worktree elsewhere
# reuses the objects ccache holds from another checkout instead of rebuilding QEMU (~5 min).
CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1 ninja -C "$qemu_build" qemu-system-x86_64
echo "$inputs_id" >"$qemu_build/vgpu-inputs.stamp"
echo "build-qemu: built $binary"
