/* SPDX-License-Identifier: MIT */
#ifndef VGPU_DRM_PUBLIC_H
#define VGPU_DRM_PUBLIC_H

struct pipe_screen;
struct pipe_screen_config;

/* The screen of the DRM file description fd refers to: created on first use, shared (refcounted) after. */
struct pipe_screen *vgpu_drm_screen_create(int fd, const struct pipe_screen_config *config);

#endif
