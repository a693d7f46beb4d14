// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Jobs on the GPU: one drm_gpu_scheduler feeds the ring, one scheduler entity per open file. A job
 * that outlives the scheduler's timeout is cancelled by a device reset (hw-spec 12): the driver
 * then restores what the reset cleared (interrupt mask, ring, display registers), fails the guilty
 * job with -ECANCELED, and runs the other files' jobs again.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "vgpu_drv.h"

static unsigned int job_timeout_ms = 2000;
module_param(job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "time a job may run before the GPU is reset (default 2000 ms)");

static unsigned int watchdog = VGPU_WATCHDOG_DEFAULT;
module_param(watchdog, uint, 0444);
MODULE_PARM_DESC(watchdog,
		 "work budget of one ring packet in units of 65536 (hw-spec 5.5; default 0x4000)");

/* Jobs on the ring at once: each takes at most 300 bytes of the 64 KiB ring. */
#define VGPU_JOBS_IN_FLIGHT 64

static struct vgpu_job *to_vgpu_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct vgpu_job, base);
}

static struct dma_fence *vgpu_job_run(struct drm_sched_job *sched_job)
{
	struct vgpu_job *job = to_vgpu_job(sched_job);
	struct vgpu_device *vdev = job->vdev;
	struct dma_fence *fence;
	int idx;

	/* Run again after a reset: a job that completed before it stays completed. */
	if (job->hw_fence) {
		if (dma_fence_is_signaled(job->hw_fence) && !job->hw_fence->error)
			return dma_fence_get(job->hw_fence);
		dma_fence_put(job->hw_fence);
		job->hw_fence = NULL;
	}
	/* Cancelled: the guilty job of a reset, or a job whose dependencies failed. */
	if (sched_job->s_fence->finished.error)
		return NULL;
	if (!drm_dev_enter(&vdev->drm, &idx))
		return ERR_PTR(-ENODEV);
	fence = vgpu_ring_emit_job(vdev, job);
	drm_dev_exit(idx);
	if (IS_ERR(fence))
		return fence;
	job->hw_fence = dma_fence_get(fence);
	return fence;
}

/* Registers the reset clears (hw-spec 12) that the display needs back: scanout and cursor. */
static const u32 vgpu_display_regs[] = {
	VGPU_REG_SCANOUT_ADDR_LO, VGPU_REG_SCANOUT_ADDR_HI, VGPU_REG_SCANOUT_FORMAT,
	VGPU_REG_SCANOUT_STRIDE,  VGPU_REG_SCANOUT_WIDTH,   VGPU_REG_SCANOUT_HEIGHT,
	VGPU_REG_DISP_CTRL,	  VGPU_REG_CURSOR_ADDR_LO,  VGPU_REG_CURSOR_ADDR_HI,
	VGPU_REG_CURSOR_POS,	  VGPU_REG_CURSOR_CTRL,
};

static void vgpu_gpu_reset(struct vgpu_device *vdev)
{
	u32 display[ARRAY_SIZE(vgpu_display_regs)];
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(display); i++)
		display[i] = vgpu_read(vdev, vgpu_display_regs[i]);
	/* The write returns once the packet in execution finished: the watchdog bounds that. */
	vgpu_write(vdev, VGPU_REG_RESET, VGPU_RESET_MAGIC);
	spin_lock_irqsave(&vdev->int_mask_lock, flags);
	vgpu_write(vdev, VGPU_REG_INT_MASK, vdev->int_mask);
	spin_unlock_irqrestore(&vdev->int_mask_lock, flags);
	spin_lock_irqsave(&vdev->fence_lock, flags);
	vdev->faults_seen = 0;
	spin_unlock_irqrestore(&vdev->fence_lock, flags);
	for (i = 0; i < ARRAY_SIZE(display); i++)
		vgpu_write(vdev, vgpu_display_regs[i], display[i]);
	if (display[6] & 1)
		vgpu_write(vdev, VGPU_REG_DISP_COMMIT, 1);
	/* Fences the device completed before the reset signal; the rest are run again below. */
	vgpu_ring_fence_irq(vdev);
	vgpu_ring_cancel_all(vdev, -ECANCELED, false);
	vgpu_ring_restart(vdev);
	vdev->resets++;
}

static enum drm_gpu_sched_stat vgpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct vgpu_job *job = to_vgpu_job(sched_job);
	struct vgpu_device *vdev = job->vdev;
	int idx;

	if (!drm_dev_enter(&vdev->drm, &idx))
		return DRM_GPU_SCHED_STAT_ENODEV;
	drm_sched_stop(&vdev->sched, sched_job);
	drm_sched_increase_karma(sched_job);
	drm_warn(&vdev->drm, "job %llu of pid %d ran over %u ms: resetting the GPU\n", job->seqno,
		 job->pid, job_timeout_ms);
	vgpu_gpu_reset(vdev);
	drm_sched_resubmit_jobs(&vdev->sched);
	drm_sched_start(&vdev->sched, true);
	drm_dev_exit(idx);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

void vgpu_job_put(struct vgpu_job *job)
{
	u32 i;

	if (!job)
		return;
	for (i = 0; i < job->bo_count; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	kfree(job->cmdbufs);
	dma_fence_put(job->hw_fence);
	atomic_dec(&job->vdev->jobs_alive);
	kfree(job);
}

static void vgpu_job_free(struct drm_sched_job *sched_job)
{
	drm_sched_job_cleanup(sched_job);
	vgpu_job_put(to_vgpu_job(sched_job));
}

static const struct drm_sched_backend_ops vgpu_sched_ops = {
	.run_job = vgpu_job_run,
	.timedout_job = vgpu_job_timedout,
	.free_job = vgpu_job_free,
};

/* When the last file is closed after the device went away, or at once when probe fails. */
static void vgpu_sched_release(struct drm_device *drm, void *data)
{
	struct vgpu_device *vdev = to_vgpu(drm);

	drm_sched_fini(&vdev->sched);
	vgpu_ring_fini(vdev);
	ida_destroy(&vdev->asids);
	vdev->sched_ready = false;
}

#ifndef VGPU_HAVE_SCHED_INIT_ARGS
/* Kernels whose drm_sched_init() takes positional arguments (kernel/kernel-api.sh). */
struct drm_sched_init_args {
	const struct drm_sched_backend_ops *ops;
	struct workqueue_struct *timeout_wq;
	u32 credit_limit;
	unsigned int hang_limit;
	long timeout;
	atomic_t *score;
	const char *name;
	struct device *dev;
};

static int vgpu_drm_sched_init(struct drm_gpu_scheduler *sched,
			       const struct drm_sched_init_args *args)
{
	return drm_sched_init(sched, args->ops, args->credit_limit, args->hang_limit,
			      args->timeout, args->timeout_wq, args->score, args->name, args->dev);
}
#else
static int vgpu_drm_sched_init(struct drm_gpu_scheduler *sched,
			       const struct drm_sched_init_args *args)
{
	return drm_sched_init(sched, args);
}
#endif

int vgpu_sched_init(struct vgpu_device *vdev)
{
	const struct drm_sched_init_args args = {
		.ops = &vgpu_sched_ops,
		.credit_limit = VGPU_JOBS_IN_FLIGHT,
		.hang_limit = 0,
		.timeout = msecs_to_jiffies(job_timeout_ms),
		.name = VGPU_DRIVER_NAME,
		.dev = vdev->drm.dev,
	};
	int ret;

	ida_init(&vdev->asids);
	vdev->watchdog = watchdog ? watchdog : VGPU_WATCHDOG_DEFAULT;
	ret = vgpu_ring_init(vdev);
	if (ret)
		return ret;
	ret = vgpu_drm_sched_init(&vdev->sched, &args);
	if (ret) {
		vgpu_ring_fini(vdev);
		return ret;
	}
	vdev->sched_ready = true;
	return drmm_add_action_or_reset(&vdev->drm, vgpu_sched_release, NULL);
}

int vgpu_job_open(struct drm_device *drm, struct drm_file *file)
{
	struct vgpu_device *vdev = to_vgpu(drm);
	struct drm_gpu_scheduler *sched = &vdev->sched;
	struct vgpu_file *vfile;
	int ret;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);
	if (!vfile)
		return -ENOMEM;
	vfile->vdev = vdev;
	mutex_init(&vfile->submit_lock);
	ret = vgpu_vm_init(vdev, &vfile->vm);
	if (ret)
		goto err_free;
	ret = drm_sched_entity_init(&vfile->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (ret)
		goto err_vm;
	file->driver_priv = vfile;
	return 0;

err_vm:
	vgpu_vm_fini(&vfile->vm);
err_free:
	kfree(vfile);
	return ret;
}

void vgpu_job_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vgpu_file *vfile = file->driver_priv;

	drm_sched_entity_destroy(&vfile->entity);
	/* The page tables and the pinned buffers must outlive the last job the device runs. */
	if (vfile->last_job_done) {
		dma_fence_wait(vfile->last_job_done, false);
		dma_fence_put(vfile->last_job_done);
	}
	vgpu_vm_fini(&vfile->vm);
	mutex_destroy(&vfile->submit_lock);
	kfree(vfile);
}
