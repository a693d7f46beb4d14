// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The encoder and the connector. The device has no fixed mode list (hw-spec 7): the host window's
 * size (PREFERRED_WIDTH/HEIGHT) is the preferred mode, offered with standard sizes; a resized
 * window raises HOTPLUG, which becomes a hotplug uevent so compositors and fbdev re-probe.
 */
#include <drm/drm_atomic_state_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_modes.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>

#include "vgpu_drv.h"

/* Offered when the device reports no usable preferred size. */
#define VGPU_FALLBACK_WIDTH 1024
#define VGPU_FALLBACK_HEIGHT 768

static const struct {
	u16 width, height;
} vgpu_standard_sizes[] = {
	{ 640, 480 },	{ 800, 600 },	{ 1024, 768 },	{ 1280, 720 },	{ 1280, 800 },
	{ 1280, 1024 }, { 1440, 900 },	{ 1600, 900 },	{ 1680, 1050 }, { 1920, 1080 },
	{ 1920, 1200 }, { 2560, 1440 }, { 2560, 1600 }, { 3840, 2160 },
};

/*
 * A mode of the given size refreshing at the device's rate. The device has no timings; the blanking
 * here only gives the vblank core a frame duration equal to the device's vblank period.
 */
static struct drm_display_mode *vgpu_mode_create(struct vgpu_device *vdev, u32 width, u32 height)
{
	struct drm_display_mode *mode = drm_mode_create(&vdev->drm);

	if (!mode)
		return NULL;
	mode->hdisplay = width;
	mode->hsync_start = width + 48;
	mode->hsync_end = width + 80;
	mode->htotal = width + 160;
	mode->vdisplay = height;
	mode->vsync_start = height + 3;
	mode->vsync_end = height + 9;
	mode->vtotal = height + 30;
	mode->clock = DIV_ROUND_CLOSEST_ULL((u64)mode->htotal * mode->vtotal * vdev->refresh_mhz,
					    1000000);
	mode->type = DRM_MODE_TYPE_DRIVER;
	mode->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	drm_mode_set_name(mode);
	return mode;
}

static int vgpu_connector_get_modes(struct drm_connector *connector)
{
	struct vgpu_device *vdev = to_vgpu(connector->dev);
	struct drm_display_mode *mode;
	u32 width = 0, height = 0;
	int count = 0, idx;
	unsigned int i;

	if (drm_dev_enter(&vdev->drm, &idx)) {
		width = vgpu_read(vdev, VGPU_REG_PREFERRED_WIDTH);
		height = vgpu_read(vdev, VGPU_REG_PREFERRED_HEIGHT);
		drm_dev_exit(idx);
	}
	if (!width || !height || width > vdev->max_surface_dim || height > vdev->max_surface_dim) {
		drm_dbg_kms(&vdev->drm, "preferred size %ux%u unusable, offering %ux%u\n", width,
			    height, VGPU_FALLBACK_WIDTH, VGPU_FALLBACK_HEIGHT);
		width = VGPU_FALLBACK_WIDTH;
		height = VGPU_FALLBACK_HEIGHT;
	}
	mode = vgpu_mode_create(vdev, width, height);
	if (mode) {
		mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	for (i = 0; i < ARRAY_SIZE(vgpu_standard_sizes); i++) {
		if (vgpu_standard_sizes[i].width == width &&
		    vgpu_standard_sizes[i].height == height)
			continue;
		mode = vgpu_mode_create(vdev, vgpu_standard_sizes[i].width,
					vgpu_standard_sizes[i].height);
		if (!mode)
			break;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	return count;
}

static const struct drm_connector_helper_funcs vgpu_connector_helper_funcs = {
	.get_modes = vgpu_connector_get_modes,
};

static const struct drm_connector_funcs vgpu_connector_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static void vgpu_hotplug_work(struct work_struct *work)
{
	struct vgpu_device *vdev = container_of(work, struct vgpu_device, hotplug_work);

	drm_kms_helper_hotplug_event(&vdev->drm);
}

/* From the interrupt handler: the uevent and the re-probe take locks, so they run in a work. */
void vgpu_connector_hotplug(struct vgpu_device *vdev)
{
	schedule_work(&vdev->hotplug_work);
}

int vgpu_connector_init(struct vgpu_device *vdev)
{
	struct drm_device *drm = &vdev->drm;
	int ret;

	INIT_WORK(&vdev->hotplug_work, vgpu_hotplug_work);
	ret = drm_simple_encoder_init(drm, &vdev->encoder, DRM_MODE_ENCODER_VIRTUAL);
	if (ret)
		return ret;
	vdev->encoder.possible_crtcs = drm_crtc_mask(&vdev->crtc);

	ret = drm_connector_init(drm, &vdev->connector, &vgpu_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&vdev->connector, &vgpu_connector_helper_funcs);
	vdev->connector.polled = DRM_CONNECTOR_POLL_HPD;
	return drm_connector_attach_encoder(&vdev->connector, &vdev->encoder);
}
