/* SPDX-License-Identifier: MIT */
/*
 * Jobs: packets go into an indirect buffer object; SUBMIT hands the IB, the list of objects (for implicit
 * synchronisation with other users, e.g. the display) and the context's syncobj to the kernel. The IB
 * starts with the state it needs (vgpu_emit.c) because state does not survive jobs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drm-uapi/vgpu_drm.h"
#include "util/u_debug.h"
#include "util/u_dynarray.h"
#include "util/u_memory.h"

#include "vgpu_bo.h"
#include "vgpu_context.h"
#include "vgpu_job.h"
#include "vgpu_screen.h"

static bool
vgpu_job_start(struct vgpu_context *ctx)
{
   struct vgpu_job *job = &ctx->job;

   job->ib = vgpu_bo_create(vgpu_screen(ctx->base.screen), VGPU_JOB_IB_DWORDS * 4);
   uint32_t *map = job->ib ? vgpu_bo_map(job->ib) : NULL;
   if (!map) {
      vgpu_bo_unreference(job->ib);
      job->ib = NULL;
      return false;
   }
   job->cb = (struct vgpu_cmdbuf)VGPU_CMDBUF_INIT(map, VGPU_JOB_IB_DWORDS);
   if (!job->bos)
      job->bos = _mesa_pointer_hash_table_create(NULL);
   job->framebuffer_emitted = false;
   vgpu_job_use_bo(ctx, job->ib, false);
   return true;
}

struct vgpu_cmdbuf *
vgpu_job_begin(struct vgpu_context *ctx, uint32_t dwords)
{
   struct vgpu_job *job = &ctx->job;

   if (job->ib && job->cb.capacity - job->cb.count < dwords)
      vgpu_job_flush(ctx);
   if (!job->ib && !vgpu_job_start(ctx))
      return NULL;
   return &job->cb;
}

void
vgpu_job_use_bo(struct vgpu_context *ctx, struct vgpu_bo *bo, bool write)
{
   struct hash_entry *entry = _mesa_hash_table_search(ctx->job.bos, bo);
   uintptr_t flags = write ? DRM_VGPU_SUBMIT_BO_WRITE : 0;

   if (entry) {
      entry->data = (void *)((uintptr_t)entry->data | flags);
      return;
   }
   vgpu_bo_reference(bo);
   _mesa_hash_table_insert(ctx->job.bos, bo, (void *)flags);
}

bool
vgpu_job_uses_bo(struct vgpu_context *ctx, struct vgpu_bo *bo)
{
   return ctx->job.ib && _mesa_hash_table_search(ctx->job.bos, bo);
}

static void
vgpu_job_release(struct vgpu_context *ctx)
{
   struct vgpu_job *job = &ctx->job;

   hash_table_foreach(job->bos, entry)
      vgpu_bo_unreference((struct vgpu_bo *)entry->key);
   _mesa_hash_table_clear(job->bos, NULL);
   /* The job's list held the IB too. */
   vgpu_bo_unreference(job->ib);
   job->ib = NULL;
}

static void
vgpu_job_report_fault(struct vgpu_context *ctx, uint64_t seqno)
{
   struct vgpu_screen *screen = vgpu_screen(ctx->base.screen);
   struct drm_vgpu_get_fault fault = {0};

   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_GET_FAULT, &fault) || fault.count == ctx->fault_count)
      return;
   ctx->fault_count = fault.count;
   fprintf(stderr, "vgpu: job %llu faulted: type 0x%x info 0x%x addr 0x%llx at IB dword %u\n",
           (unsigned long long)fault.seqno, fault.type, fault.info, (unsigned long long)fault.addr,
           fault.ib_pos);
}

void
vgpu_job_flush(struct vgpu_context *ctx)
{
   struct vgpu_screen *screen = vgpu_screen(ctx->base.screen);
   struct vgpu_job *job = &ctx->job;

   if (!job->ib)
      return;
   /* The IB holds nothing but what vgpu_job_begin's callers wrote. */
   if (job->cb.count == 0 || job->cb.overflow) {
      if (job->cb.overflow)
         fprintf(stderr, "vgpu: an indirect buffer overflowed; its packets are dropped (driver bug)\n");
      vgpu_job_release(ctx);
      return;
   }

   struct util_dynarray bos;
   util_dynarray_init(&bos, NULL);
   hash_table_foreach(job->bos, entry) {
      struct drm_vgpu_submit_bo sbo = {
         .handle = ((struct vgpu_bo *)entry->key)->handle,
         .flags = (uint32_t)(uintptr_t)entry->data,
      };
      util_dynarray_append(&bos, struct drm_vgpu_submit_bo, sbo);
   }
   struct drm_vgpu_cmdbuf cmdbuf = {.va = job->ib->va, .size_dwords = job->cb.count};
   struct drm_vgpu_sync out_sync = {.handle = ctx->syncobj};
   struct drm_vgpu_submit submit = {
      .cmdbufs = (uintptr_t)&cmdbuf,
      .cmdbuf_count = 1,
      .bos = (uintptr_t)bos.data,
      .bo_count = util_dynarray_num_elements(&bos, struct drm_vgpu_submit_bo),
      .out_syncs = (uintptr_t)&out_sync,
      .out_sync_count = 1,
   };
   if (ctx->in_fence_fd >= 0) {
      submit.flags |= DRM_VGPU_SUBMIT_IN_FENCE_FD;
      submit.in_fence_fd = ctx->in_fence_fd;
   }
   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_SUBMIT, &submit))
      fprintf(stderr, "vgpu: SUBMIT failed: %s\n", strerror(errno));
   else if (ctx->debug_sync)
      drmSyncobjWait(screen->fd, &ctx->syncobj, 1, INT64_MAX, 0, NULL);
   if (ctx->in_fence_fd >= 0) {
      close(ctx->in_fence_fd);
      ctx->in_fence_fd = -1;
   }
   vgpu_job_report_fault(ctx, submit.seqno);
   util_dynarray_fini(&bos);
   vgpu_job_release(ctx);
}

void
vgpu_job_fini(struct vgpu_context *ctx)
{
   vgpu_job_flush(ctx);
   if (ctx->job.bos)
      _mesa_hash_table_destroy(ctx->job.bos, NULL);
}
