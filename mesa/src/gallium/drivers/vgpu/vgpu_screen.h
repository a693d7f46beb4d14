/* SPDX-License-Identifier: MIT */
#ifndef VGPU_SCREEN_H
#define VGPU_SCREEN_H

#include "c11/threads.h"
#include "pipe/p_screen.h"
#include "util/slab.h"
#include "util/vma.h"

#include "vgpu_bo.h"

struct pipe_screen_config;

struct vgpu_screen {
   struct pipe_screen base;
   int fd;

   /* Owned by the winsys (vgpu_drm_winsys.c): users of this fd's screen and the driver's own destroy. */
   int refcnt;
   void (*winsys_destroy)(struct pipe_screen *pscreen);

   /* What the kernel reports (DRM_VGPU_PARAM_*). */
   uint32_t device_version, caps, max_surface_dim;
   uint64_t vram_size;

   /* Buffer objects: the GPU VA heap of this fd's address space, the cache of idle objects, and the
    * number of live objects (cached ones included) for leak checks (VGPU_DEBUG=bo prints it). */
   mtx_t bo_lock;
   struct util_vma_heap va_heap;
   struct vgpu_bo_cache bo_cache;
   unsigned bo_count;

   struct slab_parent_pool transfer_pool;
};

static inline struct vgpu_screen *
vgpu_screen(struct pipe_screen *pscreen)
{
   return (struct vgpu_screen *)pscreen;
}

struct pipe_screen *vgpu_screen_create(int fd, const struct pipe_screen_config *config);

#endif
