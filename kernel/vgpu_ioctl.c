// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The driver's own ioctls (include/uapi/drm/vgpu_drm.h), and the entry of every ioctl on a vgpu
 * node, which bounds what the DRM core would allocate for user space before drm_ioctl() runs it.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include <drm/drm.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
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

/* Where the syncobj ioctls that take an array of handles keep its length; -1 for other ioctls. */
static int vgpu_syncobj_count_offset(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		return offsetof(struct drm_syncobj_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		return offsetof(struct drm_syncobj_timeline_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		return offsetof(struct drm_syncobj_array, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
		return offsetof(struct drm_syncobj_timeline_array, count_handles);
	}
	return -1;
}

/*
 * The core's syncobj ioctls allocate count_handles entries with kmalloc before reading any: a count
 * near 2^32 makes the page allocator warn (a WARN any render-node client could trigger). Larger
 * counts than DRM_VGPU_SYNCOBJ_MAX_HANDLES fail here with EINVAL. The core reads the argument
 * again, so a second thread rewriting the count in between still reaches the core's allocation,
 * which then fails with ENOMEM (and warns once); docs/kernel.md, "Known limits".
 */
static int vgpu_check_syncobj_count(unsigned int cmd, void __user *arg)
{
	int offset;
	u32 count;

	if (_IOC_TYPE(cmd) != DRM_IOCTL_BASE)
		return 0;
	offset = vgpu_syncobj_count_offset(DRM_IOCTL_NR(cmd));
	/* A shorter argument: the core reads the count as 0. */
	if (offset < 0 || _IOC_SIZE(cmd) < offset + sizeof(count))
		return 0;
	if (get_user(count, (u32 __user *)(arg + offset)))
		return -EFAULT;
	return count > DRM_VGPU_SYNCOBJ_MAX_HANDLES ? -EINVAL : 0;
}

long vgpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = vgpu_check_syncobj_count(cmd, (void __user *)arg);

	return ret ? ret : drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
long vgpu_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = vgpu_check_syncobj_count(cmd, compat_ptr(arg));

	return ret ? ret : drm_compat_ioctl(filp, cmd, arg);
}
#endif
