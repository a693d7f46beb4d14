// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Framebuffers and dumb buffers. Buffer objects are drm_gem_vram objects: TTM places them in VRAM
 * (BAR2), where the CPU maps them write-combined at memory speed and the display reads them by
 * offset.
 *
 * Checks beyond the DRM core's (which already rejects unknown formats, zero or short pitches,
 * missing handles and buffers too small for width x height x pitch + offset): the formats and
 * limits of the device.
 */
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_vram_helper.h>

#include "vgpu_drv.h"

/* The device's code of a DRM scanout format (hw-spec 9.1); VGPU_FORMAT_NONE if it has none. */
u32 vgpu_fb_hw_format(u32 drm_format)
{
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		return VGPU_FORMAT_B8G8R8X8_UNORM;
	case DRM_FORMAT_ARGB8888:
		return VGPU_FORMAT_B8G8R8A8_UNORM;
	case DRM_FORMAT_RGB565:
		return VGPU_FORMAT_B5G6R5_UNORM;
	}
	return VGPU_FORMAT_NONE;
}

/* The display reads VRAM only (hw-spec 13): system-memory objects cannot be framebuffers. An
 * unknown handle passes here and fails in drm_gem_fb_create with ENOENT. */
static bool vgpu_fb_in_vram(struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);
	bool sysmem;

	if (!obj)
		return true;
	sysmem = vgpu_gem_is_sysmem(obj);
	drm_gem_object_put(obj);
	return !sysmem;
}

struct drm_framebuffer *vgpu_fb_create(struct drm_device *drm, struct drm_file *file,
				       const struct drm_mode_fb_cmd2 *mode_cmd)
{
	const struct drm_format_info *info = drm_get_format_info(drm, mode_cmd);

	/* Framebuffers exist to be scanned out: refuse formats the display cannot read. */
	if (!info || vgpu_fb_hw_format(mode_cmd->pixel_format) == VGPU_FORMAT_NONE)
		return ERR_PTR(-EINVAL);
	if (mode_cmd->pitches[0] > VGPU_SURFACE_PITCH_MAX)
		return ERR_PTR(-EINVAL);
	/* The device addresses whole pixels: rows and the first pixel start on a pixel boundary. */
	if (mode_cmd->pitches[0] % info->cpp[0] || mode_cmd->offsets[0] % info->cpp[0])
		return ERR_PTR(-EINVAL);
	if (!vgpu_fb_in_vram(file, mode_cmd->handles[0]))
		return ERR_PTR(-EINVAL);
	return drm_gem_fb_create(drm, file, mode_cmd);
}

/* VRAM offset of pixel (x, y) of a framebuffer pinned in VRAM (by the planes' prepare_fb). */
u64 vgpu_fb_vram_offset(struct drm_framebuffer *fb, int x, int y)
{
	s64 bo_offset = drm_gem_vram_offset(drm_gem_vram_of_gem(fb->obj[0]));

	if (WARN_ON_ONCE(bo_offset < 0))
		return 0;
	return bo_offset + fb->offsets[0] + (u64)y * fb->pitches[0] + (u64)x * fb->format->cpp[0];
}

/*
 * A dumb buffer is a scanout candidate: its dimensions must be ones the display accepts and it must
 * fit in VRAM. The core has already rejected zero sizes and width x height x bpp overflowing 32
 * bits.
 */
int vgpu_dumb_create(struct drm_file *file, struct drm_device *drm,
		     struct drm_mode_create_dumb *args)
{
	struct vgpu_device *vdev = to_vgpu(drm);
	u64 size;

	if (args->flags)
		return -EINVAL;
	if (args->width > vdev->max_surface_dim || args->height > vdev->max_surface_dim)
		return -EINVAL;
	if (args->bpp != 8 && args->bpp != 16 && args->bpp != 24 && args->bpp != 32)
		return -EINVAL;
	size = (u64)args->width * (args->bpp / 8) * args->height;
	if (size > vdev->vram_size)
		return -ENOMEM;
	return drm_gem_vram_fill_create_dumb(file, drm, 0, 0, args);
}
