/* SPDX-License-Identifier: MIT */
/*
 * Clears, copies and blits with the hardware's packets: CLEAR (hw-spec 10.8) for pipe->clear and the
 * clear_render_target / clear_depth_stencil helpers, COPY (6.2) for resource_copy_region, BLIT (6.2) for
 * colour blits with nearest sampling (a y-flipped blit goes row by row). What these cannot do (masked or
 * filtered blits, depth blits between formats) needs the draw path and is reported, not faked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/format/u_format.h"
#include "util/u_math.h"
#include "util/u_surface.h"

#include "vgpu_bo.h"
#include "vgpu_context.h"
#include "vgpu_format.h"
#include "vgpu_resource.h"

/* Dwords of the largest packet group below: render targets, raster, scissor, clear. */
#define VGPU_CLEAR_DWORDS (23 + 4 + 3 + 8)

static bool
vgpu_clip_scissor(const struct pipe_scissor_state *in, unsigned width, unsigned height,
                  struct pipe_scissor_state *out)
{
   out->minx = MIN2(in->minx, width);
   out->miny = MIN2(in->miny, height);
   out->maxx = MIN2(in->maxx, width);
   out->maxy = MIN2(in->maxy, height);
   return out->minx < out->maxx && out->miny < out->maxy;
}

static void
vgpu_emit_clear(struct vgpu_context *ctx, const struct pipe_framebuffer_state *fb,
                const struct pipe_scissor_state *scissor, uint32_t targets, const float rgba[4], float depth,
                unsigned stencil)
{
   struct pipe_scissor_state clipped;

   if (!fb->width || !fb->height || (scissor && !vgpu_clip_scissor(scissor, fb->width, fb->height, &clipped)))
      return;
   struct vgpu_cmdbuf *cb = vgpu_job_begin(ctx, VGPU_CLEAR_DWORDS);
   if (!cb)
      return;
   vgpu_emit_render_targets(ctx, cb, fb);
   ctx->job.framebuffer_emitted = fb == &ctx->framebuffer;
   vgpu_emit_scissor(ctx, cb, scissor ? &clipped : NULL);
   vgpu_pkt_clear(cb, targets, rgba, depth, stencil);
}

static void
vgpu_clear(struct pipe_context *pctx, unsigned buffers, const struct pipe_scissor_state *scissor_state,
           const union pipe_color_union *color, double depth, unsigned stencil)
{
   struct vgpu_context *ctx = vgpu_context(pctx);
   const struct pipe_framebuffer_state *fb = &ctx->framebuffer;
   uint32_t targets = 0;

   for (unsigned i = 0; i < MIN2(fb->nr_cbufs, VGPU_MAX_RENDER_TARGETS); i++) {
      if ((buffers & (PIPE_CLEAR_COLOR0 << i)) && fb->cbufs[i])
         targets |= 1u << i;
   }
   if (fb->zsbuf && (buffers & PIPE_CLEAR_DEPTH))
      targets |= 1u << 4;
   if (fb->zsbuf && (buffers & PIPE_CLEAR_STENCIL) && util_format_has_stencil(util_format_description(fb->zsbuf->format)))
      targets |= 1u << 5;
   if (targets)
      vgpu_emit_clear(ctx, fb, scissor_state, targets, color->f, depth, stencil);
}

static void
vgpu_clear_surface(struct vgpu_context *ctx, struct pipe_surface *dst, bool depth_stencil, uint32_t targets,
                   const float rgba[4], float depth, unsigned stencil, unsigned x, unsigned y, unsigned width,
                   unsigned height)
{
   struct pipe_framebuffer_state fb = {
      .width = dst->width,
      .height = dst->height,
      .nr_cbufs = depth_stencil ? 0 : 1,
      .cbufs = {depth_stencil ? NULL : dst},
      .zsbuf = depth_stencil ? dst : NULL,
   };
   struct pipe_scissor_state rect = {.minx = x, .miny = y, .maxx = x + width, .maxy = y + height};

   vgpu_emit_clear(ctx, &fb, &rect, targets, rgba, depth, stencil);
}

static void
vgpu_clear_render_target(struct pipe_context *pctx, struct pipe_surface *dst, const union pipe_color_union *color,
                         unsigned x, unsigned y, unsigned width, unsigned height, bool render_condition_enabled)
{
   vgpu_clear_surface(vgpu_context(pctx), dst, false, 1, color->f, 0, 0, x, y, width, height);
}

static void
vgpu_clear_depth_stencil(struct pipe_context *pctx, struct pipe_surface *dst, unsigned clear_flags, double depth,
                         unsigned stencil, unsigned x, unsigned y, unsigned width, unsigned height,
                         bool render_condition_enabled)
{
   static const float zero[4];
   uint32_t targets = (clear_flags & PIPE_CLEAR_DEPTH ? 1u << 4 : 0) |
                      (clear_flags & PIPE_CLEAR_STENCIL ? 1u << 5 : 0);

   if (targets)
      vgpu_clear_surface(vgpu_context(pctx), dst, true, targets, zero, depth, stencil, x, y, width, height);
}

/* A colour format of the same size for bit-exact COPY of any format (depth included). */
static uint32_t
vgpu_copy_format(unsigned blocksize)
{
   switch (blocksize) {
   case 1: return VGPU_FORMAT_R8_UNORM;
   case 2: return VGPU_FORMAT_R8G8_UNORM;
   case 4: return VGPU_FORMAT_R8G8B8A8_UNORM;
   case 8: return VGPU_FORMAT_R16G16B16A16_FLOAT;
   case 16: return VGPU_FORMAT_R32G32B32A32_FLOAT;
   default: return VGPU_FORMAT_NONE;
   }
}

#define VGPU_COPY_ROW_BYTES 16384

static void
vgpu_copy_buffer(struct vgpu_context *ctx, struct vgpu_resource *dst, unsigned dst_offset,
                 struct vgpu_resource *src, unsigned src_offset, unsigned size)
{
   for (unsigned done = 0; done < size; done += VGPU_COPY_ROW_BYTES) {
      unsigned bytes = MIN2(size - done, VGPU_COPY_ROW_BYTES);
      struct vgpu_pkt_surface s = {src->bo->va + src_offset + done, VGPU_COPY_ROW_BYTES, VGPU_FORMAT_R8_UNORM};
      struct vgpu_pkt_surface d = {dst->bo->va + dst_offset + done, VGPU_COPY_ROW_BYTES, VGPU_FORMAT_R8_UNORM};
      struct vgpu_cmdbuf *cb = vgpu_job_begin(ctx, 12);
      if (!cb)
         return;
      vgpu_pkt_copy(cb, &s, 0, 0, &d, 0, 0, bytes, 1);
      vgpu_job_use_bo(ctx, src->bo, false);
      vgpu_job_use_bo(ctx, dst->bo, true);
   }
}

static void
vgpu_resource_copy_region(struct pipe_context *pctx, struct pipe_resource *pdst, unsigned dst_level, unsigned dstx,
                          unsigned dsty, unsigned dstz, struct pipe_resource *psrc, unsigned src_level,
                          const struct pipe_box *src_box)
{
   struct vgpu_context *ctx = vgpu_context(pctx);
   struct vgpu_resource *dst = vgpu_resource(pdst), *src = vgpu_resource(psrc);

   if (pdst->target == PIPE_BUFFER && psrc->target == PIPE_BUFFER) {
      vgpu_copy_buffer(ctx, dst, dstx, src, src_box->x, src_box->width);
      return;
   }
   unsigned blocksize = util_format_get_blocksize(pdst->format);
   uint32_t format = vgpu_copy_format(blocksize);
   if (pdst->target == PIPE_BUFFER || psrc->target == PIPE_BUFFER || format == VGPU_FORMAT_NONE ||
       util_format_is_compressed(pdst->format) || blocksize != util_format_get_blocksize(psrc->format)) {
      util_resource_copy_region(pctx, pdst, dst_level, dstx, dsty, dstz, psrc, src_level, src_box);
      return;
   }
   for (int layer = 0; layer < src_box->depth; layer++) {
      struct vgpu_pkt_surface s, d;
      vgpu_resource_surface(src, src_level, src_box->z + layer, format, &s);
      vgpu_resource_surface(dst, dst_level, dstz + layer, format, &d);
      struct vgpu_cmdbuf *cb = vgpu_job_begin(ctx, 12);
      if (!cb)
         return;
      vgpu_pkt_copy(cb, &s, src_box->x, src_box->y, &d, dstx, dsty, src_box->width, src_box->height);
      vgpu_job_use_bo(ctx, src->bo, false);
      vgpu_job_use_bo(ctx, dst->bo, true);
   }
}

static bool
vgpu_blit_is_plain_copy(const struct pipe_blit_info *info)
{
   return info->src.format == info->dst.format && info->src.box.width == info->dst.box.width &&
          info->src.box.height == info->dst.box.height && info->src.box.depth == info->dst.box.depth &&
          !info->scissor_enable && !info->render_condition_enable;
}

/* Colour blits the BLIT packet does exactly: every channel written, nearest sampling (or no scaling),
 * no scissor, no blending, no x flip. */
static bool
vgpu_blit_supported(const struct pipe_blit_info *info)
{
   const struct util_format_description *dst_desc = util_format_description(info->dst.format);
   unsigned needed = util_format_colormask(dst_desc);
   bool scaled = info->src.box.width != info->dst.box.width || abs(info->src.box.height) != info->dst.box.height;

   return vgpu_format_is_color(info->src.format) && vgpu_format_is_color(info->dst.format) &&
          (info->mask & needed) == needed && !(info->mask & PIPE_MASK_ZS) && !info->scissor_enable &&
          !info->render_condition_enable && !info->alpha_blend &&
          (!scaled || info->filter == PIPE_TEX_FILTER_NEAREST) && info->src.box.width > 0 &&
          info->dst.box.width > 0 && info->dst.box.height > 0 && info->src.box.height != 0 &&
          info->src.box.depth == 1 && info->dst.box.depth == 1;
}

static void
vgpu_blit_rows(struct vgpu_context *ctx, const struct pipe_blit_info *info)
{
   struct vgpu_resource *src = vgpu_resource(info->src.resource), *dst = vgpu_resource(info->dst.resource);
   const struct pipe_box *sb = &info->src.box, *db = &info->dst.box;
   struct vgpu_pkt_surface s, d;

   vgpu_resource_surface(src, info->src.level, sb->z, vgpu_format(info->src.format), &s);
   vgpu_resource_surface(dst, info->dst.level, db->z, vgpu_format(info->dst.format), &d);
   if (sb->height > 0) {
      struct vgpu_cmdbuf *cb = vgpu_job_begin(ctx, 14);
      if (!cb)
         return;
      vgpu_pkt_blit(cb, &s, sb->x, sb->y, sb->width, sb->height, &d, db->x, db->y, db->width, db->height);
      vgpu_job_use_bo(ctx, src->bo, false);
      vgpu_job_use_bo(ctx, dst->bo, true);
      return;
   }
   /* y-flipped: destination row j reads source row floor(y + (j + 0.5) * height / dst_height), as the
    * packet's own nearest sampling would without the flip. */
   for (int j = 0; j < db->height; j++) {
      int row = (int)floorf(sb->y + (j + 0.5f) * sb->height / db->height);
      struct vgpu_cmdbuf *cb = vgpu_job_begin(ctx, 14);
      if (!cb)
         return;
      vgpu_pkt_blit(cb, &s, sb->x, row, sb->width, 1, &d, db->x, db->y + j, db->width, 1);
      /* Listed per packet: vgpu_job_begin may have started a new job. */
      vgpu_job_use_bo(ctx, src->bo, false);
      vgpu_job_use_bo(ctx, dst->bo, true);
   }
}

static void
vgpu_blit(struct pipe_context *pctx, const struct pipe_blit_info *info)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   if (vgpu_blit_supported(info)) {
      vgpu_blit_rows(ctx, info);
      return;
   }
   if (vgpu_blit_is_plain_copy(info) && info->src.box.height > 0 &&
       info->mask == util_format_get_mask(info->dst.format)) {
      vgpu_resource_copy_region(pctx, info->dst.resource, info->dst.level, info->dst.box.x, info->dst.box.y,
                                info->dst.box.z, info->src.resource, info->src.level, &info->src.box);
      return;
   }
   fprintf(stderr, "vgpu: blit %s -> %s (mask 0x%x, filter %u, scissor %d) not supported yet; skipped\n",
           util_format_short_name(info->src.format), util_format_short_name(info->dst.format), info->mask,
           info->filter, info->scissor_enable);
}

void
vgpu_blit_init(struct vgpu_context *ctx)
{
   ctx->base.clear = vgpu_clear;
   ctx->base.clear_render_target = vgpu_clear_render_target;
   ctx->base.clear_depth_stencil = vgpu_clear_depth_stencil;
   ctx->base.resource_copy_region = vgpu_resource_copy_region;
   ctx->base.blit = vgpu_blit;
}
