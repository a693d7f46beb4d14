// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects: where they live and how they are shared. A buffer object is either in VRAM (a
 * drm_gem_vram object: dumb buffers, framebuffers, GEM_CREATE without flags) or in guest system
 * memory (a drm_gem_shmem object: GEM_CREATE with DRM_VGPU_GEM_CREATE_SYSMEM), whose pages the
 * device reaches by bus address through SYSMEM page-table entries (hw-spec 4.2). PRIME shares
 * system-memory objects only: a dma-buf of BAR memory would hand importers an I/O range most of
 * them cannot use, so exporting a VRAM object fails with EOPNOTSUPP. Imported dma-bufs, of this
 * device or another, are system-memory objects.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_prime.h>
#include <drm/ttm/ttm_bo_api.h>

#include "vgpu_drv.h"

static unsigned int pinned_sysmem_limit_mb;
module_param(pinned_sysmem_limit_mb, uint, 0444);
MODULE_PARM_DESC(pinned_sysmem_limit_mb,
		 "system memory one open file may pin for the GPU, in MiB (default 0: half the RAM)");

/* Bytes of system memory one file's mappings may pin (VM_BIND fails with ENOSPC beyond). */
u64 vgpu_gem_sysmem_pin_limit(void)
{
	if (pinned_sysmem_limit_mb)
		return (u64)pinned_sysmem_limit_mb << 20;
	return ((u64)totalram_pages() << PAGE_SHIFT) / 2;
}

static void vgpu_gem_sysmem_free(struct drm_gem_object *obj)
{
	struct vgpu_device *vdev = to_vgpu(obj->dev);

	drm_gem_shmem_object_free(obj);
	atomic_dec(&vdev->sysmem_objects_alive);
}

/* The shmem helper's defaults but for counting; their address tells system-memory objects from VRAM
 * ones. */
static const struct drm_gem_object_funcs vgpu_gem_sysmem_funcs = {
	.free = vgpu_gem_sysmem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

bool vgpu_gem_is_sysmem(const struct drm_gem_object *obj)
{
	return obj->funcs == &vgpu_gem_sysmem_funcs;
}

/* Whether mapping obj pins pages of this guest's memory: not for another device's dma-buf, whose
 * exporter keeps its pages. */
bool vgpu_gem_pins_sysmem(const struct drm_gem_object *obj)
{
	return vgpu_gem_is_sysmem(obj) && !obj->import_attach;
}

/* Makes a shmem object one of the driver's system-memory objects. */
static struct drm_gem_object *vgpu_gem_sysmem_adopt(struct drm_gem_object *obj)
{
	obj->funcs = &vgpu_gem_sysmem_funcs;
	atomic_inc(&to_vgpu(obj->dev)->sysmem_objects_alive);
	return obj;
}

static struct drm_gem_object *vgpu_gem_create(struct vgpu_device *vdev, u64 size, u32 flags)
{
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_vram_object *gbo;

	if (flags & DRM_VGPU_GEM_CREATE_SYSMEM) {
		/* Pages come on first use; an object that could never be backed is refused now. */
		if (size >> PAGE_SHIFT > totalram_pages())
			return ERR_PTR(-ENOMEM);
		shmem = drm_gem_shmem_create(&vdev->drm, size);
		if (IS_ERR(shmem))
			return ERR_CAST(shmem);
		/* x86 DMA is cache-coherent: the CPU maps the pages cached. */
		shmem->map_wc = false;
		return vgpu_gem_sysmem_adopt(&shmem->base);
	}
	if (size > vdev->vram_size)
		return ERR_PTR(-ENOMEM);
	gbo = drm_gem_vram_create(&vdev->drm, size, 0);
	if (IS_ERR(gbo))
		return ERR_CAST(gbo);
	return &gbo->bo.base;
}

int vgpu_gem_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_vgpu_gem_create *args = data;
	struct drm_gem_object *obj;
	int ret;

	if ((args->flags & ~DRM_VGPU_GEM_CREATE_SYSMEM) || !args->size ||
	    args->size > U64_MAX - PAGE_SIZE)
		return -EINVAL;
	obj = vgpu_gem_create(to_vgpu(drm), PAGE_ALIGN(args->size), args->flags);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = drm_gem_handle_create(file, obj, &args->handle);
	drm_gem_object_put(obj);
	return ret;
}

int vgpu_gem_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_vgpu_gem_info *args = data;
	struct drm_gem_object *obj;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	args->size = obj->size;
	drm_gem_object_put(obj);
	return drm_gem_ttm_dumb_map_offset(file, drm, args->handle, &args->mmap_offset);
}

static int vgpu_gem_pin(struct drm_gem_object *obj, struct vgpu_bo_placement *placement)
{
	struct drm_gem_vram_object *gbo;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	int ret;

	if (vgpu_gem_is_sysmem(obj)) {
		shmem = to_drm_gem_shmem_obj(obj);
		/* Another device's dma-buf: its exporter keeps the pages; the attachment's table
		 * holds their bus addresses for this device. */
		if (obj->import_attach) {
			*placement = (struct vgpu_bo_placement){ .sgt = shmem->sgt };
			return 0;
		}
		ret = drm_gem_shmem_pin(shmem);
		if (ret)
			return ret;
		/* Maps the pages for the device once; the mapping lives as long as the object. */
		sgt = drm_gem_shmem_get_pages_sgt(shmem);
		if (IS_ERR(sgt)) {
			drm_gem_shmem_unpin(shmem);
			return PTR_ERR(sgt);
		}
		*placement = (struct vgpu_bo_placement){ .sgt = sgt };
		return 0;
	}
	gbo = drm_gem_vram_of_gem(obj);
	ret = drm_gem_vram_pin(gbo, DRM_GEM_VRAM_PL_FLAG_VRAM);
	if (ret)
		return ret;
	*placement = (struct vgpu_bo_placement){ .vram_offset = drm_gem_vram_offset(gbo) };
	if (placement->vram_offset < 0) {
		drm_gem_vram_unpin(gbo);
		return placement->vram_offset;
	}
	return 0;
}

int vgpu_gem_pin_for_gpu(struct drm_gem_object *obj, struct vgpu_bo_placement *placement)
{
	int ret = vgpu_gem_pin(obj, placement);

	if (!ret)
		atomic_inc(&to_vgpu(obj->dev)->gpu_pins);
	return ret;
}

/*
 * Cannot fail, so the pin cannot leak: drm_gem_vram_unpin() reserves the buffer interruptibly and
 * gives up when a signal is pending, which left the buffer pinned for good (and ttm_bo_release()
 * warning when it is freed). The reservation is only held briefly by others (SUBMIT, KMS).
 */
void vgpu_gem_unpin_for_gpu(struct drm_gem_object *obj)
{
	struct ttm_buffer_object *bo;

	atomic_dec(&to_vgpu(obj->dev)->gpu_pins);
	if (vgpu_gem_is_sysmem(obj)) {
		if (!obj->import_attach)
			drm_gem_shmem_unpin(to_drm_gem_shmem_obj(obj));
		return;
	}
	bo = &drm_gem_vram_of_gem(obj)->bo;
	dma_resv_lock(bo->base.resv, NULL);
	ttm_bo_unpin(bo);
	dma_resv_unlock(bo->base.resv);
}

int vgpu_gem_prime_handle_to_fd(struct drm_device *drm, struct drm_file *file, u32 handle,
				u32 flags, int *prime_fd)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);
	bool sysmem;

	if (!obj)
		return -ENOENT;
	sysmem = vgpu_gem_is_sysmem(obj);
	drm_gem_object_put(obj);
	if (!sysmem)
		return -EOPNOTSUPP;
	return drm_gem_prime_handle_to_fd(drm, file, handle, flags, prime_fd);
}

/* A dma-buf of another device becomes a system-memory object over the exporter's pages, mapped for
 * this device by the attachment (DMA_BIDIRECTIONAL). */
struct drm_gem_object *vgpu_gem_prime_import_sg_table(struct drm_device *drm,
						      struct dma_buf_attachment *attach,
						      struct sg_table *sgt)
{
	struct drm_gem_object *obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);

	return IS_ERR(obj) ? obj : vgpu_gem_sysmem_adopt(obj);
}
