/* SPDX-License-Identifier: MIT */
/*
 * Framebuffer state as packets (hw-spec 10.1, 10.2, 10.3): SET_RENDER_TARGETS from gallium's framebuffer,
 * SET_RASTER + SET_SCISSOR for clears. Every target the packets name is listed in the job as written.
 */
#include "util/u_math.h"

#include "vgpu_context.h"
#include "vgpu_format.h"
#include "vgpu_resource.h"

static void
vgpu_surface_operand(struct vgpu_context *ctx, struct pipe_surface *psurf, struct vgpu_pkt_surface *out)
{
   struct vgpu_resource *rsc = vgpu_resource(psurf->texture);

   vgpu_resource_surface(rsc, psurf->u.tex.level, psurf->u.tex.first_layer, vgpu_format(psurf->format), out);
   vgpu_job_use_bo(ctx, rsc->bo, true);
}

void
vgpu_emit_render_targets(struct vgpu_context *ctx, struct vgpu_cmdbuf *cb,
                         const struct pipe_framebuffer_state *fb)
{
   struct vgpu_pkt_surface colors[VGPU_MAX_RENDER_TARGETS] = {0};
   struct vgpu_pkt_surface depth = {0};
   unsigned count = MIN2(fb->nr_cbufs, VGPU_MAX_RENDER_TARGETS);

   for (unsigned i = 0; i < count; i++) {
      if (fb->cbufs[i])
         vgpu_surface_operand(ctx, fb->cbufs[i], &colors[i]);
   }
   if (fb->zsbuf)
      vgpu_surface_operand(ctx, fb->zsbuf, &depth);
   vgpu_pkt_set_render_targets(cb, fb->width, fb->height, count, colors, fb->zsbuf ? &depth : NULL);
}

void
vgpu_emit_scissor(struct vgpu_context *ctx, struct vgpu_cmdbuf *cb, const struct pipe_scissor_state *scissor)
{
   /* Only SCISSOR matters to CLEAR; draws set their own rasterizer state. */
   vgpu_pkt_set_raster(cb, scissor ? VGPU_RASTER_SCISSOR : 0, 1.0f, 1.0f);
   if (scissor)
      vgpu_pkt_set_scissor(cb, scissor->minx, scissor->miny, scissor->maxx, scissor->maxy);
}
