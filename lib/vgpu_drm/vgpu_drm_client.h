/* SPDX-License-Identifier: MIT */
/*
 * libvgpu_drm: the user-space side of vgpu.ko's command submission (docs/kernel.md). Buffer objects
 * with CPU mappings and GPU addresses, command buffers written with vgpu_pkt.h into such a buffer, and
 * jobs collected into one DRM_IOCTL_VGPU_SUBMIT. Every function returns 0 or a negative errno; none
 * prints or exits, so a driver (the Mesa winsys) and the tests share it.
 */
#ifndef VGPU_DRM_CLIENT_H
#define VGPU_DRM_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "drm/vgpu_drm.h"
#include "vgpu/vgpu_pkt.h"

/* The ioctl with EINTR/EAGAIN retried: 0 or -errno. */
int vgpu_drm_ioctl(int fd, unsigned long request, void *arg);

/* Opens the first DRM node of `kind` ("card": /dev/dri/card0.., or "renderD": /dev/dri/renderD128..) whose
 * kernel driver is named `driver` ("vgpu" for vgpu.ko): a file descriptor, or -ENODEV when there is none. */
int vgpu_drm_open_node(const char *kind, const char *driver);

struct vgpu_drm_bo {
	uint32_t handle;
	uint64_t size;
	void *map;   /* CPU mapping, NULL until vgpu_drm_bo_map */
	uint64_t va; /* GPU address, 0 when not bound */
};

int vgpu_drm_bo_create(int fd, uint64_t size, struct vgpu_drm_bo *bo);
int vgpu_drm_bo_map(int fd, struct vgpu_drm_bo *bo);
/* Binds the whole buffer at va in the file's GPU address space; flags: DRM_VGPU_VM_BIND_READ_ONLY. */
int vgpu_drm_bo_bind(int fd, struct vgpu_drm_bo *bo, uint64_t va, uint32_t flags);
int vgpu_drm_bo_unbind(int fd, struct vgpu_drm_bo *bo);
/* Unbinds, unmaps and closes the handle; the first error is returned, the rest is still done. */
int vgpu_drm_bo_destroy(int fd, struct vgpu_drm_bo *bo);
/* Waits until the GPU is done with the buffer (writers only: DRM_VGPU_WAIT_BO_WRITERS); timeout_ns is
 * relative, 0 polls. */
int vgpu_drm_bo_wait(int fd, const struct vgpu_drm_bo *bo, uint32_t flags, int64_t timeout_ns);

/* A packet stream written into a bound, mapped buffer object: the packets of vgpu_pkt.h. */
struct vgpu_drm_cmdstream {
	struct vgpu_drm_bo *bo;
	struct vgpu_cmdbuf cb;
};

void vgpu_drm_cmdstream_init(struct vgpu_drm_cmdstream *cs, struct vgpu_drm_bo *bo);

#define VGPU_DRM_JOB_MAX_BOS   64
#define VGPU_DRM_JOB_MAX_SYNCS 16

/* One job being assembled: command buffers, the buffers it uses, syncobjs and sync_files. */
struct vgpu_drm_job {
	struct drm_vgpu_cmdbuf cmdbufs[DRM_VGPU_SUBMIT_MAX_CMDBUFS];
	struct drm_vgpu_submit_bo bos[VGPU_DRM_JOB_MAX_BOS];
	struct drm_vgpu_sync in_syncs[VGPU_DRM_JOB_MAX_SYNCS], out_syncs[VGPU_DRM_JOB_MAX_SYNCS];
	uint32_t cmdbuf_count, bo_count, in_sync_count, out_sync_count;
	uint32_t flags;
	int32_t in_fence_fd;
	bool overflow; /* something did not fit: vgpu_drm_job_submit fails with -E2BIG */
};

void vgpu_drm_job_init(struct vgpu_drm_job *job);
/* The packets of cs so far, as one command buffer; cs->bo is added to the buffers (read). */
void vgpu_drm_job_add_cmdstream(struct vgpu_drm_job *job, const struct vgpu_drm_cmdstream *cs);
void vgpu_drm_job_add_cmdbuf(struct vgpu_drm_job *job, uint64_t va, uint32_t size_dwords);
void vgpu_drm_job_add_bo(struct vgpu_drm_job *job, const struct vgpu_drm_bo *bo, bool write);
void vgpu_drm_job_wait_syncobj(struct vgpu_drm_job *job, uint32_t handle, uint64_t point);
void vgpu_drm_job_signal_syncobj(struct vgpu_drm_job *job, uint32_t handle, uint64_t point);
void vgpu_drm_job_wait_fence_fd(struct vgpu_drm_job *job, int fence_fd);
void vgpu_drm_job_want_fence_fd(struct vgpu_drm_job *job);

struct vgpu_drm_job_result {
	uint64_t seqno;
	int fence_fd; /* with vgpu_drm_job_want_fence_fd: a sync_file the caller closes; else -1 */
};

int vgpu_drm_job_submit(int fd, const struct vgpu_drm_job *job, struct vgpu_drm_job_result *result);

/* Waits for a sync_file fd to signal; its status then: 1 done, negative errno the job's error. */
int vgpu_drm_fence_fd_wait(int fence_fd, int timeout_ms, int *status);

#endif /* VGPU_DRM_CLIENT_H */
