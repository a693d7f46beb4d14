// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Interrupts (hw-spec 3.2): three MSI-X vectors, one per group of INT bits (0 command, 1 display,
 * 2 fault), or one INTx line for all of them. A handler reads INT_PENDING, acknowledges the bits of
 * its group in INT_STATUS before handling them (an event arriving meanwhile sets its bit again and
 * interrupts again), then dispatches.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "vgpu_drv.h"

static bool msix = true;
module_param(msix, bool, 0444);
MODULE_PARM_DESC(msix, "use MSI-X (default); 0 forces the INTx fallback, to test it");

/* The INT bits served by MSI-X vector v: bits 8v .. 8v+7. */
#define VGPU_VECTOR_EVENTS(v) (0xffu << (8 * (v)))

static const char *const vgpu_fault_names[] = {
	[VGPU_FAULT_BAD_REGISTER] = "BAD_REGISTER",
	[VGPU_FAULT_BAD_REGISTER_VALUE] = "BAD_REGISTER_VALUE",
	[VGPU_FAULT_BAD_OPCODE] = "BAD_OPCODE",
	[VGPU_FAULT_BAD_PACKET_LENGTH] = "BAD_PACKET_LENGTH",
	[VGPU_FAULT_BAD_PACKET_FIELD] = "BAD_PACKET_FIELD",
	[VGPU_FAULT_PRIVILEGED_PACKET] = "PRIVILEGED_PACKET",
	[VGPU_FAULT_IB_OVERRUN] = "IB_OVERRUN",
	[VGPU_FAULT_NO_CONTEXT] = "NO_CONTEXT",
	[VGPU_FAULT_WATCHDOG] = "WATCHDOG",
	[VGPU_FAULT_MMU_NOT_MAPPED] = "MMU_NOT_MAPPED",
	[VGPU_FAULT_MMU_READ_ONLY] = "MMU_READ_ONLY",
	[VGPU_FAULT_MMU_BAD_ADDRESS] = "MMU_BAD_ADDRESS",
	[VGPU_FAULT_MMU_BAD_PTE] = "MMU_BAD_PTE",
	[VGPU_FAULT_BAD_SURFACE] = "BAD_SURFACE",
	[VGPU_FAULT_BAD_STATE] = "BAD_STATE",
	[VGPU_FAULT_SHADER_INVALID] = "SHADER_INVALID",
	[VGPU_FAULT_SHADER_BUDGET] = "SHADER_BUDGET",
	[VGPU_FAULT_SHADER_STACK] = "SHADER_STACK",
	[VGPU_FAULT_DISPLAY_BAD_CONFIG] = "DISPLAY_BAD_CONFIG",
	[VGPU_FAULT_DMA_ERROR] = "DMA_ERROR",
};

const char *vgpu_fault_name(u32 type)
{
	if (type < ARRAY_SIZE(vgpu_fault_names) && vgpu_fault_names[type])
		return vgpu_fault_names[type];
	return "unknown";
}

/*
 * Logs the latched fault record, charges it to the job that caused it (vgpu_ring.c) and frees it
 * for the next one (hw-spec 8.1).
 */
static void vgpu_fault_report(struct vgpu_device *vdev)
{
	struct vgpu_fault_record record = {};
	u32 status, count, recorded = 0, unrecorded;
	unsigned long flags;

	spin_lock_irqsave(&vdev->fence_lock, flags);
	/* Every fault counts: an unchanged count (the fence path's usual case) means nothing new. */
	count = vgpu_read(vdev, VGPU_REG_FAULT_COUNT);
	if (count == vdev->faults_seen) {
		spin_unlock_irqrestore(&vdev->fence_lock, flags);
		return;
	}
	status = vgpu_read(vdev, VGPU_REG_FAULT_STATUS);
	if (status & VGPU_FAULT_STATUS_VALID) {
		record.type = vgpu_read(vdev, VGPU_REG_FAULT_TYPE);
		record.info = vgpu_read(vdev, VGPU_REG_FAULT_INFO);
		record.asid = vgpu_read(vdev, VGPU_REG_FAULT_ASID);
		record.addr = ((u64)vgpu_read(vdev, VGPU_REG_FAULT_ADDR_HI) << 32) |
			      vgpu_read(vdev, VGPU_REG_FAULT_ADDR_LO);
		record.ring_pos = vgpu_read(vdev, VGPU_REG_FAULT_RING_POS);
		record.ib_pos = vgpu_read(vdev, VGPU_REG_FAULT_IB_POS);
		vgpu_write(vdev, VGPU_REG_FAULT_ACK, 1);
		if (vdev->sched_ready)
			vgpu_ring_charge_fault(vdev, &record);
		vdev->fault_log[vdev->fault_log_count++ % VGPU_FAULT_LOG_SIZE] = record;
		recorded = 1;
	}
	/* Faults during a held record were only counted. */
	unrecorded = count - vdev->faults_seen - recorded;
	vdev->faults_seen = count;
	spin_unlock_irqrestore(&vdev->fence_lock, flags);

	if (recorded)
		drm_err_ratelimited(
			&vdev->drm,
			"device fault %s (%#x): asid %u addr %#llx engine %u opcode %#x%s ring %#x ib %#x job %llu pid %d\n",
			vgpu_fault_name(record.type), record.type, record.asid, record.addr,
			VGPU_FAULT_INFO_ENGINE(record.info), VGPU_FAULT_INFO_OPCODE(record.info),
			record.info & VGPU_FAULT_INFO_WRITE ? " write" : "", record.ring_pos,
			record.ib_pos, record.seqno, record.pid);
	if ((s32)unrecorded > 0)
		drm_err_ratelimited(&vdev->drm,
				    "%u more device faults were counted but not recorded\n",
				    unrecorded);
}

static irqreturn_t vgpu_irq_handler(int irq, void *arg)
{
	struct vgpu_irq_line *line = arg;
	struct vgpu_device *vdev = line->vdev;
	u32 pending = vgpu_read(vdev, VGPU_REG_INT_PENDING);

	/* All ones: the device is gone (surprise removal); nothing to acknowledge. */
	if (pending == ~0u)
		return IRQ_NONE;
	pending &= line->events;
	if (!pending)
		return IRQ_NONE;
	vgpu_write(vdev, VGPU_REG_INT_STATUS, pending);

	/*
	 * Faults first: a job's fault must be charged to it before its fence signals. With MSI-X
	 * the fault's own vector may be handled later than the fence's, so the fence path looks
	 * too.
	 */
	if (pending & (VGPU_INT_FAULT | VGPU_INT_FENCE))
		vgpu_fault_report(vdev);
	if (pending & VGPU_INT_FENCE)
		vgpu_ring_fence_irq(vdev);
	if (pending & VGPU_INT_VBLANK)
		vgpu_display_vblank(vdev);
	if (pending & VGPU_INT_FLIP_DONE)
		vgpu_display_flip_done(vdev);
	if (pending & VGPU_INT_HOTPLUG)
		vgpu_connector_hotplug(vdev);
	return IRQ_HANDLED;
}

static void vgpu_write_int_mask(struct vgpu_device *vdev, u32 mask)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->int_mask_lock, flags);
	vdev->int_mask = mask;
	vgpu_write(vdev, VGPU_REG_INT_MASK, mask);
	spin_unlock_irqrestore(&vdev->int_mask_lock, flags);
}

void vgpu_irq_enable(struct vgpu_device *vdev, u32 events)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->int_mask_lock, flags);
	/* A stale status bit would interrupt the moment it is unmasked: drop it first. */
	vgpu_write(vdev, VGPU_REG_INT_STATUS, events & ~vdev->int_mask);
	vdev->int_mask |= events;
	vgpu_write(vdev, VGPU_REG_INT_MASK, vdev->int_mask);
	spin_unlock_irqrestore(&vdev->int_mask_lock, flags);
}

void vgpu_irq_disable(struct vgpu_device *vdev, u32 events)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->int_mask_lock, flags);
	vdev->int_mask &= ~events;
	vgpu_write(vdev, VGPU_REG_INT_MASK, vdev->int_mask);
	spin_unlock_irqrestore(&vdev->int_mask_lock, flags);
}

static void vgpu_free_irq_lines(struct vgpu_device *vdev, unsigned int count)
{
	while (count--)
		free_irq(vdev->irq_lines[count].irq, &vdev->irq_lines[count]);
}

int vgpu_irq_init(struct vgpu_device *vdev)
{
	struct pci_dev *pdev = to_pci_dev(vdev->drm.dev);
	unsigned int i;
	int nvec, ret;

	nvec = -ENODEV;
	if (msix)
		nvec = pci_alloc_irq_vectors(pdev, VGPU_MSIX_VECTORS, VGPU_MSIX_VECTORS,
					     PCI_IRQ_MSIX);
	if (nvec < 0) {
		if (msix)
			drm_info(&vdev->drm, "MSI-X unavailable (%d), using INTx\n", nvec);
		else
			drm_info(&vdev->drm, "MSI-X disabled (msix=0), using INTx\n");
		nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_LEGACY);
		if (nvec < 0) {
			drm_err(&vdev->drm, "no interrupt: MSI-X and INTx both failed (%d)\n",
				nvec);
			return nvec;
		}
	}
	vdev->irq_line_count = nvec;
	for (i = 0; i < vdev->irq_line_count; i++) {
		struct vgpu_irq_line *line = &vdev->irq_lines[i];

		line->vdev = vdev;
		line->irq = pci_irq_vector(pdev, i);
		line->events = pdev->msix_enabled ? VGPU_VECTOR_EVENTS(i) : ~0u;
		ret = request_irq(line->irq, vgpu_irq_handler, pdev->msix_enabled ? 0 : IRQF_SHARED,
				  VGPU_DRIVER_NAME, line);
		if (ret) {
			drm_err(&vdev->drm, "cannot request irq %u: %d\n", line->irq, ret);
			vgpu_free_irq_lines(vdev, i);
			pci_free_irq_vectors(pdev);
			return ret;
		}
	}
	/* VBLANK stays masked until someone waits for vblanks (vgpu_display.c); FENCE until a ring
	 * exists. */
	vgpu_write_int_mask(vdev, VGPU_INT_FLIP_DONE | VGPU_INT_HOTPLUG | VGPU_INT_FAULT);
	return 0;
}

void vgpu_irq_fini(struct vgpu_device *vdev)
{
	vgpu_write_int_mask(vdev, 0);
	vgpu_free_irq_lines(vdev, vdev->irq_line_count);
	vdev->irq_line_count = 0;
	pci_free_irq_vectors(to_pci_dev(vdev->drm.dev));
	cancel_work_sync(&vdev->hotplug_work);
}
