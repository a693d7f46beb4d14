/* SPDX-License-Identifier: MIT */
/*
 * vgpu_drm.h: the contract between vgpu.ko and user space (the Mesa driver, tests, tools).
 *
 * Versioning: DRM_IOCTL_VERSION reports DRM_VGPU_VERSION_MAJOR.DRM_VGPU_VERSION_MINOR. A new minor
 * only adds (ioctls, params, flags); user space checks the major and probes for what it needs: an
 * unknown param or a non-zero reserved field fails with EINVAL, so a newer user space learns at
 * once that this kernel lacks a feature.
 */
#ifndef VGPU_DRM_H
#define VGPU_DRM_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VGPU_VERSION_MAJOR 1
#define DRM_VGPU_VERSION_MINOR 0

#define DRM_VGPU_GET_PARAM 0x00

/* Parameters of DRM_IOCTL_VGPU_GET_PARAM. 0 is never a parameter. */
enum drm_vgpu_param {
	/* The device's VERSION register: major << 16 | minor of docs/hw-spec.md. */
	DRM_VGPU_PARAM_DEVICE_VERSION = 1,
	/* The device's CAPS register: VGPU_CAP_* of vgpu_hw.h (2D, 3D, display, cursor, ...). */
	DRM_VGPU_PARAM_CAPS = 2,
	/* VRAM size in bytes. */
	DRM_VGPU_PARAM_VRAM_SIZE = 3,
	/* Largest width or height of any surface, texture or scanout. */
	DRM_VGPU_PARAM_MAX_SURFACE_DIM = 4,
	/* Lanes per warp of the shader core. */
	DRM_VGPU_PARAM_WARP_LANES = 5,
	/* Vertical refresh of the display in millihertz. */
	DRM_VGPU_PARAM_REFRESH_MHZ = 6,
};

/**
 * struct drm_vgpu_get_param - DRM_IOCTL_VGPU_GET_PARAM
 * @param: in, one of enum drm_vgpu_param; anything else fails with EINVAL
 * @pad: in, must be 0 (EINVAL otherwise)
 * @value: out
 */
struct drm_vgpu_get_param {
	__u32 param;
	__u32 pad;
	__u64 value;
};

#define DRM_IOCTL_VGPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_GET_PARAM, struct drm_vgpu_get_param)

#if defined(__cplusplus)
}
#endif

#endif /* VGPU_DRM_H */
