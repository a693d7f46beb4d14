/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>

#include "util/u_debug.h"
#include "util/u_inlines.h"
#include "util/u_memory.h"
#include "util/u_upload_mgr.h"

#include "vgpu_context.h"
#include "vgpu_fence.h"
#include "vgpu_resource.h"
#include "vgpu_screen.h"

static void
vgpu_context_flush(struct pipe_context *pctx, struct pipe_fence_handle **fence, unsigned flags)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   vgpu_job_flush(ctx);
   if (fence)
      *fence = vgpu_fence_create_from_syncobj(ctx);
}

static void
vgpu_context_destroy(struct pipe_context *pctx)
{
   struct vgpu_context *ctx = vgpu_context(pctx);
   struct vgpu_screen *screen = vgpu_screen(pctx->screen);

   vgpu_job_fini(ctx);
   vgpu_state_fini(ctx);
   if (pctx->stream_uploader)
      u_upload_destroy(pctx->stream_uploader);
   if (ctx->syncobj)
      drmSyncobjDestroy(screen->fd, ctx->syncobj);
   slab_destroy_child(&ctx->transfer_pool);
   if (debug_get_bool_option("VGPU_DEBUG_BO", false))
      fprintf(stderr, "vgpu: %u buffer objects alive after the context\n", screen->bo_count);
   FREE(ctx);
}

struct pipe_context *
vgpu_context_create(struct pipe_screen *pscreen, void *priv, unsigned flags)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);
   struct vgpu_context *ctx = CALLOC_STRUCT(vgpu_context);
   if (!ctx)
      return NULL;

   ctx->base.screen = pscreen;
   ctx->base.priv = priv;
   ctx->in_fence_fd = -1;
   ctx->debug_sync = debug_get_bool_option("VGPU_DEBUG_SYNC", false);
   /* Signalled from the start, so a fence exported before the first job is already done. */
   if (drmSyncobjCreate(screen->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &ctx->syncobj)) {
      FREE(ctx);
      return NULL;
   }
   slab_create_child(&ctx->transfer_pool, &screen->transfer_pool);

   ctx->base.destroy = vgpu_context_destroy;
   ctx->base.flush = vgpu_context_flush;
   ctx->base.stream_uploader = u_upload_create_default(&ctx->base);
   if (!ctx->base.stream_uploader) {
      vgpu_context_destroy(&ctx->base);
      return NULL;
   }
   ctx->base.const_uploader = ctx->base.stream_uploader;

   vgpu_resource_context_init(ctx);
   vgpu_state_init(ctx);
   vgpu_blit_init(ctx);
   vgpu_fence_context_init(ctx);
   return &ctx->base;
}
