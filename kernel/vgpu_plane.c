// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The primary plane (scanout shadow registers, latched at vblank) and the cursor plane (a 64x64
 * premultiplied ARGB image whose registers take effect at once). Both read buffers by VRAM offset,
 * so their framebuffers are pinned in VRAM while in use (DRM_GEM_VRAM_PLANE_HELPER_FUNCS).
 */
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_modeset_helper_vtables.h>

#include "vgpu_drv.h"

/* The scanout formats of hw-spec 9.1, in the order user space should prefer them. */
static const u32 vgpu_primary_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_RGB565,
};

static const u32 vgpu_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
};

static int vgpu_primary_atomic_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	/* The device scans out at the mode's size: the plane covers the whole CRTC, unscaled. */
	return drm_atomic_helper_check_plane_state(new_state, crtc_state, DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING, false, true);
}

static void vgpu_primary_atomic_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct vgpu_device *vdev = to_vgpu(plane->dev);
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_framebuffer *fb = new_state->fb;
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return;
	if (fb && new_state->visible) {
		vgpu_write64(
			vdev, VGPU_REG_SCANOUT_ADDR_LO, VGPU_REG_SCANOUT_ADDR_HI,
			vgpu_fb_vram_offset(fb, new_state->src.x1 >> 16, new_state->src.y1 >> 16));
		vgpu_write(vdev, VGPU_REG_SCANOUT_FORMAT, vgpu_fb_hw_format(fb->format->format));
		vgpu_write(vdev, VGPU_REG_SCANOUT_STRIDE, fb->pitches[0]);
		vgpu_write(vdev, VGPU_REG_SCANOUT_WIDTH, drm_rect_width(&new_state->dst));
		vgpu_write(vdev, VGPU_REG_SCANOUT_HEIGHT, drm_rect_height(&new_state->dst));
		vgpu_write(vdev, VGPU_REG_DISP_CTRL, VGPU_DISP_CTRL_ENABLE);
	} else {
		vgpu_write(vdev, VGPU_REG_DISP_CTRL, 0);
	}
	drm_dev_exit(idx);
}

static const struct drm_plane_helper_funcs vgpu_primary_helper_funcs = {
	DRM_GEM_VRAM_PLANE_HELPER_FUNCS,
	.atomic_check = vgpu_primary_atomic_check,
	.atomic_update = vgpu_primary_atomic_update,
};

/* The device reads exactly one 64x64 image with a 256-byte stride: nothing else is a cursor. */
static int vgpu_cursor_check_fb(const struct drm_plane_state *plane_state)
{
	const struct drm_framebuffer *fb = plane_state->fb;

	if (!fb)
		return 0;
	if (fb->width != VGPU_CURSOR_SIZE || fb->height != VGPU_CURSOR_SIZE ||
	    fb->pitches[0] != VGPU_CURSOR_SIZE * 4)
		return -EINVAL;
	if (plane_state->src_x || plane_state->src_y ||
	    plane_state->src_w != VGPU_CURSOR_SIZE << 16 ||
	    plane_state->src_h != VGPU_CURSOR_SIZE << 16)
		return -EINVAL;
	return 0;
}

static int vgpu_cursor_atomic_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	int ret;

	ret = vgpu_cursor_check_fb(new_state);
	if (ret)
		return ret;
	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	return drm_atomic_helper_check_plane_state(new_state, crtc_state, DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING, true, true);
}

/* Writes the cursor registers from a checked state; the device clips the image to the scanout. */
static void vgpu_cursor_program(struct vgpu_device *vdev, const struct drm_plane_state *plane_state)
{
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return;
	if (plane_state->fb && plane_state->visible) {
		vgpu_write64(vdev, VGPU_REG_CURSOR_ADDR_LO, VGPU_REG_CURSOR_ADDR_HI,
			     vgpu_fb_vram_offset(plane_state->fb, 0, 0));
		vgpu_write(vdev, VGPU_REG_CURSOR_POS,
			   (u16)plane_state->crtc_x | (u32)(u16)plane_state->crtc_y << 16);
		vgpu_write(vdev, VGPU_REG_CURSOR_CTRL, VGPU_CURSOR_CTRL_ENABLE);
	} else {
		vgpu_write(vdev, VGPU_REG_CURSOR_CTRL, 0);
	}
	drm_dev_exit(idx);
}

static void vgpu_cursor_atomic_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
	vgpu_cursor_program(to_vgpu(plane->dev), drm_atomic_get_new_plane_state(state, plane));
}

/*
 * Cursor moves and image changes skip the vblank wait: the cursor registers act at once, so a
 * legacy cursor update is applied to the current state directly.
 */
static int vgpu_cursor_atomic_async_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	int ret;

	if (!new_state->crtc || new_state->crtc != plane->state->crtc ||
	    !new_state->crtc->state->active)
		return -EINVAL;
	if (!new_state->fb || !plane->state->fb)
		return -EINVAL;
	ret = vgpu_cursor_check_fb(new_state);
	if (ret)
		return ret;
	return drm_atomic_helper_check_plane_state(new_state, new_state->crtc->state,
						   DRM_PLANE_NO_SCALING, DRM_PLANE_NO_SCALING, true,
						   true);
}

static void vgpu_cursor_atomic_async_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *cur = plane->state;

	/* The old framebuffer goes with new_state and is unpinned by the helper's cleanup. */
	swap(cur->fb, new_state->fb);
	cur->crtc_x = new_state->crtc_x;
	cur->crtc_y = new_state->crtc_y;
	cur->crtc_w = new_state->crtc_w;
	cur->crtc_h = new_state->crtc_h;
	cur->src_x = new_state->src_x;
	cur->src_y = new_state->src_y;
	cur->src_w = new_state->src_w;
	cur->src_h = new_state->src_h;
	cur->src = new_state->src;
	cur->dst = new_state->dst;
	cur->visible = new_state->visible;
	vgpu_cursor_program(to_vgpu(plane->dev), cur);
}

static const struct drm_plane_helper_funcs vgpu_cursor_helper_funcs = {
	DRM_GEM_VRAM_PLANE_HELPER_FUNCS,
	.atomic_check = vgpu_cursor_atomic_check,
	.atomic_update = vgpu_cursor_atomic_update,
	.atomic_async_check = vgpu_cursor_atomic_async_check,
	.atomic_async_update = vgpu_cursor_atomic_async_update,
};

static const struct drm_plane_funcs vgpu_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

int vgpu_planes_init(struct vgpu_device *vdev)
{
	int ret;

	ret = drm_universal_plane_init(&vdev->drm, &vdev->primary, 1, &vgpu_plane_funcs,
				       vgpu_primary_formats, ARRAY_SIZE(vgpu_primary_formats), NULL,
				       DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&vdev->primary, &vgpu_primary_helper_funcs);

	ret = drm_universal_plane_init(&vdev->drm, &vdev->cursor, 1, &vgpu_plane_funcs,
				       vgpu_cursor_formats, ARRAY_SIZE(vgpu_cursor_formats), NULL,
				       DRM_PLANE_TYPE_CURSOR, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&vdev->cursor, &vgpu_cursor_helper_funcs);
	return 0;
}
