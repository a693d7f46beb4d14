/* SPDX-License-Identifier: MIT */
/*
 * One screen per DRM file description: EGL and GBM opened on the same fd (or dup()s of it) must share
 * buffers by GEM handle, and handles are per file description. Keyed like lima's fd table
 * (util_hash_table_create_fd_keys compares the files, not the fd numbers). One fd does KMS and
 * rendering: no kmsro/renderonly.
 */
#include <unistd.h>

#include "c11/threads.h"
#include "util/os_file.h"
#include "util/u_hash_table.h"
#include "util/u_pointer.h"

#include "vgpu_drm_public.h"

#include "vgpu/vgpu_screen.h"

static struct hash_table *fd_tab = NULL;
static mtx_t vgpu_screen_mutex = _MTX_INITIALIZER_NP;

static void
vgpu_drm_screen_destroy(struct pipe_screen *pscreen)
{
   struct vgpu_screen *screen = vgpu_screen(pscreen);
   bool destroy;
   int fd = screen->fd;

   mtx_lock(&vgpu_screen_mutex);
   destroy = --screen->refcnt == 0;
   if (destroy) {
      _mesa_hash_table_remove_key(fd_tab, intptr_to_pointer(fd));
      if (!fd_tab->entries) {
         _mesa_hash_table_destroy(fd_tab, NULL);
         fd_tab = NULL;
      }
   }
   mtx_unlock(&vgpu_screen_mutex);

   if (destroy) {
      pscreen->destroy = screen->winsys_destroy;
      pscreen->destroy(pscreen);
      close(fd);
   }
}

struct pipe_screen *
vgpu_drm_screen_create(int fd, const struct pipe_screen_config *config)
{
   struct pipe_screen *pscreen = NULL;

   mtx_lock(&vgpu_screen_mutex);
   if (!fd_tab) {
      fd_tab = util_hash_table_create_fd_keys();
      if (!fd_tab)
         goto unlock;
   }

   pscreen = util_hash_table_get(fd_tab, intptr_to_pointer(fd));
   if (pscreen) {
      vgpu_screen(pscreen)->refcnt++;
   } else {
      int dup_fd = os_dupfd_cloexec(fd);

      pscreen = vgpu_screen_create(dup_fd, config);
      if (pscreen) {
         _mesa_hash_table_insert(fd_tab, intptr_to_pointer(dup_fd), pscreen);
         /* The driver cannot call into the winsys (no circular link): the winsys wraps destroy. */
         vgpu_screen(pscreen)->winsys_destroy = pscreen->destroy;
         pscreen->destroy = vgpu_drm_screen_destroy;
      } else {
         close(dup_fd);
      }
   }

unlock:
   mtx_unlock(&vgpu_screen_mutex);
   return pscreen;
}
