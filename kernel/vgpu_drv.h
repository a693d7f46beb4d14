/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vgpu.ko: the DRM driver of the vgpu PCI device (docs/hw-spec.md, docs/kernel.md). Shared
 * declarations of the driver's parts: probe (vgpu_drv.c), interrupts (vgpu_irq.c), display
 * (vgpu_display.c, vgpu_plane.c, vgpu_connector.c), framebuffers and dumb buffers (vgpu_fb.c),
 * ioctls (vgpu_ioctl.c), debugfs (vgpu_debugfs.c).
 */
#ifndef VGPU_DRV_H
#define VGPU_DRV_H

#include <linux/io.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>

#include <vgpu/vgpu_hw.h>

#define VGPU_DRIVER_NAME "vgpu"

/* One MSI-X vector (or the single INTx line) and the interrupt bits it serves. */
struct vgpu_irq_line {
	struct vgpu_device *vdev;
	unsigned int irq;
	u32 events;
};

struct vgpu_device {
	struct drm_device drm;
	void __iomem *regs;

	/* Identity read once at probe; the ioctls and the KMS limits use these copies. */
	u32 version;
	u32 caps;
	u32 max_surface_dim;
	u32 warp_lanes;
	u32 refresh_mhz;
	u64 vram_size;
	resource_size_t vram_base;

	struct vgpu_irq_line irq_lines[VGPU_MSIX_VECTORS];
	unsigned int irq_line_count;
	spinlock_t
		int_mask_lock; /* INT_MASK is changed from process and vblank (irq-off) context */
	u32 int_mask;
	u32 faults_seen; /* FAULT_COUNT at the last report: counts faults not recorded */

	struct drm_crtc crtc;
	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_encoder encoder;
	struct drm_connector connector;
	/* The page-flip event waiting for FLIP_DONE; protected by drm.event_lock. */
	struct drm_pending_vblank_event *flip_event;
	u32 vblank_counter; /* VBLANK_COUNT as last read */
	struct work_struct hotplug_work;
};

static inline struct vgpu_device *to_vgpu(struct drm_device *drm)
{
	return container_of(drm, struct vgpu_device, drm);
}

static inline u32 vgpu_read(struct vgpu_device *vdev, u32 reg)
{
	return readl(vdev->regs + reg);
}

static inline void vgpu_write(struct vgpu_device *vdev, u32 reg, u32 value)
{
	writel(value, vdev->regs + reg);
}

static inline void vgpu_write64(struct vgpu_device *vdev, u32 reg_lo, u32 reg_hi, u64 value)
{
	vgpu_write(vdev, reg_lo, lower_32_bits(value));
	vgpu_write(vdev, reg_hi, upper_32_bits(value));
}

/* The device clock in ns: reading TIMESTAMP_LO latches TIMESTAMP_HI. */
static inline u64 vgpu_read_timestamp(struct vgpu_device *vdev)
{
	u32 lo = vgpu_read(vdev, VGPU_REG_TIMESTAMP_LO);

	return ((u64)vgpu_read(vdev, VGPU_REG_TIMESTAMP_HI) << 32) | lo;
}

/* vgpu_irq.c */
int vgpu_irq_init(struct vgpu_device *vdev);
void vgpu_irq_fini(struct vgpu_device *vdev);
void vgpu_irq_enable(struct vgpu_device *vdev, u32 events);
void vgpu_irq_disable(struct vgpu_device *vdev, u32 events);

/* vgpu_display.c */
int vgpu_display_init(struct vgpu_device *vdev);
void vgpu_display_vblank(struct vgpu_device *vdev);
void vgpu_display_flip_done(struct vgpu_device *vdev);

/* vgpu_plane.c */
int vgpu_planes_init(struct vgpu_device *vdev);

/* vgpu_connector.c */
int vgpu_connector_init(struct vgpu_device *vdev);
void vgpu_connector_hotplug(struct vgpu_device *vdev);

/* vgpu_fb.c */
u32 vgpu_fb_hw_format(u32 drm_format);
struct drm_framebuffer *vgpu_fb_create(struct drm_device *drm, struct drm_file *file,
				       const struct drm_mode_fb_cmd2 *mode_cmd);
int vgpu_dumb_create(struct drm_file *file, struct drm_device *drm,
		     struct drm_mode_create_dumb *args);
u64 vgpu_fb_vram_offset(struct drm_framebuffer *fb, int src_x, int src_y);

/* vgpu_debugfs.c */
void vgpu_debugfs_init(struct drm_minor *minor);

/* vgpu_ioctl.c */
int vgpu_get_param_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* VGPU_DRV_H */
