// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The driver's own ioctls (include/uapi/drm/vgpu_drm.h). */
#include <drm/drm_file.h>
#include <drm/vgpu_drm.h>

#include "vgpu_drv.h"

int vgpu_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vgpu_device *vdev = to_vgpu(drm);
	struct drm_vgpu_get_param *args = data;

	if (args->pad)
		return -EINVAL;
	switch (args->param) {
	case DRM_VGPU_PARAM_DEVICE_VERSION:
		args->value = vdev->version;
		return 0;
	case DRM_VGPU_PARAM_CAPS:
		args->value = vdev->caps;
		return 0;
	case DRM_VGPU_PARAM_VRAM_SIZE:
		args->value = vdev->vram_size;
		return 0;
	case DRM_VGPU_PARAM_MAX_SURFACE_DIM:
		args->value = vdev->max_surface_dim;
		return 0;
	case DRM_VGPU_PARAM_WARP_LANES:
		args->value = vdev->warp_lanes;
		return 0;
	case DRM_VGPU_PARAM_REFRESH_MHZ:
		args->value = vdev->refresh_mhz;
		return 0;
	}
	return -EINVAL;
}
