/* SPDX-License-Identifier: MIT */
/* The texture unit (spec 10.7): texture layout, wrap modes, nearest and linear filtering, mipmap selection
 * from the quad derivatives the shader core passes, cube faces, depth comparison. */
#ifndef VGPU_TEXTURE_H
#define VGPU_TEXTURE_H

#include "engine3d/e3d.h"

/* Lay out and translate a bound texture for one draw (CP thread), within the packet's map budget. Pages that
 * do not translate fault only when a sample touches them. */
bool texture_view_prepare(struct surface_budget *budget, struct e3d_texture_view *view,
                          const struct e3d_texture_desc *desc, struct vgpu_fault *fault);

/* Whether a sampler's results do not depend on the LOD (no mipmaps, one filter for both): its requests
 * need no derivatives. */
bool texture_sampler_ignores_lod(uint32_t flags);

/* The shader core's texture_sample callback; ctx is the struct e3d_shading. Returns 0, or a fault detail
 * that texture_fault turns into the fault record. */
uint32_t texture_sample(void *ctx, const struct vgpu_shader_tex_request *req, float out[4][VGPU_ISA_LANES]);
void texture_fault(struct vgpu *gpu, const struct e3d_draw *draw, uint32_t detail, struct vgpu_fault *fault);

#endif
