/* SPDX-License-Identifier: MIT */
/*
 * vgpu_drm.h: the contract between vgpu.ko and user space (the Mesa driver, tests, tools).
 *
 * Versioning: DRM_IOCTL_VERSION reports DRM_VGPU_VERSION_MAJOR.DRM_VGPU_VERSION_MINOR. A new minor
 * only adds (ioctls, params, flags); user space checks the major and probes for what it needs: an
 * unknown param or a non-zero reserved field fails with EINVAL, so a newer user space learns at
 * once that this kernel lacks a feature.
 */
#ifndef VGPU_DRM_H
#define VGPU_DRM_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VGPU_VERSION_MAJOR 1
#define DRM_VGPU_VERSION_MINOR 2

#define DRM_VGPU_GET_PARAM 0x00
#define DRM_VGPU_GEM_CREATE 0x01
#define DRM_VGPU_GEM_INFO 0x02
#define DRM_VGPU_VM_BIND 0x03
#define DRM_VGPU_SUBMIT 0x04
#define DRM_VGPU_WAIT_BO 0x05
#define DRM_VGPU_GET_FAULT 0x06

/* Parameters of DRM_IOCTL_VGPU_GET_PARAM. 0 is never a parameter. */
enum drm_vgpu_param {
	/* The device's VERSION register: major << 16 | minor of docs/hw-spec.md. */
	DRM_VGPU_PARAM_DEVICE_VERSION = 1,
	/* The device's CAPS register: VGPU_CAP_* of vgpu_hw.h (2D, 3D, display, cursor, ...). */
	DRM_VGPU_PARAM_CAPS = 2,
	/* VRAM size in bytes. */
	DRM_VGPU_PARAM_VRAM_SIZE = 3,
	/* Largest width or height of any surface, texture or scanout. */
	DRM_VGPU_PARAM_MAX_SURFACE_DIM = 4,
	/* Lanes per warp of the shader core. */
	DRM_VGPU_PARAM_WARP_LANES = 5,
	/* Vertical refresh of the display in millihertz. */
	DRM_VGPU_PARAM_REFRESH_MHZ = 6,
};

/**
 * struct drm_vgpu_get_param - DRM_IOCTL_VGPU_GET_PARAM
 * @param: in, one of enum drm_vgpu_param; anything else fails with EINVAL
 * @pad: in, must be 0 (EINVAL otherwise)
 * @value: out
 */
struct drm_vgpu_get_param {
	__u32 param;
	__u32 pad;
	__u64 value;
};

#define DRM_IOCTL_VGPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_GET_PARAM, struct drm_vgpu_get_param)

/*
 * Command submission (minor 1). Every open file of the render or primary node has its own GPU
 * address space (39-bit VAs, hw-spec 4.2) with page tables only the kernel writes: user space
 * places buffer objects at VAs of its choice with VM_BIND and submits jobs made of indirect buffers
 * in that address space. A job completes with a fence; faults of a job are reported to its own file
 * (GET_FAULT and the fence's error status), never to others.
 */

/*
 * Minor 2: the buffer object lives in guest system memory instead of VRAM. The device reaches its
 * pages by bus address (SYSMEM page-table entries); the CPU maps them cached. Such objects can be
 * mapped with VM_BIND and listed in jobs, and shared with PRIME (DRM_IOCTL_PRIME_HANDLE_TO_FD /
 * FD_TO_HANDLE); they cannot be framebuffers (ADDFB: EINVAL). VRAM objects cannot be exported
 * (PRIME_HANDLE_TO_FD: EOPNOTSUPP). An imported dma-buf, of this device or another, is a
 * system-memory object.
 */
#define DRM_VGPU_GEM_CREATE_SYSMEM (1u << 0)
/**
 * struct drm_vgpu_gem_create - DRM_IOCTL_VGPU_GEM_CREATE: a buffer object in VRAM or system memory
 * @size: in, bytes, rounded up to pages; 0 fails with EINVAL; a VRAM object larger than the VRAM
 *        with ENOMEM
 * @flags: in, DRM_VGPU_GEM_CREATE_SYSMEM (minor 2) or 0 (VRAM); other bits: EINVAL
 * @handle: out, the GEM handle
 */
struct drm_vgpu_gem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_vgpu_gem_info - DRM_IOCTL_VGPU_GEM_INFO
 * @handle: in; unknown: ENOENT
 * @pad: in, must be 0
 * @size: out, bytes
 * @mmap_offset: out, the offset to pass to mmap() on the DRM fd for a CPU mapping
 */
struct drm_vgpu_gem_info {
	__u32 handle;
	__u32 pad;
	__u64 size;
	__u64 mmap_offset;
};

#define DRM_VGPU_VM_BIND_MAP 1
#define DRM_VGPU_VM_BIND_UNMAP 2
/* MAP only: the GPU may read but not write the buffer (writes fault with MMU_READ_ONLY). */
#define DRM_VGPU_VM_BIND_READ_ONLY (1u << 0)

/* The GPU address space of a file: VAs below 2^39. */
#define DRM_VGPU_VA_BITS 39

/**
 * struct drm_vgpu_vm_bind - DRM_IOCTL_VGPU_VM_BIND: map or unmap a whole buffer object
 * @op: in, DRM_VGPU_VM_BIND_MAP or _UNMAP
 * @handle: in, MAP: the buffer object (ENOENT if unknown); UNMAP: must be 0
 * @va: in, page-aligned; MAP: the range [va, va + size) must be free (EBUSY) and below 2^39
 *      (EINVAL); UNMAP: the VA a MAP used (ENOENT otherwise)
 * @flags: in, MAP: DRM_VGPU_VM_BIND_READ_ONLY; UNMAP: 0
 * @pad: in, must be 0
 *
 * A mapped buffer stays where it is (VRAM or system memory) until unmapped. UNMAP waits for the
 * file's submitted jobs to finish.
 */
struct drm_vgpu_vm_bind {
	__u32 op;
	__u32 handle;
	__u64 va;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_vgpu_cmdbuf - one indirect buffer of a job (hw-spec 5.2)
 * @va: 4-byte aligned VA in the file's address space
 * @size_dwords: 1 .. 2^20
 * @pad: must be 0
 */
struct drm_vgpu_cmdbuf {
	__u64 va;
	__u32 size_dwords;
	__u32 pad;
};

/* The job writes the buffer: later readers and writers wait for it; else only later writers do. */
#define DRM_VGPU_SUBMIT_BO_WRITE (1u << 0)

/**
 * struct drm_vgpu_submit_bo - a buffer object the job uses, for implicit synchronisation
 * @handle: a GEM handle of the file (ENOENT otherwise), listed once per job (EINVAL otherwise)
 * @flags: DRM_VGPU_SUBMIT_BO_WRITE
 */
struct drm_vgpu_submit_bo {
	__u32 handle;
	__u32 flags;
};

/**
 * struct drm_vgpu_sync - a syncobj to wait for before the job, or to signal with its completion
 * @handle: syncobj handle (ENOENT otherwise)
 * @flags: must be 0
 * @point: timeline point; 0 for a binary syncobj
 */
struct drm_vgpu_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

#define DRM_VGPU_SUBMIT_MAX_CMDBUFS 16
#define DRM_VGPU_SUBMIT_MAX_BOS 4096
#define DRM_VGPU_SUBMIT_MAX_SYNCS 256

/*
 * The DRM core's syncobj ioctls that take an array of handles (SYNCOBJ_WAIT, TIMELINE_WAIT, RESET,
 * SIGNAL, TIMELINE_SIGNAL, QUERY) fail with EINVAL on a vgpu node when count_handles is larger: the
 * core allocates the whole array before looking at it (docs/kernel.md, "Checks at the ioctl
 * boundary").
 */
#define DRM_VGPU_SYNCOBJ_MAX_HANDLES 16384

/* in_fence_fd is a sync_file the job waits for. */
#define DRM_VGPU_SUBMIT_IN_FENCE_FD (1u << 0)
/* out_fence_fd returns a new sync_file that signals when the job completes. */
#define DRM_VGPU_SUBMIT_OUT_FENCE_FD (1u << 1)

/**
 * struct drm_vgpu_submit - DRM_IOCTL_VGPU_SUBMIT: queue a job on the GPU
 * @cmdbufs: in, user pointer to @cmdbuf_count struct drm_vgpu_cmdbuf (1 .. SUBMIT_MAX_CMDBUFS)
 * @bos: in, user pointer to @bo_count struct drm_vgpu_submit_bo (0 .. SUBMIT_MAX_BOS)
 * @in_syncs: in, user pointer to @in_sync_count struct drm_vgpu_sync to wait for
 * @out_syncs: in, user pointer to @out_sync_count struct drm_vgpu_sync to signal
 * @cmdbuf_count, @bo_count, @in_sync_count, @out_sync_count: in; over the limits: EINVAL
 * @flags: in, DRM_VGPU_SUBMIT_*; unknown bits: EINVAL
 * @in_fence_fd: in, with SUBMIT_IN_FENCE_FD: a sync_file fd (EINVAL if not one)
 * @out_fence_fd: out, with SUBMIT_OUT_FENCE_FD: a sync_file fd
 * @pad: in, must be 0
 * @seqno: out, the job's number in the file (1, 2, ...): GET_FAULT names faulting jobs by it
 *
 * Unreadable user pointers: EFAULT. The job's fence completes with an error status when the job
 * faulted (EIO) or was cancelled by a GPU reset after exceeding its time (ECANCELED, ETIMEDOUT).
 */
struct drm_vgpu_submit {
	__u64 cmdbufs;
	__u64 bos;
	__u64 in_syncs;
	__u64 out_syncs;
	__u32 cmdbuf_count;
	__u32 bo_count;
	__u32 in_sync_count;
	__u32 out_sync_count;
	__u32 flags;
	__s32 in_fence_fd;
	__s32 out_fence_fd;
	__u32 pad;
	__u64 seqno;
};

/* Wait only for writers of the buffer; by default readers too. */
#define DRM_VGPU_WAIT_BO_WRITERS (1u << 0)

/**
 * struct drm_vgpu_wait_bo - DRM_IOCTL_VGPU_WAIT_BO: wait until the GPU is done with a buffer
 * @handle: in; unknown: ENOENT
 * @flags: in, DRM_VGPU_WAIT_BO_WRITERS; others: EINVAL
 * @timeout_ns: in, absolute CLOCK_MONOTONIC time; 0 polls. Still busy at the timeout: ETIMEDOUT
 *              (EBUSY when polling)
 */
struct drm_vgpu_wait_bo {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
};

/**
 * struct drm_vgpu_get_fault - DRM_IOCTL_VGPU_GET_FAULT: the faults of this file's jobs
 * @count: out, faults of this file's jobs since it was opened (wraps)
 * @type: out, the last fault's code (VGPU_FAULT_* of vgpu_hw.h), 0 if none
 * @info: out, its FAULT_INFO (opcode, write, engine)
 * @addr: out, its FAULT_ADDR (VA, header dword or field index, as hw-spec 8.1 says)
 * @seqno: out, the submit seqno of the job that faulted
 * @ib_pos: out, dword offset of the faulting packet in its indirect buffer
 * @pad: in, must be 0
 */
struct drm_vgpu_get_fault {
	__u32 count;
	__u32 type;
	__u32 info;
	__u32 ib_pos;
	__u64 addr;
	__u64 seqno;
	__u32 pad;
	__u32 pad2;
};

#define DRM_IOCTL_VGPU_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_GEM_CREATE, struct drm_vgpu_gem_create)
#define DRM_IOCTL_VGPU_GEM_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_GEM_INFO, struct drm_vgpu_gem_info)
#define DRM_IOCTL_VGPU_VM_BIND DRM_IOW(DRM_COMMAND_BASE + DRM_VGPU_VM_BIND, struct drm_vgpu_vm_bind)
#define DRM_IOCTL_VGPU_SUBMIT DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_SUBMIT, struct drm_vgpu_submit)
#define DRM_IOCTL_VGPU_WAIT_BO DRM_IOW(DRM_COMMAND_BASE + DRM_VGPU_WAIT_BO, struct drm_vgpu_wait_bo)
#define DRM_IOCTL_VGPU_GET_FAULT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VGPU_GET_FAULT, struct drm_vgpu_get_fault)

#if defined(__cplusplus)
}
#endif

#endif /* VGPU_DRM_H */
