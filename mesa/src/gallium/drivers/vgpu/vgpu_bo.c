/* SPDX-License-Identifier: MIT */
/*
 * Buffer objects: GEM_CREATE in VRAM, VM_BIND at a VA from the screen's heap, mmap through GEM_INFO's
 * offset. Freed objects go to a cache (still bound and mapped) and are reused by size; objects idle for
 * longer than VGPU_BO_CACHE_NS are unbound and closed when the next object is freed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "drm-uapi/vgpu_drm.h"
#include "util/os_time.h"
#include "util/u_atomic.h"
#include "util/u_math.h"
#include "util/u_memory.h"
#include "vgpu/vgpu_hw.h"

#include "vgpu_bo.h"
#include "vgpu_screen.h"

#define VGPU_BO_CACHE_NS (1000 * 1000 * 1000ll)
/* Reuse a cached object for a request down to half its size; larger waste gets a new object. */
#define VGPU_BO_CACHE_SLACK 2

void
vgpu_bo_cache_init(struct vgpu_screen *screen)
{
   list_inithead(&screen->bo_cache.idle);
   mtx_init(&screen->bo_lock, mtx_plain);
   /* GPU VAs: above the first MiB (a zero VA is never valid), below 2^39. */
   util_vma_heap_init(&screen->va_heap, 1 << 20, (1ull << DRM_VGPU_VA_BITS) - (1 << 20));
}

static void
vgpu_bo_free(struct vgpu_bo *bo)
{
   struct vgpu_screen *screen = bo->screen;

   if (bo->map)
      munmap(bo->map, bo->size);
   struct drm_vgpu_vm_bind unbind = {.op = DRM_VGPU_VM_BIND_UNMAP, .va = bo->va};
   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_VM_BIND, &unbind))
      fprintf(stderr, "vgpu: VM_BIND unmap of VA 0x%llx failed: %s\n", (unsigned long long)bo->va,
              strerror(errno));
   else
      util_vma_heap_free(&screen->va_heap, bo->va, bo->size);
   if (bo->owns_handle) {
      struct drm_gem_close close_args = {.handle = bo->handle};
      drmIoctl(screen->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
   }
   screen->bo_count--;
   FREE(bo);
}

/* Called with bo_lock held. */
static void
vgpu_bo_cache_evict(struct vgpu_screen *screen, int64_t older_than_ns)
{
   list_for_each_entry_safe(struct vgpu_bo, bo, &screen->bo_cache.idle, cache_link) {
      if (bo->cached_at_ns > older_than_ns)
         break;
      list_del(&bo->cache_link);
      screen->bo_cache.idle_bytes -= bo->size;
      vgpu_bo_free(bo);
   }
}

void
vgpu_bo_cache_fini(struct vgpu_screen *screen)
{
   mtx_lock(&screen->bo_lock);
   vgpu_bo_cache_evict(screen, INT64_MAX);
   mtx_unlock(&screen->bo_lock);
   util_vma_heap_finish(&screen->va_heap);
   mtx_destroy(&screen->bo_lock);
}

/* Called with bo_lock held. */
static bool
vgpu_bo_bind(struct vgpu_bo *bo)
{
   struct vgpu_screen *screen = bo->screen;

   bo->va = util_vma_heap_alloc(&screen->va_heap, bo->size, VGPU_PAGE_SIZE);
   if (!bo->va) {
      fprintf(stderr, "vgpu: out of GPU virtual addresses for a %llu-byte object\n",
              (unsigned long long)bo->size);
      return false;
   }
   struct drm_vgpu_vm_bind bind = {.op = DRM_VGPU_VM_BIND_MAP, .handle = bo->handle, .va = bo->va};
   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_VM_BIND, &bind)) {
      fprintf(stderr, "vgpu: VM_BIND of a %llu-byte object failed: %s\n", (unsigned long long)bo->size,
              strerror(errno));
      util_vma_heap_free(&screen->va_heap, bo->va, bo->size);
      return false;
   }
   return true;
}

static struct vgpu_bo *
vgpu_bo_cache_take(struct vgpu_screen *screen, uint64_t size)
{
   list_for_each_entry(struct vgpu_bo, bo, &screen->bo_cache.idle, cache_link) {
      if (bo->size >= size && bo->size <= size * VGPU_BO_CACHE_SLACK) {
         list_del(&bo->cache_link);
         screen->bo_cache.idle_bytes -= bo->size;
         return bo;
      }
   }
   return NULL;
}

struct vgpu_bo *
vgpu_bo_create(struct vgpu_screen *screen, uint64_t size)
{
   size = align64(MAX2(size, 1), VGPU_PAGE_SIZE);

   mtx_lock(&screen->bo_lock);
   struct vgpu_bo *bo = vgpu_bo_cache_take(screen, size);
   if (bo) {
      bo->refcnt = 1;
      mtx_unlock(&screen->bo_lock);
      return bo;
   }

   bo = CALLOC_STRUCT(vgpu_bo);
   if (!bo)
      goto fail;
   struct drm_vgpu_gem_create create = {.size = size};
   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_GEM_CREATE, &create)) {
      /* Idle cached objects may be what fills VRAM: drop them and try once more. */
      vgpu_bo_cache_evict(screen, INT64_MAX);
      if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_GEM_CREATE, &create)) {
         fprintf(stderr, "vgpu: GEM_CREATE of %llu bytes failed: %s\n", (unsigned long long)size,
                 strerror(errno));
         FREE(bo);
         goto fail;
      }
   }
   bo->screen = screen;
   bo->refcnt = 1;
   bo->handle = create.handle;
   bo->size = size;
   bo->cacheable = true;
   bo->owns_handle = true;
   if (!vgpu_bo_bind(bo)) {
      struct drm_gem_close close_args = {.handle = bo->handle};
      drmIoctl(screen->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
      FREE(bo);
      goto fail;
   }
   screen->bo_count++;
   mtx_unlock(&screen->bo_lock);
   return bo;

fail:
   mtx_unlock(&screen->bo_lock);
   return NULL;
}

struct vgpu_bo *
vgpu_bo_import(struct vgpu_screen *screen, uint32_t handle, bool owns_handle)
{
   struct drm_vgpu_gem_info info = {.handle = handle};
   if (drmIoctl(screen->fd, DRM_IOCTL_VGPU_GEM_INFO, &info)) {
      fprintf(stderr, "vgpu: cannot import GEM handle %u: %s\n", handle, strerror(errno));
      return NULL;
   }
   struct vgpu_bo *bo = CALLOC_STRUCT(vgpu_bo);
   if (!bo)
      return NULL;
   bo->screen = screen;
   bo->refcnt = 1;
   bo->handle = handle;
   bo->size = info.size;
   bo->owns_handle = owns_handle;
   mtx_lock(&screen->bo_lock);
   bool bound = vgpu_bo_bind(bo);
   if (bound)
      screen->bo_count++;
   mtx_unlock(&screen->bo_lock);
   if (!bound) {
      FREE(bo);
      return NULL;
   }
   return bo;
}

void
vgpu_bo_reference(struct vgpu_bo *bo)
{
   p_atomic_inc(&bo->refcnt);
}

void
vgpu_bo_unreference(struct vgpu_bo *bo)
{
   if (!bo || !p_atomic_dec_zero(&bo->refcnt))
      return;

   struct vgpu_screen *screen = bo->screen;
   int64_t now = os_time_get_nano();
   mtx_lock(&screen->bo_lock);
   if (bo->cacheable) {
      bo->cached_at_ns = now;
      list_addtail(&bo->cache_link, &screen->bo_cache.idle);
      screen->bo_cache.idle_bytes += bo->size;
   } else {
      vgpu_bo_free(bo);
   }
   vgpu_bo_cache_evict(screen, now - VGPU_BO_CACHE_NS);
   mtx_unlock(&screen->bo_lock);
}

void *
vgpu_bo_map(struct vgpu_bo *bo)
{
   if (bo->map)
      return bo->map;

   struct drm_vgpu_gem_info info = {.handle = bo->handle};
   if (drmIoctl(bo->screen->fd, DRM_IOCTL_VGPU_GEM_INFO, &info)) {
      fprintf(stderr, "vgpu: GEM_INFO failed: %s\n", strerror(errno));
      return NULL;
   }
   void *map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->screen->fd, info.mmap_offset);
   if (map == MAP_FAILED) {
      fprintf(stderr, "vgpu: mmap of a %llu-byte object failed: %s\n", (unsigned long long)bo->size,
              strerror(errno));
      return NULL;
   }
   /* Two threads may map at once: keep one mapping. */
   if (!p_atomic_cmpxchg(&bo->map, NULL, map))
      return map;
   munmap(map, bo->size);
   return bo->map;
}

bool
vgpu_bo_wait(struct vgpu_bo *bo, uint64_t timeout_ns, bool writers_only)
{
   int64_t abs_timeout = timeout_ns == OS_TIMEOUT_INFINITE ? INT64_MAX : os_time_get_absolute_timeout(timeout_ns);
   struct drm_vgpu_wait_bo wait = {
      .handle = bo->handle,
      .flags = writers_only ? DRM_VGPU_WAIT_BO_WRITERS : 0,
      .timeout_ns = timeout_ns == 0 ? 0 : abs_timeout,
   };
   return drmIoctl(bo->screen->fd, DRM_IOCTL_VGPU_WAIT_BO, &wait) == 0;
}
