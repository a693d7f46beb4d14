#!/bin/sh
# Run a GL test program on our Mesa build with the vgpu drm-shim (libvgpu in-process), no VM:
#   tests/mesa/run_on_shim.sh MESA_BUILD PROGRAM [ARGS...]
# MESA_BUILD is build-mesa/ of scripts/build-mesa.sh (make mesa).
set -eu
mesa=$1
shift
shim="$mesa/src/gallium/drivers/vgpu/drm-shim/libvgpu_drm_shim.so"
if [ ! -f "$shim" ] || [ ! -e "$mesa/src/gallium/targets/dri/vgpu_dri.so" ]; then
    echo "Bail out! no Mesa build with the vgpu driver in $mesa; run 'make mesa' first"
    exit 1
fi
# Our libEGL/libGLESv2/libglapi (not the system's glvnd ones) and our vgpu_dri.so; the shim fakes
# /dev/dri/renderD128 and answers vgpu.ko's ioctls with libvgpu.
exec env LD_PRELOAD="$shim" \
    LD_LIBRARY_PATH="$mesa/src/egl:$mesa/src/gbm:$mesa/src/mapi/es2api:$mesa/src/mapi/shared-glapi" \
    LIBGL_DRIVERS_PATH="$mesa/src/gallium/targets/dri" EGL_PLATFORM=surfaceless "$@"
