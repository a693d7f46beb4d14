// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ring (hw-spec 5.1, 5.4) and the hardware fences of the jobs on it. Only the scheduler thread
 * writes packets (one job at a time, vgpu_job.c), so the tail needs no lock. Every job ends with a
 * FENCE carrying the next 64-bit sequence number and the INTERRUPT flag; the fence interrupt
 * signals every fence in flight up to FENCE_SEQ. Faults are charged to the job whose INDIRECT
 * packets cover FAULT_RING_POS (hw-spec 8.2): its fence then completes with -EIO, and its file
 * alone learns the fault record.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <drm/drm_print.h>
#include <vgpu/vgpu_pkt.h>

#include "vgpu_drv.h"

#define VGPU_RING_SIZE (64 * 1024)
/* The packets of one job: SET_CONTEXT, MMU_INVALIDATE, an INDIRECT per command buffer, FENCE. */
#define VGPU_JOB_MAX_DWORDS (4 + 1 + 4 * DRM_VGPU_SUBMIT_MAX_CMDBUFS + 6)

struct vgpu_hw_fence {
	struct dma_fence base;
	struct list_head link; /* in vdev->fences_in_flight until signalled */
	/* Ring byte offsets covering the job's INDIRECT packets, for the fault's FAULT_RING_POS. */
	u32 indirect_start, indirect_end;
	struct vgpu_file *file; /* valid while in flight: the file waits for its jobs when closed */
	u64 seqno;
	pid_t pid;
	int error;
	struct dma_fence *done; /* the scheduler's finished fence, which user space sees */
};

static const char *vgpu_fence_driver_name(struct dma_fence *fence)
{
	return VGPU_DRIVER_NAME;
}

static const char *vgpu_fence_timeline_name(struct dma_fence *fence)
{
	return "vgpu-ring";
}

static const struct dma_fence_ops vgpu_hw_fence_ops = {
	.get_driver_name = vgpu_fence_driver_name,
	.get_timeline_name = vgpu_fence_timeline_name,
};

static void vgpu_ring_program(struct vgpu_device *vdev)
{
	struct vgpu_ring *ring = &vdev->ring;

	memset(ring->words, 0, ring->size);
	ring->tail = 0;
	ring->context_vm_id = 0;
	WRITE_ONCE(ring->status->head, 0);
	vgpu_write(vdev, VGPU_REG_RING_CTRL, 0);
	vgpu_write64(vdev, VGPU_REG_RING_BASE_LO, VGPU_REG_RING_BASE_HI,
		     VGPU_PA_SYSMEM | ring->dma);
	vgpu_write(vdev, VGPU_REG_RING_SIZE, ring->size);
	vgpu_write64(vdev, VGPU_REG_RING_HEAD_WB_LO, VGPU_REG_RING_HEAD_WB_HI,
		     (VGPU_PA_SYSMEM | ring->status_dma) | 1);
	vgpu_write(vdev, VGPU_REG_WATCHDOG, vdev->watchdog);
	vgpu_write(vdev, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
}

int vgpu_ring_init(struct vgpu_device *vdev)
{
	struct device *dev = vdev->drm.dev;
	struct vgpu_ring *ring = &vdev->ring;

	ring->size = VGPU_RING_SIZE;
	ring->words = dma_alloc_coherent(dev, ring->size, &ring->dma, GFP_KERNEL);
	if (!ring->words)
		return -ENOMEM;
	ring->status =
		dma_alloc_coherent(dev, sizeof(*ring->status), &ring->status_dma, GFP_KERNEL);
	if (!ring->status) {
		dma_free_coherent(dev, ring->size, ring->words, ring->dma);
		ring->words = NULL;
		return -ENOMEM;
	}
	ring->next_seq = 1;
	vdev->fence_context = dma_fence_context_alloc(1);
	vgpu_ring_program(vdev);
	vgpu_irq_enable(vdev, VGPU_INT_FENCE);
	return 0;
}

/* Before the device goes away: nothing on the ring completes any more. */
void vgpu_ring_stop(struct vgpu_device *vdev)
{
	if (!vdev->ring.words)
		return;
	vgpu_write(vdev, VGPU_REG_RING_CTRL, 0);
	vgpu_write64(vdev, VGPU_REG_RING_HEAD_WB_LO, VGPU_REG_RING_HEAD_WB_HI, 0);
	vgpu_ring_cancel_all(vdev, -ENODEV, true);
}

void vgpu_ring_fini(struct vgpu_device *vdev)
{
	struct device *dev = vdev->drm.dev;
	struct vgpu_ring *ring = &vdev->ring;

	vgpu_ring_cancel_all(vdev, -ENODEV, true);
	dma_free_coherent(dev, sizeof(*ring->status), ring->status, ring->status_dma);
	dma_free_coherent(dev, ring->size, ring->words, ring->dma);
	ring->words = NULL;
}

/* After a device reset (which forgets the ring): the same ring memory, empty, enabled again. */
void vgpu_ring_restart(struct vgpu_device *vdev)
{
	vgpu_ring_program(vdev);
}

static u32 vgpu_ring_free_bytes(struct vgpu_ring *ring)
{
	return (READ_ONCE(ring->status->head) - ring->tail - 4) & (ring->size - 1);
}

static void vgpu_ring_copy(struct vgpu_ring *ring, const u32 *words, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		ring->words[ring->tail / 4] = words[i];
		ring->tail = (ring->tail + 4) & (ring->size - 1);
	}
}

/*
 * Writes one job and rings the doorbell; returns its hardware fence. The scheduler's credit limit
 * keeps the ring from filling: a full ring here is a driver bug, reported as -ENOSPC.
 */
struct dma_fence *vgpu_ring_emit_job(struct vgpu_device *vdev, struct vgpu_job *job)
{
	struct vgpu_file *file = job->file;
	struct vgpu_ring *ring = &vdev->ring;
	u32 words[VGPU_JOB_MAX_DWORDS];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, VGPU_JOB_MAX_DWORDS);
	struct vgpu_hw_fence *fence;
	u32 indirect_first, i;
	unsigned long flags;
	bool tables_changed;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);

	tables_changed = atomic_xchg(&file->vm.tables_changed, 0);
	if (ring->context_vm_id != file->vm.id || tables_changed) {
		vgpu_pkt_set_context(&cb, file->vm.asid, vgpu_vm_root_pa(&file->vm));
		vgpu_pkt_mmu_invalidate(&cb);
		ring->context_vm_id = file->vm.id;
	}
	indirect_first = cb.count;
	for (i = 0; i < job->cmdbuf_count; i++)
		vgpu_pkt_indirect(&cb, job->cmdbufs[i].va, job->cmdbufs[i].size_dwords);
	fence->indirect_start = (ring->tail + 4 * indirect_first) & (ring->size - 1);
	fence->indirect_end = (ring->tail + 4 * cb.count) & (ring->size - 1);
	vgpu_pkt_fence(&cb,
		       VGPU_PA_SYSMEM |
			       (ring->status_dma + offsetof(struct vgpu_ring_status, fence_seq)),
		       ring->next_seq, VGPU_FENCE_FLAG_INTERRUPT);
	if (WARN_ON(cb.overflow || vgpu_ring_free_bytes(ring) < 4 * cb.count)) {
		kfree(fence);
		return ERR_PTR(-ENOSPC);
	}

	fence->file = file;
	fence->seqno = job->seqno;
	fence->pid = job->pid;
	fence->done = dma_fence_get(&job->base.s_fence->finished);
	dma_fence_init(&fence->base, &vgpu_hw_fence_ops, &vdev->fence_lock, vdev->fence_context,
		       ring->next_seq++);
	spin_lock_irqsave(&vdev->fence_lock, flags);
	list_add_tail(&fence->link, &vdev->fences_in_flight);
	dma_fence_get(&fence->base); /* the list's reference */
	spin_unlock_irqrestore(&vdev->fence_lock, flags);

	vgpu_ring_copy(ring, words, cb.count);
	/* The packets must be in memory before the doorbell makes the device read them. */
	wmb();
	vgpu_write(vdev, VGPU_REG_RING_TAIL, ring->tail);
	vdev->jobs_run++;
	return &fence->base;
}

/* to_done: the error is the job's too (a fault), not only the hardware run's (a reset). */
static void vgpu_hw_fence_complete_locked(struct vgpu_hw_fence *fence, int error, bool to_done)
{
	if (error) {
		dma_fence_set_error(&fence->base, error);
		/* The finished fence is what user space waits for: it carries the error too. */
		if (to_done && !dma_fence_is_signaled(fence->done))
			dma_fence_set_error(fence->done, error);
	}
	dma_fence_signal_locked(&fence->base);
	list_del(&fence->link);
	fence->file = NULL;
	dma_fence_put(fence->done);
	dma_fence_put(&fence->base);
}

static void vgpu_ring_process_locked(struct vgpu_device *vdev, u64 completed)
{
	struct vgpu_hw_fence *fence, *next;

	list_for_each_entry_safe(fence, next, &vdev->fences_in_flight, link) {
		if (fence->base.seqno > completed)
			break;
		vgpu_hw_fence_complete_locked(fence, fence->error, true);
	}
}

void vgpu_ring_fence_irq(struct vgpu_device *vdev)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->fence_lock, flags);
	/*
	 * The FENCE packet writes the status page before it updates FENCE_SEQ and interrupts; the
	 * page, unlike the register, also keeps the last number across a reset.
	 */
	vgpu_ring_process_locked(vdev, READ_ONCE(vdev->ring.status->fence_seq));
	spin_unlock_irqrestore(&vdev->fence_lock, flags);
}

/*
 * Completes every fence in flight with error: the device will not execute them. After a reset the
 * scheduler decides the jobs' fate (it runs them again), so only the hardware fences carry the
 * error.
 */
void vgpu_ring_cancel_all(struct vgpu_device *vdev, int error, bool to_jobs)
{
	struct vgpu_hw_fence *fence, *next;
	unsigned long flags;

	spin_lock_irqsave(&vdev->fence_lock, flags);
	list_for_each_entry_safe(fence, next, &vdev->fences_in_flight, link)
		vgpu_hw_fence_complete_locked(fence, error, to_jobs);
	spin_unlock_irqrestore(&vdev->fence_lock, flags);
}

static bool vgpu_ring_range_holds(struct vgpu_ring *ring, u32 start, u32 end, u32 pos)
{
	return ((pos - start) & (ring->size - 1)) < ((end - start) & (ring->size - 1));
}

/*
 * Called with fence_lock held for each fault record: finds the job whose INDIRECT packets were
 * executing and charges the fault to it and its file.
 */
void vgpu_ring_charge_fault(struct vgpu_device *vdev, struct vgpu_fault_record *record)
{
	u32 engine = VGPU_FAULT_INFO_ENGINE(record->info);
	struct vgpu_hw_fence *fence;

	lockdep_assert_held(&vdev->fence_lock);
	if (engine == VGPU_ENGINE_DISPLAY || engine == VGPU_ENGINE_REGS)
		return;
	list_for_each_entry(fence, &vdev->fences_in_flight, link) {
		if (!vgpu_ring_range_holds(&vdev->ring, fence->indirect_start, fence->indirect_end,
					   record->ring_pos))
			continue;
		fence->error = -EIO;
		record->seqno = fence->seqno;
		record->pid = fence->pid;
		fence->file->fault_count++;
		fence->file->last_fault = *record;
		return;
	}
}

void vgpu_ring_debugfs_show(struct vgpu_device *vdev, struct seq_file *m)
{
	struct vgpu_ring *ring = &vdev->ring;
	struct vgpu_hw_fence *fence;
	unsigned long flags;
	u32 i, first;

	seq_printf(m, "ring: size %u head %u tail %u (device: head %u tail %u)\n", ring->size,
		   READ_ONCE(ring->status->head), ring->tail, vgpu_read(vdev, VGPU_REG_RING_HEAD),
		   vgpu_read(vdev, VGPU_REG_RING_TAIL));
	seq_printf(m, "fences: next %llu completed %llu\n", ring->next_seq,
		   READ_ONCE(ring->status->fence_seq));
	seq_printf(m, "jobs run %llu, jobs alive %d, address spaces %d, resets %u, watchdog %#x\n",
		   vdev->jobs_run, atomic_read(&vdev->jobs_alive), atomic_read(&vdev->vms_alive),
		   vdev->resets, vdev->watchdog);
	seq_printf(m, "system-memory objects %d\n", atomic_read(&vdev->sysmem_objects_alive));
	seq_printf(m, "buffers pinned for the GPU %d\n", atomic_read(&vdev->gpu_pins));
	spin_lock_irqsave(&vdev->fence_lock, flags);
	seq_puts(m, "in flight:\n");
	list_for_each_entry(fence, &vdev->fences_in_flight, link)
		seq_printf(m, "  seq %llu job %llu pid %d ring %#x..%#x%s\n", fence->base.seqno,
			   fence->seqno, fence->pid, fence->indirect_start, fence->indirect_end,
			   fence->error ? " faulted" : "");
	seq_printf(m, "faults: %u\n", vdev->fault_log_count);
	first = vdev->fault_log_count > VGPU_FAULT_LOG_SIZE ?
			vdev->fault_log_count - VGPU_FAULT_LOG_SIZE :
			0;
	for (i = first; i < vdev->fault_log_count; i++) {
		const struct vgpu_fault_record *r = &vdev->fault_log[i % VGPU_FAULT_LOG_SIZE];

		seq_printf(m, "  %s asid %u addr %#llx info %#x ring %#x ib %#x job %llu pid %d\n",
			   vgpu_fault_name(r->type), r->asid, r->addr, r->info, r->ring_pos,
			   r->ib_pos, r->seqno, r->pid);
	}
	spin_unlock_irqrestore(&vdev->fence_lock, flags);
}
