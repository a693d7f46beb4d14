/* SPDX-License-Identifier: MIT */
/*
 * Fences are sync_file fds (PIPE_CAP_NATIVE_FENCE_FD: EGL_ANDROID_native_fence_sync, kmscube -A). A fence
 * the context must wait for goes into the next job's SUBMIT as its in-fence.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "util/libsync.h"
#include "util/os_file.h"
#include "util/os_time.h"
#include "util/u_inlines.h"
#include "util/u_memory.h"

#include "vgpu_context.h"
#include "vgpu_fence.h"
#include "vgpu_screen.h"

struct pipe_fence_handle {
   struct pipe_reference reference;
   int fd;
};

static struct pipe_fence_handle *
vgpu_fence_create(int fd)
{
   struct pipe_fence_handle *fence = CALLOC_STRUCT(pipe_fence_handle);
   if (!fence) {
      close(fd);
      return NULL;
   }
   pipe_reference_init(&fence->reference, 1);
   fence->fd = fd;
   return fence;
}

struct pipe_fence_handle *
vgpu_fence_create_from_syncobj(struct vgpu_context *ctx)
{
   struct vgpu_screen *screen = vgpu_screen(ctx->base.screen);
   int fd;

   if (drmSyncobjExportSyncFile(screen->fd, ctx->syncobj, &fd)) {
      fprintf(stderr, "vgpu: cannot export the job's fence: %s\n", strerror(errno));
      return NULL;
   }
   return vgpu_fence_create(fd);
}

static void
vgpu_fence_reference(struct pipe_screen *pscreen, struct pipe_fence_handle **ptr,
                     struct pipe_fence_handle *fence)
{
   if (pipe_reference(*ptr ? &(*ptr)->reference : NULL, fence ? &fence->reference : NULL)) {
      close((*ptr)->fd);
      FREE(*ptr);
   }
   *ptr = fence;
}

static int
timeout_ms(uint64_t timeout_ns)
{
   uint64_t ms = DIV_ROUND_UP(timeout_ns, 1000000);
   return timeout_ns == OS_TIMEOUT_INFINITE || ms > INT_MAX ? -1 : (int)ms;
}

static bool
vgpu_fence_finish(struct pipe_screen *pscreen, struct pipe_context *pctx, struct pipe_fence_handle *fence,
                  uint64_t timeout)
{
   /* Our own unsubmitted packets come before the fence: submit them (flush_deferred fences). */
   if (pctx)
      vgpu_job_flush(vgpu_context(pctx));
   return sync_wait(fence->fd, timeout_ms(timeout)) == 0;
}

static int
vgpu_fence_get_fd(struct pipe_screen *pscreen, struct pipe_fence_handle *fence)
{
   return os_dupfd_cloexec(fence->fd);
}

static void
vgpu_create_fence_fd(struct pipe_context *pctx, struct pipe_fence_handle **fence, int fd,
                     enum pipe_fd_type type)
{
   *fence = type == PIPE_FD_TYPE_NATIVE_SYNC ? vgpu_fence_create(os_dupfd_cloexec(fd)) : NULL;
}

static void
vgpu_fence_server_sync(struct pipe_context *pctx, struct pipe_fence_handle *fence)
{
   struct vgpu_context *ctx = vgpu_context(pctx);

   /* The next job waits for it; two waits in one job: the earlier one is waited for on the CPU. */
   if (ctx->in_fence_fd >= 0) {
      sync_wait(ctx->in_fence_fd, -1);
      close(ctx->in_fence_fd);
   }
   ctx->in_fence_fd = os_dupfd_cloexec(fence->fd);
}

void
vgpu_fence_screen_init(struct vgpu_screen *screen)
{
   screen->base.fence_reference = vgpu_fence_reference;
   screen->base.fence_finish = vgpu_fence_finish;
   screen->base.fence_get_fd = vgpu_fence_get_fd;
}

void
vgpu_fence_context_init(struct vgpu_context *ctx)
{
   ctx->base.create_fence_fd = vgpu_create_fence_fd;
   ctx->base.fence_server_sync = vgpu_fence_server_sync;
}
