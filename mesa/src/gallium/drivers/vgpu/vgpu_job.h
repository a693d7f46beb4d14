/* SPDX-License-Identifier: MIT */
#ifndef VGPU_JOB_H
#define VGPU_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "util/hash_table.h"
#include "vgpu/vgpu_pkt.h"

struct vgpu_context;
struct vgpu_bo;

/* Dwords of one indirect buffer (a 64 KiB object); a job that needs more is submitted and a new one
 * started. */
#define VGPU_JOB_IB_DWORDS (16 * 1024)

/* The packets a context has recorded since its last submit: one indirect buffer, the objects it uses
 * (with whether it writes them) for SUBMIT's list. */
struct vgpu_job {
   struct vgpu_bo *ib;
   struct vgpu_cmdbuf cb;
   struct hash_table *bos; /* struct vgpu_bo * -> (uintptr_t) DRM_VGPU_SUBMIT_BO_WRITE or 0 */
   /* State set in this IB: hw-spec 10 keeps no state across jobs, so every IB sets what it uses. */
   bool framebuffer_emitted;
};

/* Room for `dwords` more in the current job, starting a new one (submitting a full one) if needed. NULL
 * only when no IB could be allocated. */
struct vgpu_cmdbuf *vgpu_job_begin(struct vgpu_context *ctx, uint32_t dwords);
void vgpu_job_use_bo(struct vgpu_context *ctx, struct vgpu_bo *bo, bool write);
bool vgpu_job_uses_bo(struct vgpu_context *ctx, struct vgpu_bo *bo);
/* Submit the current job, if it has packets; the context's syncobj then signals its completion. */
void vgpu_job_flush(struct vgpu_context *ctx);
void vgpu_job_fini(struct vgpu_context *ctx);

#endif
