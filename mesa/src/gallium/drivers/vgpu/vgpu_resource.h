/* SPDX-License-Identifier: MIT */
#ifndef VGPU_RESOURCE_H
#define VGPU_RESOURCE_H

#include "pipe/p_state.h"
#include "vgpu/vgpu_hw.h"

#define VGPU_MAX_LEVELS 15

struct vgpu_screen;
struct vgpu_context;

/* Textures use the hardware's texture layout (hw-spec 10.7) for every purpose, so one object is a texture,
 * a render target and a 2D surface at once: levels one after the other, rows of each level packed to a
 * 4-byte pitch, cube faces one after the other within each level. */
struct vgpu_resource_level {
   uint32_t offset; /* of face 0 */
   uint32_t stride; /* bytes between rows */
   uint32_t face_size; /* bytes between faces */
};

struct vgpu_resource {
   struct pipe_resource base;
   struct vgpu_bo *bo;
   struct vgpu_resource_level levels[VGPU_MAX_LEVELS];
};

struct vgpu_transfer {
   struct pipe_transfer base;
};

static inline struct vgpu_resource *
vgpu_resource(struct pipe_resource *prsc)
{
   return (struct vgpu_resource *)prsc;
}

/* A level/face of a resource as a 2D surface operand (hw-spec 6). */
struct vgpu_pkt_surface;
void vgpu_resource_surface(struct vgpu_resource *rsc, unsigned level, unsigned layer, uint32_t hw_format,
                           struct vgpu_pkt_surface *surface);

void vgpu_resource_screen_init(struct vgpu_screen *screen);
void vgpu_resource_context_init(struct vgpu_context *ctx);

#endif
