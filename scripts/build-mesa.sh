#!/bin/sh
# Build Mesa 22.3.6 with our vgpu gallium driver: scripts/build-mesa.sh
# Result (in build-mesa/): src/gallium/targets/dri/vgpu_dri.so (and swrast), src/egl/libEGL.so.1,
# src/gbm/libgbm.so.1, src/mapi/es2api/libGLESv2.so.2, src/mapi/shared-glapi/libglapi.so.0, and the host
# test backend src/gallium/drivers/vgpu/drm-shim/libvgpu_drm_shim.so (docs/mesa.md says how to use them).
#
# Steps: install scripts/packages/mesa.txt, fetch and unpack the source (scripts/fetch-mesa.sh), build libvgpu
# (the drm-shim runs the GPU model in-process), link mesa/'s driver and winsys folders, the UAPI header and the
# contract headers into the tree, apply mesa/registration.patch (the nine files that register a driver),
# configure once per option set, build. A re-run with nothing changed stops after a hash check.
#
# Environment: VGPU_BUILD   libvgpu's meson build directory (default <repo>/build)
#              MESA_BUILD   Mesa's build directory (default <repo>/build-mesa)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
newer() { [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }
vgpu_build=$(absolute "${VGPU_BUILD:-$top/build}")
mesa_build=$(absolute "${MESA_BUILD:-$top/build-mesa}")
# Mesa's generators need mako, which only Debian's python3 has (a pyenv python3 first on PATH lacks it).
export PATH="/usr/bin:$PATH"

"$top/scripts/install-deps.sh" mesa
src=$("$top/scripts/fetch-mesa.sh")

# libvgpu: the drm-shim links it through the uninstalled pkg-config file of the vgpu meson project.
[ -f "$vgpu_build/build.ninja" ] || meson setup "$vgpu_build" "$top" >/dev/null
ninja -C "$vgpu_build" libvgpu/libvgpu.a >/dev/null || {
    echo "build-mesa: libvgpu does not build; run 'ninja -C $vgpu_build' to see why" >&2
    exit 1
}
export PKG_CONFIG_PATH="$vgpu_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# Our files stay in mesa/, kernel/ and include/ and are linked into the tree.
ln -sfn "$top/mesa/src/gallium/drivers/vgpu" "$src/src/gallium/drivers/vgpu"
ln -sfn "$top/mesa/src/gallium/winsys/vgpu" "$src/src/gallium/winsys/vgpu"
ln -sf "$top/kernel/include/uapi/drm/vgpu_drm.h" "$src/include/drm-uapi/vgpu_drm.h"
ln -sfn "$top/include/vgpu" "$src/include/vgpu"

# The registration patch: the tree keeps a copy of the one applied, so a changed patch replaces the old one.
patch="$top/mesa/registration.patch"
applied="$src/.vgpu-registration.patch"
if ! cmp -s "$patch" "$applied"; then
    if [ -f "$applied" ]; then
        patch -d "$src" -p1 -s -R <"$applied" || {
            echo "build-mesa: cannot take the old registration patch out of $src; delete $src and re-run" >&2
            exit 1
        }
        rm -f "$applied"
    fi
    patch -d "$src" -p1 -s -N --dry-run <"$patch" >/dev/null && patch -d "$src" -p1 -s -N <"$patch" || {
        echo "build-mesa: mesa/registration.patch does not apply to $src; fix the patch (or delete $src and re-run)" >&2
        exit 1
    }
    cp "$patch" "$applied"
fi

# Minimal: our driver plus softpipe (the reference and the fallback), no LLVM, no X11/Wayland, EGL + GBM +
# GLES2 + desktop GL, no glvnd (so LD_LIBRARY_PATH alone selects our libraries), the drm-shim tool.
options="-Dgallium-drivers=swrast,vgpu -Dvulkan-drivers= -Dllvm=disabled -Dplatforms= -Degl=enabled -Dgbm=enabled
 -Dgles1=disabled -Dgles2=enabled -Dopengl=true -Dglx=disabled -Dglvnd=false -Dshared-glapi=enabled -Ddri3=disabled
 -Dgallium-vdpau=disabled -Dgallium-va=disabled -Dgallium-xa=disabled -Dgallium-omx=disabled -Dgallium-nine=false
 -Dgallium-opencl=disabled -Dgallium-rusticl=false -Dosmesa=false -Dvalgrind=disabled -Dlibunwind=disabled
 -Dlmsensors=disabled -Dselinux=false -Dzstd=disabled -Dbuild-tests=false -Dtools=drm-shim
 -Dbuildtype=release -Db_ndebug=true"

# A new Debian revision of the source, new options, or a meson.build appearing or vanishing in mesa/ (the
# driver's meson.build tests for compiler/meson.build with the fs module, which meson does not watch)
# configure again.
meson_files=$(cd "$top" && find mesa -name meson.build | LC_ALL=C sort)
configure_id=$(printf '%s\n%s\n%s\n%s\n%s\n' "$src" "$(cat "$top/third_party/mesa.version")" "$vgpu_build" \
    "$options" "$meson_files" | sha256sum | cut -c1-16)
inputs_hash() {
    (echo "$configure_id"; cd "$top" && sha256sum scripts/build-mesa.sh kernel/include/uapi/drm/vgpu_drm.h &&
        find mesa include/vgpu -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}
inputs_id=$(inputs_hash)
libvgpu="$vgpu_build/libvgpu/libvgpu.a"
shim="$mesa_build/src/gallium/drivers/vgpu/drm-shim/libvgpu_drm_shim.so"
if [ -f "$shim" ] && [ "$(cat "$mesa_build/vgpu-inputs.stamp" 2>/dev/null)" = "$inputs_id" ] &&
    ! newer "$libvgpu" "$shim"; then
    echo "build-mesa: $mesa_build is up to date"
    exit 0
fi

mkdir -p "$mesa_build"
if [ "$(cat "$mesa_build/vgpu-configure.stamp" 2>/dev/null)" != "$configure_id" ] ||
    [ ! -f "$mesa_build/build.ninja" ]; then
    echo "build-mesa: configuring Mesa in $mesa_build"
    rm -f "$mesa_build/vgpu-configure.stamp"
    if [ -f "$mesa_build/build.ninja" ]; then
        setup="--reconfigure"
    else
        setup=""
    fi
    # shellcheck disable=SC2086
    CC="ccache gcc" CXX="ccache g++" meson setup $setup "$mesa_build" "$src" $options \
        >"$mesa_build/vgpu-configure.log" 2>&1 || {
        echo "build-mesa: Mesa's meson setup failed; the end of $mesa_build/vgpu-configure.log says why:" >&2
        tail -n 15 "$mesa_build/vgpu-configure.log" >&2
        exit 1
    }
    echo "$configure_id" >"$mesa_build/vgpu-configure.stamp"
fi

# ninja does not see inside the static library the shim links by -lvgpu: relink when libvgpu was rebuilt.
if [ -e "$shim" ] && newer "$libvgpu" "$shim"; then
    rm -f "$shim"
fi
# Paths relative to the checkout and no directory in the hash: a fresh clone or a git worktree elsewhere
# reuses the objects ccache holds from another checkout instead of rebuilding Mesa (~20 CPU-minutes).
CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1 ninja -C "$mesa_build" -j "${MESA_JOBS:-2}" || {
    echo "build-mesa: the Mesa build failed; the first error above names the file (ours: mesa/...)" >&2
    exit 1
}
# A file edited while ninja ran may not be in this build: then no stamp, so the next run builds again.
if [ "$(inputs_hash)" = "$inputs_id" ]; then
    echo "$inputs_id" >"$mesa_build/vgpu-inputs.stamp"
fi
echo "build-mesa: built $mesa_build"
