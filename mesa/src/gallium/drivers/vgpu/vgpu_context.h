/* SPDX-License-Identifier: MIT */
#ifndef VGPU_CONTEXT_H
#define VGPU_CONTEXT_H

#include "pipe/p_context.h"
#include "pipe/p_state.h"
#include "util/slab.h"

#include "vgpu/vgpu_hw.h"
#include "vgpu_job.h"

/* A CSO as st/mesa made it; the draw path (with the compiler) turns these into packets. */
struct vgpu_vertex_elements {
   unsigned count;
   struct pipe_vertex_element elements[PIPE_MAX_ATTRIBS];
};

struct vgpu_context {
   struct pipe_context base;

   struct slab_child_pool transfer_pool;
   struct vgpu_job job;
   uint32_t syncobj; /* signalled by the context's last submitted job */
   int in_fence_fd; /* a sync_file the next job waits for, or -1 */
   uint32_t fault_count; /* GET_FAULT's count when last reported */
   bool debug_sync; /* VGPU_DEBUG=sync: wait for each job */

   /* Bound state. */
   struct pipe_framebuffer_state framebuffer;
   struct pipe_scissor_state scissor;
   struct pipe_viewport_state viewport;
   struct pipe_blend_color blend_color;
   struct pipe_stencil_ref stencil_ref;
   struct pipe_clip_state clip;
   const struct pipe_blend_state *blend;
   const struct pipe_rasterizer_state *rasterizer;
   const struct pipe_depth_stencil_alpha_state *zsa;
   const struct vgpu_vertex_elements *vertex_elements;
   void *vs, *fs;
   struct pipe_vertex_buffer vertex_buffers[PIPE_MAX_ATTRIBS];
   uint32_t vertex_buffers_mask;
   struct pipe_constant_buffer constant_buffers[PIPE_SHADER_TYPES];
   struct pipe_sampler_view *sampler_views[PIPE_SHADER_TYPES][VGPU_MAX_TEXTURES];
   unsigned num_sampler_views[PIPE_SHADER_TYPES];
   const struct pipe_sampler_state *samplers[PIPE_SHADER_TYPES][VGPU_MAX_SAMPLERS];
   unsigned num_samplers[PIPE_SHADER_TYPES];
   unsigned sample_mask;
};

static inline struct vgpu_context *
vgpu_context(struct pipe_context *pctx)
{
   return (struct vgpu_context *)pctx;
}

struct pipe_context *vgpu_context_create(struct pipe_screen *pscreen, void *priv, unsigned flags);

void vgpu_state_init(struct vgpu_context *ctx);
void vgpu_state_fini(struct vgpu_context *ctx);
void vgpu_blit_init(struct vgpu_context *ctx);

/* vgpu_emit.c: framebuffer state into the current job. */
void vgpu_emit_render_targets(struct vgpu_context *ctx, struct vgpu_cmdbuf *cb,
                              const struct pipe_framebuffer_state *fb);
void vgpu_emit_scissor(struct vgpu_context *ctx, struct vgpu_cmdbuf *cb, const struct pipe_scissor_state *scissor);

#endif
