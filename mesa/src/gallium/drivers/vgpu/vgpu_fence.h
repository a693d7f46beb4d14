/* SPDX-License-Identifier: MIT */
#ifndef VGPU_FENCE_H
#define VGPU_FENCE_H

struct pipe_fence_handle;
struct vgpu_context;
struct vgpu_screen;

/* A fence for the context's last submitted job: its syncobj exported as a sync_file. */
struct pipe_fence_handle *vgpu_fence_create_from_syncobj(struct vgpu_context *ctx);

void vgpu_fence_screen_init(struct vgpu_screen *screen);
void vgpu_fence_context_init(struct vgpu_context *ctx);

#endif
