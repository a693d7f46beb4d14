/* SPDX-License-Identifier: MIT */
/*
 * Resources: one VRAM buffer object each, in the hardware's texture layout; transfers map the object
 * directly (VRAM is CPU-mappable) after the jobs using it are done. Handles: KMS GEM handles of the same
 * fd (vc4's rule: the screen's fd does KMS too) and dma-buf fds through PRIME.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>

#include "drm-uapi/drm_fourcc.h"
#include "frontend/winsys_handle.h"
#include "util/format/u_format.h"
#include "util/os_time.h"
#include "util/u_inlines.h"
#include "util/u_math.h"
#include "util/u_memory.h"
#include "util/u_surface.h"
#include "util/u_transfer.h"
#include "vgpu/vgpu_pkt.h"

#include "vgpu_context.h"
#include "vgpu_job.h"
#include "vgpu_resource.h"
#include "vgpu_screen.h"

/* Lays out the levels; returns the object size. */
static uint64_t
vgpu_resource_layout(struct vgpu_resource *rsc, uint32_t stride0)
{
   struct pipe_resource *prsc = &rsc->base;

   if (prsc->target == PIPE_BUFFER)
      return prsc->width0;

   unsigned faces = prsc->target == PIPE_TEXTURE_CUBE ? 6 : 1;
   unsigned bpp = util_format_get_blocksize(prsc->format);
   uint64_t offset = 0;
   for (unsigned level = 0; level <= prsc->last_level; level++) {
      struct vgpu_resource_level *l = &rsc->levels[level];
      unsigned width = u_minify(prsc->width0, level), height = u_minify(prsc->height0, level);
      l->offset = align64(offset, 4);
      l->stride = level == 0 && stride0 ? stride0 : align(width * bpp, 4);
      l->face_size = l->stride * height;
      offset = l->offset + (uint64_t)l->face_size * faces;
   }
   return offset;
}

void
vgpu_resource_surface(struct vgpu_resource *rsc, unsigned level, unsigned layer, uint32_t hw_format,
                      struct vgpu_pkt_surface *surface)
{
   const struct vgpu_resource_level *l = &rsc->levels[level];
   surface->va = rsc->bo->va + l->offset + (uint64_t)layer * l->face_size;
   surface->pitch = l->stride;
   surface->format = hw_format;
}

static struct pipe_resource *
vgpu_resource_create(struct pipe_screen *pscreen, const struct pipe_resource *templ)
{
   struct vgpu_resource *rsc = CALLOC_STRUCT(vgpu_resource);
   if (!rsc)
      return NULL;
   rsc->base = *templ;
   rsc->base.screen = pscreen;
   pipe_reference_init(&rsc->base.reference, 1);
   if (rsc->base.last_level >= VGPU_MAX_LEVELS) {
      FREE(rsc);
      return NULL;
   }
   uint64_t size = vgpu_resource_layout(rsc, 0);
   rsc->bo = vgpu_bo_create(vgpu_screen(pscreen), size);
   if (!rsc->bo) {
      FREE(rsc);
      return NULL;
   }
   return &rsc->base;
}

static void
vgpu_resource_destroy(struct pipe_screen *pscreen, struct pipe_resource *prsc)
{
   struct vgpu_resource *rsc = vgpu_resource(prsc);
   vgpu_bo_unreference(rsc->bo);
   FREE(rsc);
}

static struct pipe_resource *
vgpu_resource_from_handle(struct pipe_screen *pscreen, const struct pipe_resource *templ,
                          struct winsys_handle *whandle, unsigned usage)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);
   uint32_t handle;
   bool owns_handle;

   switch (whandle->type) {
   case WINSYS_HANDLE_TYPE_KMS:
      handle = whandle->handle;
      owns_handle = false;
      break;
   case WINSYS_HANDLE_TYPE_FD:
      if (drmPrimeFDToHandle(screen->fd, whandle->handle, &handle)) {
         fprintf(stderr, "vgpu: cannot import a dma-buf: %s\n", strerror(errno));
         return NULL;
      }
      owns_handle = true;
      break;
   default:
      return NULL;
   }
   if (templ->last_level != 0 || templ->target == PIPE_TEXTURE_CUBE)
      return NULL;

   struct vgpu_resource *rsc = CALLOC_STRUCT(vgpu_resource);
   if (!rsc)
      return NULL;
   rsc->base = *templ;
   rsc->base.screen = pscreen;
   pipe_reference_init(&rsc->base.reference, 1);
   uint64_t size = vgpu_resource_layout(rsc, whandle->stride);
   rsc->levels[0].offset = whandle->offset;
   rsc->bo = vgpu_bo_import(screen, handle, owns_handle);
   if (!rsc->bo || whandle->offset + size > rsc->bo->size) {
      if (rsc->bo)
         vgpu_bo_unreference(rsc->bo);
      FREE(rsc);
      return NULL;
   }
   return &rsc->base;
}

static bool
vgpu_resource_get_handle(struct pipe_screen *pscreen, struct pipe_context *pctx,
                         struct pipe_resource *prsc, struct winsys_handle *whandle, unsigned usage)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);
   struct vgpu_resource *rsc = vgpu_resource(prsc);

   whandle->stride = rsc->levels[0].stride;
   whandle->offset = rsc->levels[0].offset;
   whandle->modifier = DRM_FORMAT_MOD_LINEAR;
   switch (whandle->type) {
   case WINSYS_HANDLE_TYPE_KMS:
      whandle->handle = rsc->bo->handle;
      return true;
   case WINSYS_HANDLE_TYPE_FD: {
      /* VRAM objects cannot be exported (vgpu.ko: EOPNOTSUPP); shared buffers need system memory,
       * which this driver does not allocate yet. */
      int fd;
      if (drmPrimeHandleToFD(screen->fd, rsc->bo->handle, DRM_CLOEXEC | DRM_RDWR, &fd))
         return false;
      whandle->handle = fd;
      return true;
   }
   default:
      return false;
   }
}

static void *
vgpu_resource_map(struct pipe_context *pctx, struct pipe_resource *prsc, unsigned level, unsigned usage,
                  const struct pipe_box *box, struct pipe_transfer **ptransfer)
{
   struct vgpu_context *ctx = vgpu_context(pctx);
   struct vgpu_screen *screen = vgpu_screen(pctx->screen);
   struct vgpu_resource *rsc = vgpu_resource(prsc);

   if (!(usage & PIPE_MAP_UNSYNCHRONIZED)) {
      /* Our own pending packets first, then whatever the GPU still does with it. */
      if (vgpu_job_uses_bo(ctx, rsc->bo))
         vgpu_job_flush(ctx);
      if (!vgpu_bo_wait(rsc->bo, (usage & PIPE_MAP_DONTBLOCK) ? 0 : OS_TIMEOUT_INFINITE,
                        !(usage & PIPE_MAP_WRITE)))
         return NULL;
   }
   uint8_t *map = vgpu_bo_map(rsc->bo);
   if (!map)
      return NULL;

   struct vgpu_transfer *trans = slab_zalloc(&ctx->transfer_pool);
   if (!trans)
      return NULL;
   pipe_resource_reference(&trans->base.resource, prsc);
   trans->base.level = level;
   trans->base.usage = usage;
   trans->base.box = *box;
   *ptransfer = &trans->base;

   if (prsc->target == PIPE_BUFFER)
      return map + box->x;

   const struct vgpu_resource_level *l = &rsc->levels[level];
   trans->base.stride = l->stride;
   trans->base.layer_stride = l->face_size;
   return map + l->offset + (uint64_t)box->z * l->face_size + (box->y / util_format_get_blockheight(prsc->format)) * l->stride +
          (box->x / util_format_get_blockwidth(prsc->format)) * util_format_get_blocksize(prsc->format);
}

static void
vgpu_resource_unmap(struct pipe_context *pctx, struct pipe_transfer *ptrans)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   pipe_resource_reference(&ptrans->resource, NULL);
   slab_free(&ctx->transfer_pool, ptrans);
}

static void
vgpu_transfer_flush_region(struct pipe_context *pctx, struct pipe_transfer *ptrans, const struct pipe_box *box)
{
   /* Mappings are coherent. */
}

static struct pipe_surface *
vgpu_create_surface(struct pipe_context *pctx, struct pipe_resource *prsc, const struct pipe_surface *templ)
{
   struct pipe_surface *surf = CALLOC_STRUCT(pipe_surface);
   if (!surf)
      return NULL;
   unsigned level = templ->u.tex.level;
   pipe_reference_init(&surf->reference, 1);
   pipe_resource_reference(&surf->texture, prsc);
   surf->context = pctx;
   surf->format = templ->format;
   surf->width = u_minify(prsc->width0, level);
   surf->height = u_minify(prsc->height0, level);
   surf->u.tex.level = level;
   surf->u.tex.first_layer = templ->u.tex.first_layer;
   surf->u.tex.last_layer = templ->u.tex.last_layer;
   return surf;
}

static void
vgpu_surface_destroy(struct pipe_context *pctx, struct pipe_surface *surf)
{
   pipe_resource_reference(&surf->texture, NULL);
   FREE(surf);
}

static void
vgpu_flush_resource(struct pipe_context *pctx, struct pipe_resource *prsc)
{
}

static void
vgpu_invalidate_resource(struct pipe_context *pctx, struct pipe_resource *prsc)
{
}

void
vgpu_resource_screen_init(struct vgpu_screen *screen)
{
   screen->base.resource_create = vgpu_resource_create;
   screen->base.resource_destroy = vgpu_resource_destroy;
   screen->base.resource_from_handle = vgpu_resource_from_handle;
   screen->base.resource_get_handle = vgpu_resource_get_handle;
}

void
vgpu_resource_context_init(struct vgpu_context *ctx)
{
   ctx->base.buffer_map = vgpu_resource_map;
   ctx->base.texture_map = vgpu_resource_map;
   ctx->base.buffer_unmap = vgpu_resource_unmap;
   ctx->base.texture_unmap = vgpu_resource_unmap;
   ctx->base.transfer_flush_region = vgpu_transfer_flush_region;
   ctx->base.buffer_subdata = u_default_buffer_subdata;
   ctx->base.texture_subdata = u_default_texture_subdata;
   ctx->base.create_surface = vgpu_create_surface;
   ctx->base.surface_destroy = vgpu_surface_destroy;
   ctx->base.flush_resource = vgpu_flush_resource;
   ctx->base.invalidate_resource = vgpu_invalidate_resource;
}
