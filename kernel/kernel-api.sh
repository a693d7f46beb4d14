#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Prints the compiler flags that tell vgpu.ko which kernel API the headers in SRCTREE have (Kbuild
# passes them in ccflags-y): kernel/kernel-api.sh SRCTREE
# Version numbers cannot tell: distributions backport API changes (Debian's 6.1.0-57 has the
# struct drm_sched_init_args of Linux 6.15, its 6.1.0-50 the positional drm_sched_init()).
# A header that is missing prints nothing, which selects the older API and fails at compile time.
srctree=$1
if grep -qs '^struct drm_sched_init_args {' "$srctree/include/drm/gpu_scheduler.h"; then
    printf '%s\n' -DVGPU_HAVE_SCHED_INIT_ARGS
fi
