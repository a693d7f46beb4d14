/* SPDX-License-Identifier: MIT */
/*
 * Gallium state objects and setters: kept in the context as st/mesa gives them; packets are made from
 * them when a job needs them (clears: vgpu_emit.c; draws: with the compiler).
 */
#include <stdio.h>
#include <string.h>

#include "compiler/nir/nir.h"
#include "util/ralloc.h"
#include "util/u_framebuffer.h"
#include "util/u_helpers.h"
#include "util/u_inlines.h"
#include "util/u_memory.h"

#include "vgpu_context.h"
#ifdef VGPU_HAVE_PROGRAM
#include "vgpu_program.h"
#endif

static void *
vgpu_copy_cso(const void *templ, size_t size)
{
   void *cso = MALLOC(size);
   if (cso)
      memcpy(cso, templ, size);
   return cso;
}

static void
vgpu_delete_cso(struct pipe_context *pctx, void *cso)
{
   FREE(cso);
}

static void *
vgpu_create_blend_state(struct pipe_context *pctx, const struct pipe_blend_state *templ)
{
   return vgpu_copy_cso(templ, sizeof(*templ));
}

static void
vgpu_bind_blend_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->blend = cso;
}

static void *
vgpu_create_rasterizer_state(struct pipe_context *pctx, const struct pipe_rasterizer_state *templ)
{
   return vgpu_copy_cso(templ, sizeof(*templ));
}

static void
vgpu_bind_rasterizer_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->rasterizer = cso;
}

static void *
vgpu_create_zsa_state(struct pipe_context *pctx, const struct pipe_depth_stencil_alpha_state *templ)
{
   return vgpu_copy_cso(templ, sizeof(*templ));
}

static void
vgpu_bind_zsa_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->zsa = cso;
}

static void *
vgpu_create_sampler_state(struct pipe_context *pctx, const struct pipe_sampler_state *templ)
{
   return vgpu_copy_cso(templ, sizeof(*templ));
}

static void
vgpu_bind_sampler_states(struct pipe_context *pctx, enum pipe_shader_type shader, unsigned start,
                         unsigned count, void **states)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   for (unsigned i = 0; i < count && start + i < VGPU_MAX_SAMPLERS; i++)
      ctx->samplers[shader][start + i] = states ? states[i] : NULL;
   unsigned last = 0;
   for (unsigned i = 0; i < VGPU_MAX_SAMPLERS; i++) {
      if (ctx->samplers[shader][i])
         last = i + 1;
   }
   ctx->num_samplers[shader] = last;
}

static void *
vgpu_create_vertex_elements_state(struct pipe_context *pctx, unsigned count,
                                  const struct pipe_vertex_element *elements)
{
   struct vgpu_vertex_elements *ve = CALLOC_STRUCT(vgpu_vertex_elements);
   if (!ve)
      return NULL;
   ve->count = MIN2(count, PIPE_MAX_ATTRIBS);
   memcpy(ve->elements, elements, ve->count * sizeof(*elements));
   return ve;
}

static void
vgpu_bind_vertex_elements_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->vertex_elements = cso;
}

#ifndef VGPU_HAVE_PROGRAM
/* Shader CSOs when vgpu_program.c (compiler/, shader variants) is not built in: the NIR is kept, so state
 * tracking works. */
static void *
vgpu_create_shader_state(struct pipe_context *pctx, const struct pipe_shader_state *templ)
{
   /* st/mesa hands the NIR over: it is ours to free. */
   return templ->type == PIPE_SHADER_IR_NIR ? templ->ir.nir : NULL;
}

static void
vgpu_delete_shader_state(struct pipe_context *pctx, void *cso)
{
   ralloc_free(cso);
}

static void
vgpu_bind_vs_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->vs = cso;
}

static void
vgpu_bind_fs_state(struct pipe_context *pctx, void *cso)
{
   vgpu_context(pctx)->fs = cso;
}
#endif

static void
vgpu_draw_vbo(struct pipe_context *pctx, const struct pipe_draw_info *info, unsigned drawid_offset,
              const struct pipe_draw_indirect_info *indirect, const struct pipe_draw_start_count_bias *draws,
              unsigned num_draws)
{
   static bool reported;
#ifdef VGPU_HAVE_PROGRAM
   /* The shaders are compiled (and their errors reported) already, so the draw path can start from here. */
   struct vgpu_program_variant *vs, *fs;
   if (!vgpu_program_update(vgpu_context(pctx), &vs, &fs))
      return;
#endif
   if (!reported) {
      fprintf(stderr, "vgpu: draws are not implemented yet; skipped\n");
      reported = true;
   }
}

static void
vgpu_set_framebuffer_state(struct pipe_context *pctx, const struct pipe_framebuffer_state *fb)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   util_copy_framebuffer_state(&ctx->framebuffer, fb);
   ctx->job.framebuffer_emitted = false;
}

static void
vgpu_set_scissor_states(struct pipe_context *pctx, unsigned start_slot, unsigned num_scissors,
                        const struct pipe_scissor_state *scissors)
{
   vgpu_context(pctx)->scissor = scissors[0];
}

static void
vgpu_set_viewport_states(struct pipe_context *pctx, unsigned start_slot, unsigned num_viewports,
                         const struct pipe_viewport_state *viewports)
{
   vgpu_context(pctx)->viewport = viewports[0];
}

static void
vgpu_set_blend_color(struct pipe_context *pctx, const struct pipe_blend_color *color)
{
   vgpu_context(pctx)->blend_color = *color;
}

static void
vgpu_set_stencil_ref(struct pipe_context *pctx, const struct pipe_stencil_ref ref)
{
   vgpu_context(pctx)->stencil_ref = ref;
}

static void
vgpu_set_clip_state(struct pipe_context *pctx, const struct pipe_clip_state *clip)
{
   vgpu_context(pctx)->clip = *clip;
}

static void
vgpu_set_sample_mask(struct pipe_context *pctx, unsigned sample_mask)
{
   vgpu_context(pctx)->sample_mask = sample_mask;
}

static void
vgpu_set_polygon_stipple(struct pipe_context *pctx, const struct pipe_poly_stipple *stipple)
{
   /* No stipple in GLES; desktop GL's goes through st/mesa's lowering (cap 0). */
}

static void
vgpu_set_vertex_buffers(struct pipe_context *pctx, unsigned start_slot, unsigned count,
                        unsigned unbind_num_trailing_slots, bool take_ownership,
                        const struct pipe_vertex_buffer *buffers)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   util_set_vertex_buffers_mask(ctx->vertex_buffers, &ctx->vertex_buffers_mask, buffers, start_slot, count,
                                unbind_num_trailing_slots, take_ownership);
}

static void
vgpu_set_constant_buffer(struct pipe_context *pctx, enum pipe_shader_type shader, uint index,
                         bool take_ownership, const struct pipe_constant_buffer *cb)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   /* One uniform buffer per stage (PIPE_SHADER_CAP_MAX_CONST_BUFFERS). */
   if (index == 0)
      util_copy_constant_buffer(&ctx->constant_buffers[shader], cb, take_ownership);
   else if (take_ownership && cb)
      pipe_resource_reference((struct pipe_resource **)&cb->buffer, NULL);
}

static struct pipe_sampler_view *
vgpu_create_sampler_view(struct pipe_context *pctx, struct pipe_resource *prsc,
                         const struct pipe_sampler_view *templ)
{
   struct pipe_sampler_view *view = CALLOC_STRUCT(pipe_sampler_view);
   if (!view)
      return NULL;
   *view = *templ;
   view->texture = NULL;
   pipe_resource_reference(&view->texture, prsc);
   pipe_reference_init(&view->reference, 1);
   view->context = pctx;
   return view;
}

static void
vgpu_sampler_view_destroy(struct pipe_context *pctx, struct pipe_sampler_view *view)
{
   pipe_resource_reference(&view->texture, NULL);
   FREE(view);
}

static void
vgpu_set_sampler_views(struct pipe_context *pctx, enum pipe_shader_type shader, unsigned start,
                       unsigned count, unsigned unbind_num_trailing_slots, bool take_ownership,
                       struct pipe_sampler_view **views)
{
   struct vgpu_context *ctx = vgpu_context(pctx);
   struct pipe_sampler_view **slots = ctx->sampler_views[shader];

   for (unsigned i = 0; i < count + unbind_num_trailing_slots && start + i < VGPU_MAX_TEXTURES; i++) {
      struct pipe_sampler_view *view = i < count && views ? views[i] : NULL;
      if (take_ownership) {
         pipe_sampler_view_reference(&slots[start + i], NULL);
         slots[start + i] = view;
      } else {
         pipe_sampler_view_reference(&slots[start + i], view);
      }
   }
   unsigned last = 0;
   for (unsigned i = 0; i < VGPU_MAX_TEXTURES; i++) {
      if (slots[i])
         last = i + 1;
   }
   ctx->num_sampler_views[shader] = last;
}

static struct pipe_query *
vgpu_create_query(struct pipe_context *pctx, unsigned query_type, unsigned index)
{
   /* No query the caps announce (occlusion and timer queries are 0). */
   return NULL;
}

static void
vgpu_set_active_query_state(struct pipe_context *pctx, bool enable)
{
}

void
vgpu_state_init(struct vgpu_context *ctx)
{
   struct pipe_context *p = &ctx->base;

   p->create_blend_state = vgpu_create_blend_state;
   p->bind_blend_state = vgpu_bind_blend_state;
   p->delete_blend_state = vgpu_delete_cso;
   p->create_rasterizer_state = vgpu_create_rasterizer_state;
   p->bind_rasterizer_state = vgpu_bind_rasterizer_state;
   p->delete_rasterizer_state = vgpu_delete_cso;
   p->create_depth_stencil_alpha_state = vgpu_create_zsa_state;
   p->bind_depth_stencil_alpha_state = vgpu_bind_zsa_state;
   p->delete_depth_stencil_alpha_state = vgpu_delete_cso;
   p->create_sampler_state = vgpu_create_sampler_state;
   p->bind_sampler_states = vgpu_bind_sampler_states;
   p->delete_sampler_state = vgpu_delete_cso;
   p->create_vertex_elements_state = vgpu_create_vertex_elements_state;
   p->bind_vertex_elements_state = vgpu_bind_vertex_elements_state;
   p->delete_vertex_elements_state = vgpu_delete_cso;
#ifdef VGPU_HAVE_PROGRAM
   vgpu_program_init(ctx);
#else
   p->create_vs_state = vgpu_create_shader_state;
   p->create_fs_state = vgpu_create_shader_state;
   p->delete_vs_state = vgpu_delete_shader_state;
   p->delete_fs_state = vgpu_delete_shader_state;
   p->bind_vs_state = vgpu_bind_vs_state;
   p->bind_fs_state = vgpu_bind_fs_state;
#endif
   p->draw_vbo = vgpu_draw_vbo;
   p->set_framebuffer_state = vgpu_set_framebuffer_state;
   p->set_scissor_states = vgpu_set_scissor_states;
   p->set_viewport_states = vgpu_set_viewport_states;
   p->set_blend_color = vgpu_set_blend_color;
   p->set_stencil_ref = vgpu_set_stencil_ref;
   p->set_clip_state = vgpu_set_clip_state;
   p->set_sample_mask = vgpu_set_sample_mask;
   p->set_polygon_stipple = vgpu_set_polygon_stipple;
   p->set_vertex_buffers = vgpu_set_vertex_buffers;
   p->set_constant_buffer = vgpu_set_constant_buffer;
   p->create_sampler_view = vgpu_create_sampler_view;
   p->sampler_view_destroy = vgpu_sampler_view_destroy;
   p->set_sampler_views = vgpu_set_sampler_views;
   p->create_query = vgpu_create_query;
   p->set_active_query_state = vgpu_set_active_query_state;
}

void
vgpu_state_fini(struct vgpu_context *ctx)
{
   util_unreference_framebuffer_state(&ctx->framebuffer);
   for (unsigned i = 0; i < PIPE_MAX_ATTRIBS; i++)
      pipe_vertex_buffer_unreference(&ctx->vertex_buffers[i]);
   for (unsigned s = 0; s < PIPE_SHADER_TYPES; s++) {
      pipe_resource_reference(&ctx->constant_buffers[s].buffer, NULL);
      for (unsigned i = 0; i < VGPU_MAX_TEXTURES; i++)
         pipe_sampler_view_reference(&ctx->sampler_views[s][i], NULL);
   }
}
