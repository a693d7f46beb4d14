// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs (/sys/kernel/debug/dri/N/): "registers", the device's registers (reading them has no side
 * effect but TIMESTAMP_LO latching TIMESTAMP_HI, which nothing relies on across two reads);
 * "vram-mm", the VRAM allocations (from the VRAM helper); and "inject_register_fault": writing to
 * it makes the driver write a read-only register, a BAD_REGISTER fault, so the fault path can be
 * exercised. "submission": the ring, the fences in flight, the fault log and the counters of
 * command submission (vgpu_ring.c).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_vram_helper.h>

#include "vgpu_drv.h"

#define VGPU_REG_ENTRY(name)           \
	{                              \
		VGPU_REG_##name, #name \
	}

static const struct vgpu_reg_name {
	u32 offset;
	const char *name;
} vgpu_debugfs_regs[] = {
	VGPU_REG_ENTRY(MAGIC),
	VGPU_REG_ENTRY(VERSION),
	VGPU_REG_ENTRY(CAPS),
	VGPU_REG_ENTRY(VRAM_SIZE_LO),
	VGPU_REG_ENTRY(VRAM_SIZE_HI),
	VGPU_REG_ENTRY(STATUS),
	VGPU_REG_ENTRY(TIMESTAMP_LO),
	VGPU_REG_ENTRY(TIMESTAMP_HI),
	VGPU_REG_ENTRY(INT_STATUS),
	VGPU_REG_ENTRY(INT_MASK),
	VGPU_REG_ENTRY(INT_PENDING),
	VGPU_REG_ENTRY(RING_CTRL),
	VGPU_REG_ENTRY(RING_HEAD),
	VGPU_REG_ENTRY(RING_TAIL),
	VGPU_REG_ENTRY(FENCE_SEQ_LO),
	VGPU_REG_ENTRY(FENCE_SEQ_HI),
	VGPU_REG_ENTRY(FAULT_STATUS),
	VGPU_REG_ENTRY(FAULT_TYPE),
	VGPU_REG_ENTRY(FAULT_ADDR_LO),
	VGPU_REG_ENTRY(FAULT_ADDR_HI),
	VGPU_REG_ENTRY(FAULT_COUNT),
	VGPU_REG_ENTRY(DISP_CTRL),
	VGPU_REG_ENTRY(SCANOUT_ADDR_LO),
	VGPU_REG_ENTRY(SCANOUT_ADDR_HI),
	VGPU_REG_ENTRY(SCANOUT_FORMAT),
	VGPU_REG_ENTRY(SCANOUT_STRIDE),
	VGPU_REG_ENTRY(SCANOUT_WIDTH),
	VGPU_REG_ENTRY(SCANOUT_HEIGHT),
	VGPU_REG_ENTRY(DISP_COMMIT),
	VGPU_REG_ENTRY(PREFERRED_WIDTH),
	VGPU_REG_ENTRY(PREFERRED_HEIGHT),
	VGPU_REG_ENTRY(REFRESH_MHZ),
	VGPU_REG_ENTRY(VBLANK_COUNT),
	VGPU_REG_ENTRY(VBLANK_TIME_LO),
	VGPU_REG_ENTRY(VBLANK_TIME_HI),
	VGPU_REG_ENTRY(DISP_STATUS),
	VGPU_REG_ENTRY(CURSOR_CTRL),
	VGPU_REG_ENTRY(CURSOR_ADDR_LO),
	VGPU_REG_ENTRY(CURSOR_ADDR_HI),
	VGPU_REG_ENTRY(CURSOR_POS),
};

static int vgpu_debugfs_registers(struct seq_file *m, void *data)
{
	struct drm_info_node *node = m->private;
	struct vgpu_device *vdev = to_vgpu(node->minor->dev);
	unsigned int i;
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(vgpu_debugfs_regs); i++)
		seq_printf(m, "%#06x %-16s %#010x\n", vgpu_debugfs_regs[i].offset,
			   vgpu_debugfs_regs[i].name, vgpu_read(vdev, vgpu_debugfs_regs[i].offset));
	drm_dev_exit(idx);
	return 0;
}

static int vgpu_debugfs_submission(struct seq_file *m, void *data)
{
	struct drm_info_node *node = m->private;
	struct vgpu_device *vdev = to_vgpu(node->minor->dev);
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return -ENODEV;
	vgpu_ring_debugfs_show(vdev, m);
	drm_dev_exit(idx);
	return 0;
}

static const struct drm_info_list vgpu_debugfs_list[] = {
	{ "registers", vgpu_debugfs_registers, 0, NULL },
	{ "submission", vgpu_debugfs_submission, 0, NULL },
};

static ssize_t vgpu_debugfs_inject_register_fault(struct file *file, const char __user *buf,
						  size_t count, loff_t *pos)
{
	struct vgpu_device *vdev = file->private_data;
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return -ENODEV;
	vgpu_write(vdev, VGPU_REG_MAGIC, 0);
	drm_dev_exit(idx);
	return count;
}

static const struct file_operations vgpu_debugfs_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vgpu_debugfs_inject_register_fault,
	.llseek = noop_llseek,
};

void vgpu_debugfs_init(struct drm_minor *minor)
{
	drm_vram_mm_debugfs_init(minor);
	drm_debugfs_create_files(vgpu_debugfs_list, ARRAY_SIZE(vgpu_debugfs_list),
				 minor->debugfs_root, minor);
	debugfs_create_file("inject_register_fault", 0200, minor->debugfs_root, to_vgpu(minor->dev),
			    &vgpu_debugfs_inject_fops);
}
