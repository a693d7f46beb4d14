// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The command-submission ioctls (include/uapi/drm/vgpu_drm.h): VM_BIND, SUBMIT, WAIT_BO,
 * GET_FAULT (buffer objects: vgpu_gem.c). Everything from user space is checked here before it
 * reaches a job; the device checks the command buffers' contents itself (hw-spec 8).
 */
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include "vgpu_drv.h"

/* Makes the file's earlier jobs finish: nothing running may use a mapping that goes away. */
static int vgpu_wait_for_jobs_locked(struct vgpu_file *vfile)
{
	long ret;

	lockdep_assert_held(&vfile->submit_lock);
	if (!vfile->last_job_done)
		return 0;
	ret = dma_fence_wait(vfile->last_job_done, true);
	return ret < 0 ? ret : 0;
}

int vgpu_vm_bind_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vgpu_file *vfile = file->driver_priv;
	struct drm_vgpu_vm_bind *args = data;
	struct vgpu_mapping *mapping;
	struct drm_gem_object *obj;
	int ret;

	if (args->pad)
		return -EINVAL;
	switch (args->op) {
	case DRM_VGPU_VM_BIND_MAP:
		if (args->flags & ~DRM_VGPU_VM_BIND_READ_ONLY)
			return -EINVAL;
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		ret = vgpu_vm_map(&vfile->vm, obj, args->va,
				  args->flags & DRM_VGPU_VM_BIND_READ_ONLY);
		if (ret)
			drm_gem_object_put(obj);
		return ret;
	case DRM_VGPU_VM_BIND_UNMAP:
		if (args->flags || args->handle)
			return -EINVAL;
		ret = mutex_lock_interruptible(&vfile->submit_lock);
		if (ret)
			return ret;
		ret = vgpu_wait_for_jobs_locked(vfile);
		mapping = ret ? NULL : vgpu_vm_unmap(&vfile->vm, args->va);
		mutex_unlock(&vfile->submit_lock);
		if (ret)
			return ret;
		if (!mapping)
			return -ENOENT;
		/*
		 * Unpinned only now: SUBMIT holds buffer reservations while it waits for the submit
		 * lock, so unpinning (which takes the buffer's reservation) under it would deadlock.
		 */
		vgpu_vm_mapping_release(mapping);
		return 0;
	}
	return -EINVAL;
}

/* Copies count elements of size bytes from user space; NULL for none. */
static void *vgpu_copy_array(u64 user_ptr, u32 count, size_t size, int *err)
{
	void *array;

	*err = 0;
	if (!count)
		return NULL;
	array = kvmalloc_array(count, size, GFP_KERNEL);
	if (!array) {
		*err = -ENOMEM;
		return NULL;
	}
	if (copy_from_user(array, u64_to_user_ptr(user_ptr), (size_t)count * size)) {
		kvfree(array);
		*err = -EFAULT;
		return NULL;
	}
	return array;
}

static int vgpu_submit_check_cmdbufs(const struct drm_vgpu_cmdbuf *cmdbufs, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		const struct drm_vgpu_cmdbuf *cb = &cmdbufs[i];

		if (cb->pad || !cb->size_dwords || cb->size_dwords > VGPU_IB_MAX_DWORDS ||
		    !IS_ALIGNED(cb->va, 4) || cb->va >= (1ull << DRM_VGPU_VA_BITS) ||
		    4ull * cb->size_dwords > (1ull << DRM_VGPU_VA_BITS) - cb->va)
			return -EINVAL;
	}
	return 0;
}

static int vgpu_submit_lookup_bos(struct drm_file *file, struct vgpu_job *job,
				  const struct drm_vgpu_submit_bo *bos)
{
	u32 i;

	job->bos = kvcalloc(job->bo_count, sizeof(*job->bos), GFP_KERNEL);
	if (job->bo_count && !job->bos)
		return -ENOMEM;
	for (i = 0; i < job->bo_count; i++) {
		if (bos[i].flags & ~DRM_VGPU_SUBMIT_BO_WRITE)
			return -EINVAL;
		job->bos[i] = drm_gem_object_lookup(file, bos[i].handle);
		if (!job->bos[i])
			return -ENOENT;
	}
	return 0;
}

static int vgpu_submit_add_in_syncs(struct drm_file *file, struct vgpu_job *job,
				    const struct drm_vgpu_sync *syncs, u32 count)
{
	struct dma_fence *fence;
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		if (syncs[i].flags)
			return -EINVAL;
		ret = drm_syncobj_find_fence(file, syncs[i].handle, syncs[i].point, 0, &fence);
		if (ret)
			return ret;
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/* The syncobjs a job signals, found (and their timeline links allocated) before it is pushed. */
struct vgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

static void vgpu_out_syncs_free(struct vgpu_out_sync *outs, u32 count)
{
	u32 i;

	for (i = 0; outs && i < count; i++) {
		if (outs[i].syncobj)
			drm_syncobj_put(outs[i].syncobj);
		dma_fence_chain_free(outs[i].chain);
	}
	kvfree(outs);
}

static struct vgpu_out_sync *
vgpu_out_syncs_get(struct drm_file *file, const struct drm_vgpu_sync *syncs, u32 count, int *err)
{
	struct vgpu_out_sync *outs;
	u32 i;

	*err = 0;
	if (!count)
		return NULL;
	outs = kvcalloc(count, sizeof(*outs), GFP_KERNEL);
	if (!outs) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < count; i++) {
		if (syncs[i].flags) {
			*err = -EINVAL;
			break;
		}
		outs[i].syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!outs[i].syncobj) {
			*err = -ENOENT;
			break;
		}
		outs[i].point = syncs[i].point;
		if (outs[i].point) {
			outs[i].chain = dma_fence_chain_alloc();
			if (!outs[i].chain) {
				*err = -ENOMEM;
				break;
			}
		}
	}
	if (*err) {
		vgpu_out_syncs_free(outs, count);
		return NULL;
	}
	return outs;
}

static void vgpu_out_syncs_signal(struct vgpu_out_sync *outs, u32 count, struct dma_fence *done)
{
	u32 i;

	for (i = 0; i < count; i++) {
		if (outs[i].chain) {
			drm_syncobj_add_point(outs[i].syncobj, outs[i].chain, done, outs[i].point);
			outs[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(outs[i].syncobj, done);
		}
	}
}

/* Locks the job's buffers, reserves a fence slot in each and makes the job wait for their users. */
static int vgpu_submit_lock_bos(struct vgpu_job *job, const struct drm_vgpu_submit_bo *bos,
				struct ww_acquire_ctx *ctx)
{
	u32 i;
	int ret;

	ret = drm_gem_lock_reservations(job->bos, job->bo_count, ctx);
	/* The same buffer listed twice: its lock is already held. */
	if (ret == -EALREADY)
		return -EINVAL;
	if (ret)
		return ret;
	for (i = 0; i < job->bo_count; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (ret)
			goto err_unlock;
		ret = drm_sched_job_add_implicit_dependencies(
			&job->base, job->bos[i], bos[i].flags & DRM_VGPU_SUBMIT_BO_WRITE);
		if (ret)
			goto err_unlock;
	}
	return 0;

err_unlock:
	drm_gem_unlock_reservations(job->bos, job->bo_count, ctx);
	return ret;
}

int vgpu_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vgpu_file *vfile = file->driver_priv;
	struct drm_vgpu_submit *args = data;
	struct drm_vgpu_submit_bo *bos = NULL;
	struct drm_vgpu_sync *in_syncs = NULL, *out_syncs = NULL;
	struct vgpu_out_sync *outs = NULL;
	struct sync_file *sync_file = NULL;
	struct ww_acquire_ctx ctx;
	struct dma_fence *done, *fence;
	struct vgpu_job *job;
	int out_fd = -1, ret;
	u32 i;

	if (args->pad ||
	    args->flags & ~(DRM_VGPU_SUBMIT_IN_FENCE_FD | DRM_VGPU_SUBMIT_OUT_FENCE_FD) ||
	    !args->cmdbuf_count || args->cmdbuf_count > DRM_VGPU_SUBMIT_MAX_CMDBUFS ||
	    args->bo_count > DRM_VGPU_SUBMIT_MAX_BOS ||
	    args->in_sync_count > DRM_VGPU_SUBMIT_MAX_SYNCS ||
	    args->out_sync_count > DRM_VGPU_SUBMIT_MAX_SYNCS)
		return -EINVAL;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->file = vfile;
	job->vdev = vfile->vdev;
	atomic_inc(&job->vdev->jobs_alive);
	job->pid = task_tgid_nr(current);
	job->cmdbuf_count = args->cmdbuf_count;
	job->cmdbufs =
		vgpu_copy_array(args->cmdbufs, args->cmdbuf_count, sizeof(*job->cmdbufs), &ret);
	if (ret)
		goto err_job;
	ret = vgpu_submit_check_cmdbufs(job->cmdbufs, job->cmdbuf_count);
	if (ret)
		goto err_job;
	bos = vgpu_copy_array(args->bos, args->bo_count, sizeof(*bos), &ret);
	if (ret)
		goto err_job;
	job->bo_count = args->bo_count;
	ret = vgpu_submit_lookup_bos(file, job, bos);
	if (ret)
		goto err_job;
	in_syncs = vgpu_copy_array(args->in_syncs, args->in_sync_count, sizeof(*in_syncs), &ret);
	if (ret)
		goto err_job;
	out_syncs =
		vgpu_copy_array(args->out_syncs, args->out_sync_count, sizeof(*out_syncs), &ret);
	if (ret)
		goto err_job;
	outs = vgpu_out_syncs_get(file, out_syncs, args->out_sync_count, &ret);
	if (ret)
		goto err_job;

	ret = drm_sched_job_init(&job->base, &vfile->entity, vfile);
	if (ret)
		goto err_job;
	ret = vgpu_submit_add_in_syncs(file, job, in_syncs, args->in_sync_count);
	if (ret)
		goto err_sched_job;
	if (args->flags & DRM_VGPU_SUBMIT_IN_FENCE_FD) {
		fence = sync_file_get_fence(args->in_fence_fd);
		if (!fence) {
			ret = -EINVAL;
			goto err_sched_job;
		}
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			goto err_sched_job;
	}
	if (args->flags & DRM_VGPU_SUBMIT_OUT_FENCE_FD) {
		out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (out_fd < 0) {
			ret = out_fd;
			goto err_sched_job;
		}
	}
	ret = vgpu_submit_lock_bos(job, bos, &ctx);
	if (ret)
		goto err_sched_job;

	mutex_lock(&vfile->submit_lock);
	drm_sched_job_arm(&job->base);
	done = dma_fence_get(&job->base.s_fence->finished);
	job->seqno = ++vfile->last_seqno;
	args->seqno = job->seqno;
	dma_fence_put(vfile->last_job_done);
	vfile->last_job_done = dma_fence_get(done);
	/* Before the push: once pushed, the job may run, finish and be freed with its BO array and
	 * its references to the BOs. */
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, done,
				   bos[i].flags & DRM_VGPU_SUBMIT_BO_WRITE ? DMA_RESV_USAGE_WRITE :
									     DMA_RESV_USAGE_READ);
	drm_gem_unlock_reservations(job->bos, job->bo_count, &ctx);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&vfile->submit_lock);

	vgpu_out_syncs_signal(outs, args->out_sync_count, done);
	if (out_fd >= 0) {
		sync_file = sync_file_create(done);
		if (sync_file) {
			fd_install(out_fd, sync_file->file);
			args->out_fence_fd = out_fd;
		} else {
			put_unused_fd(out_fd);
			args->out_fence_fd = -1;
		}
	}
	dma_fence_put(done);
	ret = 0;
	/* The job is the scheduler's now: from here only the arrays are freed. */
	job = NULL;
	goto out;

err_sched_job:
	if (out_fd >= 0)
		put_unused_fd(out_fd);
	drm_sched_job_cleanup(&job->base);
err_job:
	vgpu_job_put(job);
out:
	vgpu_out_syncs_free(outs, args->out_sync_count);
	kvfree(out_syncs);
	kvfree(in_syncs);
	kvfree(bos);
	return ret;
}

int vgpu_wait_bo_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_vgpu_wait_bo *args = data;
	struct drm_gem_object *obj;
	long ret;

	if (args->flags & ~DRM_VGPU_WAIT_BO_WRITERS)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = dma_resv_wait_timeout(obj->resv,
				    args->flags & DRM_VGPU_WAIT_BO_WRITERS ? DMA_RESV_USAGE_WRITE :
									     DMA_RESV_USAGE_READ,
				    true, drm_timeout_abs_to_jiffies(args->timeout_ns));
	drm_gem_object_put(obj);
	if (ret == 0)
		return args->timeout_ns ? -ETIMEDOUT : -EBUSY;
	return ret < 0 ? ret : 0;
}

int vgpu_get_fault_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vgpu_device *vdev = to_vgpu(drm);
	struct vgpu_file *vfile = file->driver_priv;
	struct drm_vgpu_get_fault *args = data;
	struct vgpu_fault_record last;
	unsigned long flags;

	if (args->pad || args->pad2)
		return -EINVAL;
	spin_lock_irqsave(&vdev->fence_lock, flags);
	args->count = vfile->fault_count;
	last = vfile->last_fault;
	spin_unlock_irqrestore(&vdev->fence_lock, flags);
	args->type = last.type;
	args->info = last.info;
	args->ib_pos = last.ib_pos;
	args->addr = last.addr;
	args->seqno = last.seqno;
	return 0;
}
