/* SPDX-License-Identifier: MIT */
/*
 * vgpu.ko's UAPI answered by libvgpu in the process (drm-shim backend, LD_PRELOAD). What the kernel does
 * with the real device happens here with the model: VRAM is drm-shim's BO memory, the ring and page tables
 * live in it, SUBMIT writes SET_CONTEXT / MMU_INVALIDATE / INDIRECT / FENCE to the ring as vgpu_ring.c does
 * and waits until the GPU is idle, so every job is complete when SUBMIT returns. Fences and syncobjs are
 * therefore always signalled: syncobj and sync_file fds are readable eventfds.
 *
 * Not emulated: KMS, PRIME, sync_file merging, system-memory objects (placed in VRAM). Objects and
 * mappings a file leaves behind at close() stay allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "drm-uapi/vgpu_drm.h"
#include "util/u_atomic.h"
#include "util/u_math.h"
#include "vgpu/vgpu.h"
#include "vgpu/vgpu_pkt.h"

#include "vgpu_shim.h"

/* drm-shim's own table of core ioctls (device.c): the syncobj entries are replaced below. */
extern ioctl_fn_t core_ioctls[];

bool drm_shim_driver_prefers_first_render_node = true;

#define SHIM_VRAM_SIZE (4ull << 30) /* drm-shim's memfd: SHIM_MEM_SIZE in device.c */
#define SHIM_RING_SIZE (64u << 10)
#define SHIM_JOB_TIMEOUT_MS 20000

/* A buffer object: drm-shim's shim_bo plus our reference count (handles + GPU mappings). drm-shim's own
 * refcount is kept at 1 so that its put never frees the object behind our back (its put frees unless the
 * count drops to exactly 0). */
struct vgpu_shim_bo {
   struct shim_bo base;
   int refs;
};

static struct {
   mtx_t lock; /* every ioctl of ours: the ring, the files, the page tables */
   struct vgpu *gpu;
   uint8_t *vram;
   uint64_t ring_pa, status_pa;
   uint32_t ring_tail;
   uint64_t next_fence_seq;
   uint32_t current_asid; /* context the ring last switched to */
   uint32_t next_asid;
   uint32_t next_syncobj;
   struct hash_table *files; /* struct shim_fd * -> struct vgpu_shim_file * */
} shim;

static int
fail(int err)
{
   errno = err;
   return -1;
}

void *
vgpu_shim_vram(uint64_t pa)
{
   return shim.vram + pa;
}

uint64_t
vgpu_shim_alloc_pages(uint64_t size)
{
   mtx_lock(&shim_device.mem_lock);
   uint64_t pa = util_vma_heap_alloc(&shim_device.mem_heap, ALIGN(size, VGPU_PAGE_SIZE), VGPU_PAGE_SIZE);
   mtx_unlock(&shim_device.mem_lock);
   if (pa)
      memset(shim.vram + pa, 0, size);
   return pa;
}

static struct vgpu_shim_file *
file_of(int fd)
{
   struct shim_fd *shim_fd = drm_shim_fd_lookup(fd);
   struct hash_entry *entry = _mesa_hash_table_search(shim.files, shim_fd);
   if (entry)
      return entry->data;

   struct vgpu_shim_file *file = calloc(1, sizeof(*file));
   if (!file || vgpu_shim_vm_init(file) != 0) {
      free(file);
      return NULL;
   }
   file->asid = ++shim.next_asid;
   file->tables_changed = true;
   _mesa_hash_table_insert(shim.files, shim_fd, file);
   return file;
}

/* A handle's object with drm-shim's lookup reference already given back (we count our own). */
static struct vgpu_shim_bo *
bo_lookup(int fd, uint32_t handle)
{
   struct shim_bo *bo = drm_shim_bo_lookup(drm_shim_fd_lookup(fd), handle);
   if (!bo)
      return NULL;
   p_atomic_dec(&bo->refcount);
   return (struct vgpu_shim_bo *)bo;
}

void
vgpu_shim_bo_ref(struct shim_bo *bo)
{
   ((struct vgpu_shim_bo *)bo)->refs++;
}

void
vgpu_shim_bo_unref(struct shim_bo *bo)
{
   if (--((struct vgpu_shim_bo *)bo)->refs > 0)
      return;
   /* drm-shim frees when its count leaves 0 downwards. */
   bo->refcount = 0;
   drm_shim_bo_put(bo);
}

static void
shim_bo_free(struct shim_bo *bo)
{
   mtx_lock(&shim_device.mem_lock);
   _mesa_hash_table_u64_remove(shim_device.offset_map, bo->mem_addr);
   mtx_unlock(&shim_device.mem_lock);
}

static int
vgpu_ioctl_get_param(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_get_param *gp = arg;

   if (gp->pad)
      return fail(EINVAL);
   switch (gp->param) {
   case DRM_VGPU_PARAM_DEVICE_VERSION:
      gp->value = vgpu_reg_read(shim.gpu, VGPU_REG_VERSION);
      return 0;
   case DRM_VGPU_PARAM_CAPS:
      gp->value = vgpu_reg_read(shim.gpu, VGPU_REG_CAPS);
      return 0;
   case DRM_VGPU_PARAM_VRAM_SIZE:
      gp->value = SHIM_VRAM_SIZE;
      return 0;
   case DRM_VGPU_PARAM_MAX_SURFACE_DIM:
      gp->value = vgpu_reg_read(shim.gpu, VGPU_REG_MAX_SURFACE_DIM);
      return 0;
   case DRM_VGPU_PARAM_WARP_LANES:
      gp->value = vgpu_reg_read(shim.gpu, VGPU_REG_WARP_LANES);
      return 0;
   case DRM_VGPU_PARAM_REFRESH_MHZ:
      gp->value = vgpu_reg_read(shim.gpu, VGPU_REG_REFRESH_MHZ);
      return 0;
   default:
      return fail(EINVAL);
   }
}

static int
vgpu_ioctl_gem_create(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_gem_create *create = arg;

   if (!create->size || create->flags & ~DRM_VGPU_GEM_CREATE_SYSMEM)
      return fail(EINVAL);
   /* drm-shim's objects have 32-bit sizes. */
   if (create->size > SHIM_VRAM_SIZE / 2)
      return fail(ENOMEM);

   struct vgpu_shim_bo *bo = calloc(1, sizeof(*bo));
   if (!bo)
      return fail(ENOMEM);
   if (drm_shim_bo_init(&bo->base, ALIGN(create->size, VGPU_PAGE_SIZE)) != 0) {
      free(bo);
      return fail(ENOMEM);
   }
   /* Fresh objects read zeros, as the kernel's do. */
   memset(shim.vram + bo->base.mem_addr, 0, bo->base.size);
   bo->refs = 1;
   create->handle = drm_shim_bo_get_handle(drm_shim_fd_lookup(fd), &bo->base);
   return 0;
}

static int
vgpu_ioctl_gem_info(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_gem_info *info = arg;

   if (info->pad)
      return fail(EINVAL);
   struct vgpu_shim_bo *bo = bo_lookup(fd, info->handle);
   if (!bo)
      return fail(ENOENT);
   info->size = bo->base.size;
   info->mmap_offset = drm_shim_bo_get_mmap_offset(drm_shim_fd_lookup(fd), &bo->base);
   return 0;
}

static int
vgpu_ioctl_gem_close(int fd, unsigned long request, void *arg)
{
   struct drm_gem_close *close_args = arg;
   struct shim_fd *shim_fd = drm_shim_fd_lookup(fd);

   if (!close_args->handle)
      return 0;
   mtx_lock(&shim_fd->handle_lock);
   struct hash_entry *entry =
      _mesa_hash_table_search(shim_fd->handles, (void *)(uintptr_t)close_args->handle);
   struct shim_bo *bo = entry ? entry->data : NULL;
   if (entry)
      _mesa_hash_table_remove(shim_fd->handles, entry);
   mtx_unlock(&shim_fd->handle_lock);
   if (!bo)
      return fail(EINVAL);
   mtx_lock(&shim.lock);
   vgpu_shim_bo_unref(bo);
   mtx_unlock(&shim.lock);
   return 0;
}

static int
vgpu_ioctl_vm_bind(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_vm_bind *bind = arg;
   int ret;

   if (bind->pad)
      return fail(EINVAL);
   mtx_lock(&shim.lock);
   struct vgpu_shim_file *file = file_of(fd);
   if (!file) {
      ret = -ENOMEM;
   } else if (bind->op == DRM_VGPU_VM_BIND_MAP && !(bind->flags & ~DRM_VGPU_VM_BIND_READ_ONLY)) {
      struct vgpu_shim_bo *bo = bo_lookup(fd, bind->handle);
      ret = bo ? vgpu_shim_vm_map(file, &bo->base, bind->va, !(bind->flags & DRM_VGPU_VM_BIND_READ_ONLY))
               : -ENOENT;
   } else if (bind->op == DRM_VGPU_VM_BIND_UNMAP && !bind->flags && !bind->handle) {
      /* Jobs are complete when SUBMIT returns: nothing to wait for. */
      ret = vgpu_shim_vm_unmap(file, bind->va);
   } else {
      ret = -EINVAL;
   }
   mtx_unlock(&shim.lock);
   return ret ? fail(-ret) : 0;
}

static void
ring_write(const struct vgpu_cmdbuf *cb)
{
   uint32_t *ring = vgpu_shim_vram(shim.ring_pa);
   for (uint32_t i = 0; i < cb->count; i++) {
      ring[shim.ring_tail / 4] = cb->dw[i];
      shim.ring_tail = (shim.ring_tail + 4) % SHIM_RING_SIZE;
   }
   vgpu_reg_write(shim.gpu, VGPU_REG_RING_TAIL, shim.ring_tail);
}

/* The fault the job just caused, if any, into the file's record (the device's record is global; jobs run
 * one at a time, so it is this job's). */
static void
collect_fault(struct vgpu_shim_file *file, uint64_t seqno)
{
   if (!(vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_STATUS) & VGPU_FAULT_STATUS_VALID))
      return;
   file->fault_count++;
   file->fault_type = vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_TYPE);
   file->fault_info = vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_INFO);
   file->fault_addr = vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_ADDR_LO) |
                      (uint64_t)vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_ADDR_HI) << 32;
   file->fault_ib_pos = vgpu_reg_read(shim.gpu, VGPU_REG_FAULT_IB_POS);
   file->fault_seqno = seqno;
   vgpu_reg_write(shim.gpu, VGPU_REG_FAULT_ACK, 1);
}

/* The same checks as vgpu.ko's SUBMIT, in the same order of errnos. */
static int
submit_validate(int fd, const struct drm_vgpu_submit *submit)
{
   if (submit->pad || submit->flags & ~(DRM_VGPU_SUBMIT_IN_FENCE_FD | DRM_VGPU_SUBMIT_OUT_FENCE_FD) ||
       !submit->cmdbuf_count || submit->cmdbuf_count > DRM_VGPU_SUBMIT_MAX_CMDBUFS ||
       submit->bo_count > DRM_VGPU_SUBMIT_MAX_BOS || submit->in_sync_count > DRM_VGPU_SUBMIT_MAX_SYNCS ||
       submit->out_sync_count > DRM_VGPU_SUBMIT_MAX_SYNCS)
      return -EINVAL;

   const struct drm_vgpu_cmdbuf *cmdbufs = (void *)(uintptr_t)submit->cmdbufs;
   for (uint32_t i = 0; i < submit->cmdbuf_count; i++) {
      if (cmdbufs[i].pad || cmdbufs[i].va & 3 || !cmdbufs[i].size_dwords ||
          cmdbufs[i].size_dwords > VGPU_IB_MAX_DWORDS)
         return -EINVAL;
   }
   const struct drm_vgpu_submit_bo *bos = (void *)(uintptr_t)submit->bos;
   for (uint32_t i = 0; i < submit->bo_count; i++) {
      if (bos[i].flags & ~DRM_VGPU_SUBMIT_BO_WRITE)
         return -EINVAL;
      if (!bo_lookup(fd, bos[i].handle))
         return -ENOENT;
   }
   const struct drm_vgpu_sync *syncs[2] = {(void *)(uintptr_t)submit->in_syncs,
                                           (void *)(uintptr_t)submit->out_syncs};
   uint32_t counts[2] = {submit->in_sync_count, submit->out_sync_count};
   for (int list = 0; list < 2; list++) {
      for (uint32_t i = 0; i < counts[list]; i++) {
         if (syncs[list][i].flags)
            return -EINVAL;
         if (!syncs[list][i].handle || syncs[list][i].handle > shim.next_syncobj)
            return -ENOENT;
      }
   }
   return 0;
}

static int
vgpu_ioctl_submit(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_submit *submit = arg;
   uint32_t words[8 + 4 * DRM_VGPU_SUBMIT_MAX_CMDBUFS + 6];
   struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, ARRAY_SIZE(words));

   mtx_lock(&shim.lock);
   struct vgpu_shim_file *file = file_of(fd);
   int ret = file ? submit_validate(fd, submit) : -ENOMEM;
   if (ret) {
      mtx_unlock(&shim.lock);
      return fail(-ret);
   }

   if (shim.current_asid != file->asid || file->tables_changed) {
      vgpu_pkt_set_context(&cb, file->asid, file->root_pa);
      vgpu_pkt_mmu_invalidate(&cb);
      shim.current_asid = file->asid;
      file->tables_changed = false;
   }
   const struct drm_vgpu_cmdbuf *cmdbufs = (void *)(uintptr_t)submit->cmdbufs;
   for (uint32_t i = 0; i < submit->cmdbuf_count; i++)
      vgpu_pkt_indirect(&cb, cmdbufs[i].va, cmdbufs[i].size_dwords);
   vgpu_pkt_fence(&cb, shim.status_pa, ++shim.next_fence_seq, 0);
   ring_write(&cb);
   bool idle = vgpu_wait_idle(shim.gpu, SHIM_JOB_TIMEOUT_MS);
   submit->seqno = ++file->next_seqno;
   collect_fault(file, submit->seqno);
   mtx_unlock(&shim.lock);

   if (!idle) {
      fprintf(stderr, "vgpu drm-shim: job %llu did not finish within %u ms\n",
              (unsigned long long)submit->seqno, SHIM_JOB_TIMEOUT_MS);
   }
   if (submit->flags & DRM_VGPU_SUBMIT_OUT_FENCE_FD) {
      submit->out_fence_fd = eventfd(1, EFD_CLOEXEC);
      if (submit->out_fence_fd < 0)
         return -1;
   }
   return 0;
}

static int
vgpu_ioctl_wait_bo(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_wait_bo *wait = arg;

   if (wait->flags & ~DRM_VGPU_WAIT_BO_WRITERS)
      return fail(EINVAL);
   /* Every job is complete when SUBMIT returns. */
   return bo_lookup(fd, wait->handle) ? 0 : fail(ENOENT);
}

static int
vgpu_ioctl_get_fault(int fd, unsigned long request, void *arg)
{
   struct drm_vgpu_get_fault *fault = arg;

   if (fault->pad || fault->pad2)
      return fail(EINVAL);
   mtx_lock(&shim.lock);
   struct vgpu_shim_file *file = file_of(fd);
   if (file) {
      fault->count = file->fault_count;
      fault->type = file->fault_type;
      fault->info = file->fault_info;
      fault->ib_pos = file->fault_ib_pos;
      fault->addr = file->fault_addr;
      fault->seqno = file->fault_seqno;
   }
   mtx_unlock(&shim.lock);
   return file ? 0 : fail(ENOMEM);
}

/* Syncobjs: jobs are synchronous, so every syncobj is signalled; handles are unique per process. */
static int
syncobj_create(int fd, unsigned long request, void *arg)
{
   struct drm_syncobj_create *create = arg;

   mtx_lock(&shim.lock);
   create->handle = ++shim.next_syncobj;
   mtx_unlock(&shim.lock);
   return 0;
}

static int
syncobj_signalled(int fd, unsigned long request, void *arg)
{
   return 0;
}

static int
syncobj_handle_to_fd(int fd, unsigned long request, void *arg)
{
   struct drm_syncobj_handle *args = arg;

   args->fd = eventfd(1, EFD_CLOEXEC);
   return args->fd < 0 ? -1 : 0;
}

static int
syncobj_fd_to_handle(int fd, unsigned long request, void *arg)
{
   struct drm_syncobj_handle *args = arg;

   /* Importing a sync_file into an existing syncobj keeps its handle. */
   if (!(args->flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)) {
      mtx_lock(&shim.lock);
      args->handle = ++shim.next_syncobj;
      mtx_unlock(&shim.lock);
   }
   return 0;
}

static ioctl_fn_t driver_ioctls[] = {
   [DRM_VGPU_GET_PARAM] = vgpu_ioctl_get_param,
   [DRM_VGPU_GEM_CREATE] = vgpu_ioctl_gem_create,
   [DRM_VGPU_GEM_INFO] = vgpu_ioctl_gem_info,
   [DRM_VGPU_VM_BIND] = vgpu_ioctl_vm_bind,
   [DRM_VGPU_SUBMIT] = vgpu_ioctl_submit,
   [DRM_VGPU_WAIT_BO] = vgpu_ioctl_wait_bo,
   [DRM_VGPU_GET_FAULT] = vgpu_ioctl_get_fault,
};

static int
host_dma_refused(void *opaque, uint64_t bus_addr, void *buf, size_t len)
{
   return -1;
}

static int
host_dma_write_refused(void *opaque, uint64_t bus_addr, const void *buf, size_t len)
{
   return -1;
}

static void
host_irq_notify(void *opaque)
{
}

static void
host_log_guest_error(void *opaque, const char *message)
{
   if (getenv("VGPU_SHIM_DEBUG"))
      fprintf(stderr, "vgpu drm-shim: %s\n", message);
}

static const struct vgpu_host_ops host_ops = {
   .dma_read = host_dma_refused,
   .dma_write = host_dma_write_refused,
   .irq_notify = host_irq_notify,
   .log_guest_error = host_log_guest_error,
};

static void
die(const char *what)
{
   fprintf(stderr, "vgpu drm-shim: %s\n", what);
   exit(1);
}

void
drm_shim_driver_init(void)
{
   char error[256];

   shim_device.bus_type = DRM_BUS_PLATFORM;
   shim_device.driver_name = "vgpu";
   shim_device.driver_ioctls = driver_ioctls;
   shim_device.driver_ioctl_count = ARRAY_SIZE(driver_ioctls);
   shim_device.driver_bo_free = shim_bo_free;
   shim_device.version_major = DRM_VGPU_VERSION_MAJOR;
   shim_device.version_minor = DRM_VGPU_VERSION_MINOR;
   shim_device.version_patchlevel = 0;

   core_ioctls[_IOC_NR(DRM_IOCTL_GEM_CLOSE)] = vgpu_ioctl_gem_close;
   core_ioctls[_IOC_NR(DRM_IOCTL_SYNCOBJ_CREATE)] = syncobj_create;
   core_ioctls[_IOC_NR(DRM_IOCTL_SYNCOBJ_DESTROY)] = syncobj_signalled;
   core_ioctls[_IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT)] = syncobj_signalled;
   core_ioctls[_IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD)] = syncobj_handle_to_fd;
   core_ioctls[_IOC_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE)] = syncobj_fd_to_handle;

   drm_shim_override_file("DRIVER=vgpu\n"
                          "OF_FULLNAME=/vgpu\n"
                          "OF_COMPATIBLE_0=vgpu\n"
                          "OF_COMPATIBLE_N=1\n",
                          "/sys/dev/char/%d:%d/device/uevent", DRM_MAJOR, render_node_minor);

   mtx_init(&shim.lock, mtx_plain);
   shim.files = _mesa_pointer_hash_table_create(NULL);
   /* VRAM is the whole memfd drm-shim allocates objects from (sparse: untouched pages cost nothing). */
   shim.vram = mmap(NULL, SHIM_VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, shim_device.mem_fd, 0);
   if (shim.vram == MAP_FAILED)
      die("cannot map the shim's memory as VRAM");
   struct vgpu_config config = {
      .vram = shim.vram,
      .vram_size = SHIM_VRAM_SIZE,
      .ops = &host_ops,
   };
   shim.gpu = vgpu_create(&config, error, sizeof(error));
   if (!shim.gpu)
      die(error);

   shim.ring_pa = vgpu_shim_alloc_pages(SHIM_RING_SIZE);
   shim.status_pa = vgpu_shim_alloc_pages(VGPU_PAGE_SIZE);
   if (!shim.ring_pa || !shim.status_pa)
      die("no memory for the ring");
   vgpu_reg_write(shim.gpu, VGPU_REG_RING_BASE_LO, (uint32_t)shim.ring_pa);
   vgpu_reg_write(shim.gpu, VGPU_REG_RING_BASE_HI, (uint32_t)(shim.ring_pa >> 32));
   vgpu_reg_write(shim.gpu, VGPU_REG_RING_SIZE, SHIM_RING_SIZE);
   vgpu_reg_write(shim.gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
}
