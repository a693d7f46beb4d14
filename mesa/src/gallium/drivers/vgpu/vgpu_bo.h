/* SPDX-License-Identifier: MIT */
#ifndef VGPU_BO_H
#define VGPU_BO_H

#include <stdbool.h>
#include <stdint.h>

#include "util/list.h"

struct vgpu_screen;

/* A GEM object of this screen's fd, bound at a GPU VA of the screen's address space for its whole life
 * (VM_BIND maps whole objects; unbinding waits for the file's jobs, so it is done lazily, when the cache
 * lets an idle object go). */
struct vgpu_bo {
   struct vgpu_screen *screen;
   int refcnt;
   uint32_t handle;
   uint64_t size;
   uint64_t va;
   void *map; /* CPU mapping, made on first use and kept (also in the cache) */
   bool cacheable; /* our own object, not an imported handle */
   bool owns_handle; /* close the handle when freed */

   struct list_head cache_link;
   int64_t cached_at_ns;
};

/* The cache of idle objects, kept bound and mapped. */
struct vgpu_bo_cache {
   struct list_head idle; /* oldest first */
   uint64_t idle_bytes;
};

void vgpu_bo_cache_init(struct vgpu_screen *screen);
void vgpu_bo_cache_fini(struct vgpu_screen *screen);

/* A VRAM object of at least size bytes, bound and zero-filled only when fresh (callers that need zeros
 * clear it). NULL with one stderr line on failure. */
struct vgpu_bo *vgpu_bo_create(struct vgpu_screen *screen, uint64_t size);
/* An object of another process or API by GEM handle (KMS) or dma-buf fd, bound at a new VA. */
struct vgpu_bo *vgpu_bo_import(struct vgpu_screen *screen, uint32_t handle, bool owns_handle);

void vgpu_bo_reference(struct vgpu_bo *bo);
void vgpu_bo_unreference(struct vgpu_bo *bo);

void *vgpu_bo_map(struct vgpu_bo *bo);
/* Wait until the GPU is done with the object (writers_only: only for jobs writing it). timeout_ns is
 * relative; OS_TIMEOUT_INFINITE waits for ever. False on timeout or error. */
bool vgpu_bo_wait(struct vgpu_bo *bo, uint64_t timeout_ns, bool writers_only);

#endif
