// SPDX-License-Identifier: MIT
/* libvgpu_drm (vgpu_drm_client.h): thin wrappers over vgpu.ko's ioctls and a job builder. */
#include "vgpu_drm_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

int vgpu_drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int vgpu_drm_open_node(const char *kind, const char *driver)
{
	int first = strcmp(kind, "renderD") == 0 ? 128 : 0;

	for (int i = first; i < first + 16; i++) {
		char path[32], name[32] = "";
		snprintf(path, sizeof(path), "/dev/dri/%s%d", kind, i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct drm_version version = {.name_len = sizeof(name) - 1, .name = name};
		if (vgpu_drm_ioctl(fd, DRM_IOCTL_VERSION, &version) == 0 && version.name_len < sizeof(name) &&
		    strcmp(name, driver) == 0)
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int vgpu_drm_bo_create(int fd, uint64_t size, struct vgpu_drm_bo *bo)
{
	struct drm_vgpu_gem_create args = {.size = size};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &args);

	if (ret)
		return ret;
	*bo = (struct vgpu_drm_bo){.handle = args.handle, .size = (size + 4095) & ~(uint64_t)4095};
	return 0;
}

int vgpu_drm_bo_map(int fd, struct vgpu_drm_bo *bo)
{
	struct drm_vgpu_gem_info info = {.handle = bo->handle};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_INFO, &info);
	void *map;

	if (ret)
		return ret;
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)info.mmap_offset);
	if (map == MAP_FAILED)
		return -errno;
	bo->map = map;
	bo->size = info.size;
	return 0;
}

int vgpu_drm_bo_bind(int fd, struct vgpu_drm_bo *bo, uint64_t va, uint32_t flags)
{
	struct drm_vgpu_vm_bind args = {
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = bo->handle, .va = va, .flags = flags};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &args);

	if (!ret)
		bo->va = va;
	return ret;
}

int vgpu_drm_bo_unbind(int fd, struct vgpu_drm_bo *bo)
{
	struct drm_vgpu_vm_bind args = {.op = DRM_VGPU_VM_BIND_UNMAP, .va = bo->va};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &args);

	if (!ret)
		bo->va = 0;
	return ret;
}

int vgpu_drm_bo_destroy(int fd, struct vgpu_drm_bo *bo)
{
	struct drm_gem_close close_args = {.handle = bo->handle};
	int ret = 0, step;

	if (bo->va)
		ret = vgpu_drm_bo_unbind(fd, bo);
	if (bo->map && munmap(bo->map, bo->size) && !ret)
		ret = -errno;
	step = vgpu_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	*bo = (struct vgpu_drm_bo){0};
	return ret ? ret : step;
}

int vgpu_drm_bo_wait(int fd, const struct vgpu_drm_bo *bo, uint32_t flags, int64_t timeout_ns)
{
	struct drm_vgpu_wait_bo args = {.handle = bo->handle, .flags = flags};
	struct timespec now;

	if (timeout_ns > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		args.timeout_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + timeout_ns;
	}
	return vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_WAIT_BO, &args);
}

void vgpu_drm_cmdstream_init(struct vgpu_drm_cmdstream *cs, struct vgpu_drm_bo *bo)
{
	cs->bo = bo;
	cs->cb = (struct vgpu_cmdbuf)VGPU_CMDBUF_INIT((uint32_t *)bo->map, (uint32_t)(bo->size / 4));
}

void vgpu_drm_job_init(struct vgpu_drm_job *job)
{
	memset(job, 0, sizeof(*job));
	job->in_fence_fd = -1;
}

void vgpu_drm_job_add_cmdbuf(struct vgpu_drm_job *job, uint64_t va, uint32_t size_dwords)
{
	if (job->cmdbuf_count == DRM_VGPU_SUBMIT_MAX_CMDBUFS) {
		job->overflow = true;
		return;
	}
	job->cmdbufs[job->cmdbuf_count++] = (struct drm_vgpu_cmdbuf){.va = va, .size_dwords = size_dwords};
}

void vgpu_drm_job_add_bo(struct vgpu_drm_job *job, const struct vgpu_drm_bo *bo, bool write)
{
	uint32_t i;

	for (i = 0; i < job->bo_count; i++) {
		if (job->bos[i].handle == bo->handle) {
			job->bos[i].flags |= write ? DRM_VGPU_SUBMIT_BO_WRITE : 0;
			return;
		}
	}
	if (job->bo_count == VGPU_DRM_JOB_MAX_BOS) {
		job->overflow = true;
		return;
	}
	job->bos[job->bo_count++] = (struct drm_vgpu_submit_bo){
	        .handle = bo->handle, .flags = write ? DRM_VGPU_SUBMIT_BO_WRITE : 0};
}

void vgpu_drm_job_add_cmdstream(struct vgpu_drm_job *job, const struct vgpu_drm_cmdstream *cs)
{
	if (cs->cb.overflow)
		job->overflow = true;
	vgpu_drm_job_add_cmdbuf(job, cs->bo->va, cs->cb.count);
	vgpu_drm_job_add_bo(job, cs->bo, false);
}

static void vgpu_drm_sync_add(struct drm_vgpu_sync *syncs, uint32_t *count, bool *overflow, uint32_t handle,
                              uint64_t point)
{
	if (*count == VGPU_DRM_JOB_MAX_SYNCS) {
		*overflow = true;
		return;
	}
	syncs[(*count)++] = (struct drm_vgpu_sync){.handle = handle, .point = point};
}

void vgpu_drm_job_wait_syncobj(struct vgpu_drm_job *job, uint32_t handle, uint64_t point)
{
	vgpu_drm_sync_add(job->in_syncs, &job->in_sync_count, &job->overflow, handle, point);
}

void vgpu_drm_job_signal_syncobj(struct vgpu_drm_job *job, uint32_t handle, uint64_t point)
{
	vgpu_drm_sync_add(job->out_syncs, &job->out_sync_count, &job->overflow, handle, point);
}

void vgpu_drm_job_wait_fence_fd(struct vgpu_drm_job *job, int fence_fd)
{
	job->flags |= DRM_VGPU_SUBMIT_IN_FENCE_FD;
	job->in_fence_fd = fence_fd;
}

void vgpu_drm_job_want_fence_fd(struct vgpu_drm_job *job)
{
	job->flags |= DRM_VGPU_SUBMIT_OUT_FENCE_FD;
}

int vgpu_drm_job_submit(int fd, const struct vgpu_drm_job *job, struct vgpu_drm_job_result *result)
{
	struct drm_vgpu_submit args = {
	        .cmdbufs = (uintptr_t)job->cmdbufs,
	        .bos = (uintptr_t)job->bos,
	        .in_syncs = (uintptr_t)job->in_syncs,
	        .out_syncs = (uintptr_t)job->out_syncs,
	        .cmdbuf_count = job->cmdbuf_count,
	        .bo_count = job->bo_count,
	        .in_sync_count = job->in_sync_count,
	        .out_sync_count = job->out_sync_count,
	        .flags = job->flags,
	        .in_fence_fd = job->in_fence_fd,
	        .out_fence_fd = -1,
	};
	int ret;

	if (job->overflow)
		return -E2BIG;
	ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_SUBMIT, &args);
	if (result)
		*result = (struct vgpu_drm_job_result){.seqno = ret ? 0 : args.seqno,
		                                       .fence_fd = ret ? -1 : args.out_fence_fd};
	return ret;
}

int vgpu_drm_fence_fd_wait(int fence_fd, int timeout_ms, int *status)
{
	struct pollfd pfd = {.fd = fence_fd, .events = POLLIN};
	struct sync_file_info info = {0};
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret == -1 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	if (status) {
		if (ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info))
			return -errno;
		*status = info.status;
	}
	return 0;
}
