// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The display pipeline: mode configuration and the CRTC (hw-spec 7).
 *
 * The planes write the shadow registers; the CRTC's atomic_flush writes DISP_COMMIT, which the
 * device latches at the next vblank and answers with FLIP_DONE: that interrupt completes the
 * commit's event. Vblank counts and timestamps come from the device (VBLANK_COUNT, VBLANK_TIME),
 * not from the time the interrupt happened to be handled.
 */
#include <linux/iopoll.h>
#include <linux/ktime.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "vgpu_drv.h"

/* A commit latches at the next vblank: one second covers any refresh of 1 Hz or more (REFRESH_MHZ
 * is clamped to that), and a loaded emulator at 60 Hz many times over. */
#define VGPU_LATCH_TIMEOUT_US (1000 * 1000)

static struct vgpu_device *crtc_to_vgpu(struct drm_crtc *crtc)
{
	return to_vgpu(crtc->dev);
}

static int vgpu_crtc_enable_vblank(struct drm_crtc *crtc)
{
	vgpu_irq_enable(crtc_to_vgpu(crtc), VGPU_INT_VBLANK);
	return 0;
}

static void vgpu_crtc_disable_vblank(struct drm_crtc *crtc)
{
	vgpu_irq_disable(crtc_to_vgpu(crtc), VGPU_INT_VBLANK);
}

static u32 vgpu_crtc_get_vblank_counter(struct drm_crtc *crtc)
{
	struct vgpu_device *vdev = crtc_to_vgpu(crtc);
	int idx;

	/* Once the device is gone the counter stands still rather than jumping to 0. */
	if (drm_dev_enter(&vdev->drm, &idx)) {
		WRITE_ONCE(vdev->vblank_counter, vgpu_read(vdev, VGPU_REG_VBLANK_COUNT));
		drm_dev_exit(idx);
	}
	return READ_ONCE(vdev->vblank_counter);
}

/*
 * The last vblank's time on the kernel's monotonic clock. The device stamps each vblank with its
 * own clock; sampling that clock and ktime together gives the offset between the two, so the result
 * is exact however late the interrupt is handled, and stays right across pauses of the VM (during
 * which the device clock stops).
 */
static bool vgpu_crtc_get_vblank_timestamp(struct drm_crtc *crtc, int *max_error,
					   ktime_t *vblank_time, bool in_vblank_irq)
{
	struct vgpu_device *vdev = crtc_to_vgpu(crtc);
	u64 device_now, device_vblank;
	unsigned long flags;
	ktime_t now;
	u32 count;
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return false;
	do {
		count = vgpu_read(vdev, VGPU_REG_VBLANK_COUNT);
		device_vblank = ((u64)vgpu_read(vdev, VGPU_REG_VBLANK_TIME_HI) << 32) |
				vgpu_read(vdev, VGPU_REG_VBLANK_TIME_LO);
	} while (count != vgpu_read(vdev, VGPU_REG_VBLANK_COUNT));
	local_irq_save(flags);
	device_now = vgpu_read_timestamp(vdev);
	now = ktime_get();
	local_irq_restore(flags);
	drm_dev_exit(idx);

	*vblank_time =
		ktime_sub_ns(now, device_now > device_vblank ? device_now - device_vblank : 0);
	*max_error = 0;
	return true;
}

static const struct drm_crtc_funcs vgpu_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.destroy = drm_crtc_cleanup,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = vgpu_crtc_enable_vblank,
	.disable_vblank = vgpu_crtc_disable_vblank,
	.get_vblank_counter = vgpu_crtc_get_vblank_counter,
	.get_vblank_timestamp = vgpu_crtc_get_vblank_timestamp,
};

static void vgpu_crtc_atomic_enable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	drm_crtc_vblank_on(crtc);
}

/*
 * Scanout off, and wait until the device has latched that (the next vblank): only then may the
 * framebuffers it was reading be unpinned, and nothing else waits, as a disabled CRTC sends its
 * event at once.
 */
static void vgpu_crtc_atomic_disable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct vgpu_device *vdev = crtc_to_vgpu(crtc);
	u32 commit;
	int idx;

	if (drm_dev_enter(&vdev->drm, &idx)) {
		vgpu_write(vdev, VGPU_REG_DISP_CTRL, 0);
		vgpu_write(vdev, VGPU_REG_DISP_COMMIT, 1);
		if (readl_poll_timeout(vdev->regs + VGPU_REG_DISP_COMMIT, commit, !(commit & 1),
				       1000, VGPU_LATCH_TIMEOUT_US))
			drm_warn(&vdev->drm,
				 "the device did not latch the display-off commit within %u ms\n",
				 VGPU_LATCH_TIMEOUT_US / 1000);
		drm_dev_exit(idx);
	}
	drm_crtc_vblank_off(crtc);
}

/*
 * Commits the shadow registers the planes wrote. The event is armed and DISP_COMMIT written under
 * the event lock, so the FLIP_DONE handler sees either neither or both: it can never complete this
 * event with the FLIP_DONE of an earlier commit.
 */
static void vgpu_crtc_atomic_flush(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct vgpu_device *vdev = crtc_to_vgpu(crtc);
	struct drm_pending_vblank_event *event = crtc->state->event;
	bool committed = false;
	int idx;

	crtc->state->event = NULL;
	spin_lock_irq(&vdev->drm.event_lock);
	if (crtc->state->active && drm_dev_enter(&vdev->drm, &idx)) {
		if (event && drm_crtc_vblank_get(crtc) == 0) {
			WARN_ON(vdev->flip_event);
			vdev->flip_event = event;
			event = NULL;
		}
		vgpu_write(vdev, VGPU_REG_DISP_COMMIT, 1);
		committed = true;
		drm_dev_exit(idx);
	}
	/* Nothing will latch (CRTC off, or the device is gone): complete the event now. */
	if (event)
		drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irq(&vdev->drm.event_lock);
	if (!committed && crtc->state->active)
		drm_dbg_kms(&vdev->drm, "device unplugged, commit not written\n");
}

static const struct drm_crtc_helper_funcs vgpu_crtc_helper_funcs = {
	.atomic_enable = vgpu_crtc_atomic_enable,
	.atomic_disable = vgpu_crtc_atomic_disable,
	.atomic_flush = vgpu_crtc_atomic_flush,
};

void vgpu_display_vblank(struct vgpu_device *vdev)
{
	drm_crtc_handle_vblank(&vdev->crtc);
}

/* FLIP_DONE: a commit latched (or was rejected) at this vblank. */
void vgpu_display_flip_done(struct vgpu_device *vdev)
{
	struct drm_crtc *crtc = &vdev->crtc;
	unsigned long flags;

	if (vgpu_read(vdev, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_COMMIT_FAILED)
		drm_err_ratelimited(
			&vdev->drm,
			"the device rejected a display commit (see the fault record)\n");
	spin_lock_irqsave(&vdev->drm.event_lock, flags);
	/* A commit written after this vblank is still pending: its event waits for the next
	 * FLIP_DONE. */
	if (vdev->flip_event && !(vgpu_read(vdev, VGPU_REG_DISP_COMMIT) & 1)) {
		drm_crtc_send_vblank_event(crtc, vdev->flip_event);
		drm_crtc_vblank_put(crtc);
		vdev->flip_event = NULL;
	}
	spin_unlock_irqrestore(&vdev->drm.event_lock, flags);
}

/*
 * The helper's default commit tail, with two changes: the CRTC is enabled before the planes are
 * programmed (so atomic_flush can arm the event with vblank on), and the wait before releasing
 * the old framebuffers is for FLIP_DONE, the moment the device stops reading them, rather than
 * for the next vblank. Events complete at once when the device is gone, so an unplug never waits
 * on hardware.
 */
static void vgpu_atomic_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_fake_vblank(state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs vgpu_mode_config_helper_funcs = {
	.atomic_commit_tail = vgpu_atomic_commit_tail,
};

static const struct drm_mode_config_funcs vgpu_mode_config_funcs = {
	.fb_create = vgpu_fb_create,
	.mode_valid = drm_vram_helper_mode_valid,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int vgpu_display_init(struct vgpu_device *vdev)
{
	struct drm_device *drm = &vdev->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	ret = drmm_vram_helper_init(drm, vdev->vram_base, vdev->vram_size);
	if (ret) {
		drm_err(drm, "cannot manage VRAM (%llu bytes at %pa): %d\n", vdev->vram_size,
			&vdev->vram_base, ret);
		return ret;
	}
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = vdev->max_surface_dim;
	drm->mode_config.max_height = vdev->max_surface_dim;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.prefer_shadow = 1;
	drm->mode_config.cursor_width = VGPU_CURSOR_SIZE;
	drm->mode_config.cursor_height = VGPU_CURSOR_SIZE;
	drm->mode_config.fb_modifiers_not_supported = true;
	drm->mode_config.funcs = &vgpu_mode_config_funcs;
	drm->mode_config.helper_private = &vgpu_mode_config_helper_funcs;

	ret = vgpu_planes_init(vdev);
	if (ret)
		return ret;
	ret = drm_crtc_init_with_planes(drm, &vdev->crtc, &vdev->primary, &vdev->cursor,
					&vgpu_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&vdev->crtc, &vgpu_crtc_helper_funcs);
	ret = vgpu_connector_init(vdev);
	if (ret)
		return ret;

	/* VBLANK_COUNT is a 32-bit hardware counter that runs while the interrupt is masked. */
	drm->max_vblank_count = U32_MAX;
	drm->vblank_disable_immediate = true;
	ret = drm_vblank_init(drm, 1);
	if (ret)
		return ret;
	drm_mode_config_reset(drm);
	return 0;
}
