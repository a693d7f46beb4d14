// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GPU address spaces (hw-spec 4.2), one per open file: an ASID and three levels of page tables,
 * each table one DMA-coherent system-memory page that only this file writes. User space places
 * whole buffer objects at VAs of its choice; a mapped buffer is pinned where it is (its page-table
 * entries name its VRAM pages, or its system-memory pages by bus address with the SYSMEM bit) until
 * it is unmapped, and the file can reach nothing else.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_gem.h>

#include "vgpu_drv.h"

#define VGPU_PT_ENTRIES 512
#define VGPU_PT_SHIFT(level) (12 + 9 * (level))
#define VGPU_PT_INDEX(va, level) (((va) >> VGPU_PT_SHIFT(level)) & (VGPU_PT_ENTRIES - 1))
#define VGPU_VA_LIMIT (1ull << DRM_VGPU_VA_BITS)

struct vgpu_mapping {
	struct drm_mm_node node; /* in pages of 4 KiB, as VAs >> PAGE_SHIFT */
	struct list_head link;
	struct drm_gem_object *obj;
};

static struct device *vgpu_vm_dma_dev(struct vgpu_vm *vm)
{
	return vm->vdev->drm.dev;
}

static int vgpu_pt_alloc(struct vgpu_vm *vm, struct vgpu_page_table *pt, unsigned int level)
{
	pt->entries = dma_alloc_coherent(vgpu_vm_dma_dev(vm), PAGE_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->entries)
		return -ENOMEM;
	pt->children = NULL;
	if (level > 0) {
		pt->children = kcalloc(VGPU_PT_ENTRIES, sizeof(*pt->children), GFP_KERNEL);
		if (!pt->children) {
			dma_free_coherent(vgpu_vm_dma_dev(vm), PAGE_SIZE, pt->entries, pt->dma);
			return -ENOMEM;
		}
	}
	return 0;
}

static void vgpu_pt_free(struct vgpu_vm *vm, struct vgpu_page_table *pt, unsigned int level)
{
	unsigned int i;

	if (pt->children) {
		for (i = 0; i < VGPU_PT_ENTRIES; i++) {
			if (!pt->children[i])
				continue;
			vgpu_pt_free(vm, pt->children[i], level - 1);
			kfree(pt->children[i]);
		}
		kfree(pt->children);
	}
	dma_free_coherent(vgpu_vm_dma_dev(vm), PAGE_SIZE, pt->entries, pt->dma);
}

/* The leaf entry of va, allocating the tables on the way; NULL when out of memory. */
static u64 *vgpu_vm_leaf_entry(struct vgpu_vm *vm, u64 va, bool allocate)
{
	struct vgpu_page_table *pt = &vm->root;
	unsigned int level;

	for (level = 2; level > 0; level--) {
		unsigned int index = VGPU_PT_INDEX(va, level);
		struct vgpu_page_table *child = pt->children[index];

		if (!child) {
			if (!allocate)
				return NULL;
			child = kzalloc(sizeof(*child), GFP_KERNEL);
			if (!child || vgpu_pt_alloc(vm, child, level - 1)) {
				kfree(child);
				return NULL;
			}
			pt->children[index] = child;
			/* Table entries: VALID and where the next table is, never WRITE
			 * (hw-spec 4.2). */
			WRITE_ONCE(pt->entries[index], VGPU_PTE_VALID | VGPU_PTE_SYSMEM |
							       (child->dma & VGPU_PTE_ADDR_MASK));
		}
		pt = child;
	}
	return &pt->entries[VGPU_PT_INDEX(va, 0)];
}

static void vgpu_vm_clear_range(struct vgpu_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;
	u64 *entry;

	for (; va < end; va += PAGE_SIZE) {
		entry = vgpu_vm_leaf_entry(vm, va, false);
		if (entry)
			WRITE_ONCE(*entry, 0);
	}
	atomic_set(&vm->tables_changed, 1);
}

int vgpu_vm_init(struct vgpu_device *vdev, struct vgpu_vm *vm)
{
	int ret;

	vm->vdev = vdev;
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->mappings);
	drm_mm_init(&vm->va_space, 0, VGPU_VA_LIMIT >> PAGE_SHIFT);
	ret = ida_alloc_range(&vdev->asids, 1, 0xffff, GFP_KERNEL);
	if (ret < 0)
		goto err_mm;
	vm->asid = ret;
	vm->id = atomic64_inc_return(&vdev->next_vm_id);
	ret = vgpu_pt_alloc(vm, &vm->root, 2);
	if (ret)
		goto err_asid;
	atomic_set(&vm->tables_changed, 1);
	atomic_inc(&vdev->vms_alive);
	return 0;

err_asid:
	ida_free(&vdev->asids, vm->asid);
err_mm:
	drm_mm_takedown(&vm->va_space);
	return ret;
}

/* The system-memory pages a mapping of obj pins and charges to its file (vgpu_gem_pins_sysmem). */
static u64 vgpu_vm_pinned_cost(struct drm_gem_object *obj)
{
	return vgpu_gem_pins_sysmem(obj) ? obj->size : 0;
}

/* Takes the mapping out of the tables and the VA space; the buffer stays pinned. */
static void vgpu_mapping_detach(struct vgpu_vm *vm, struct vgpu_mapping *mapping)
{
	lockdep_assert_held(&vm->lock);
	vgpu_vm_clear_range(vm, mapping->node.start << PAGE_SHIFT,
			    mapping->node.size << PAGE_SHIFT);
	drm_mm_remove_node(&mapping->node);
	list_del(&mapping->link);
	vm->sysmem_pinned -= vgpu_vm_pinned_cost(mapping->obj);
}

/*
 * Unpins and drops a detached mapping. Called with no lock of the driver held: unpinning a VRAM
 * buffer takes its reservation, which SUBMIT holds while it waits for the file's submit lock.
 */
void vgpu_vm_mapping_release(struct vgpu_mapping *mapping)
{
	vgpu_gem_unpin_for_gpu(mapping->obj);
	drm_gem_object_put(mapping->obj);
	kfree(mapping);
}

/* The caller made sure the device no longer runs jobs of this address space. */
void vgpu_vm_fini(struct vgpu_vm *vm)
{
	struct vgpu_mapping *mapping, *next;

	list_for_each_entry_safe(mapping, next, &vm->mappings, link) {
		mutex_lock(&vm->lock);
		vgpu_mapping_detach(vm, mapping);
		mutex_unlock(&vm->lock);
		vgpu_vm_mapping_release(mapping);
	}
	vgpu_pt_free(vm, &vm->root, 2);
	ida_free(&vm->vdev->asids, vm->asid);
	drm_mm_takedown(&vm->va_space);
	mutex_destroy(&vm->lock);
	atomic_dec(&vm->vdev->vms_alive);
}

/* Writes the leaf entries of [va, va + obj size) for obj's pages; false when out of memory. */
static bool vgpu_vm_write_entries(struct vgpu_vm *vm, u64 va, u64 size,
				  const struct vgpu_bo_placement *placement, u64 flags)
{
	struct sg_dma_page_iter iter;
	u64 done = 0;
	u64 *entry;

	if (placement->sgt) {
		for_each_sgtable_dma_page(placement->sgt, &iter, 0) {
			if (done >= size)
				break;
			entry = vgpu_vm_leaf_entry(vm, va + done, true);
			if (!entry)
				return false;
			WRITE_ONCE(*entry,
				   flags | VGPU_PTE_SYSMEM |
					   (sg_page_iter_dma_address(&iter) & VGPU_PTE_ADDR_MASK));
			done += PAGE_SIZE;
		}
		return done == size;
	}
	for (; done < size; done += PAGE_SIZE) {
		entry = vgpu_vm_leaf_entry(vm, va + done, true);
		if (!entry)
			return false;
		WRITE_ONCE(*entry, flags | ((placement->vram_offset + done) & VGPU_PTE_ADDR_MASK));
	}
	return true;
}

/*
 * Charges cost bytes of pinned system memory to the file: -ENOSPC beyond its limit
 * (vgpu_gem_sysmem_pin_limit), so that one client cannot pin the guest's memory away.
 */
static int vgpu_vm_charge_pinned(struct vgpu_vm *vm, u64 cost)
{
	u64 limit = vgpu_gem_sysmem_pin_limit();
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->sysmem_pinned > limit || cost > limit - vm->sysmem_pinned)
		ret = -ENOSPC;
	else
		vm->sysmem_pinned += cost;
	mutex_unlock(&vm->lock);
	return ret;
}

/* Maps all of obj at va, pinning it where it is (VRAM or system memory); takes over the caller's
 * reference to obj on success. */
int vgpu_vm_map(struct vgpu_vm *vm, struct drm_gem_object *obj, u64 va, bool read_only)
{
	struct vgpu_bo_placement placement;
	u64 size = obj->size, cost = vgpu_vm_pinned_cost(obj);
	struct vgpu_mapping *mapping;
	int ret;

	if (!IS_ALIGNED(va, PAGE_SIZE) || va >= VGPU_VA_LIMIT || size > VGPU_VA_LIMIT - va)
		return -EINVAL;
	mapping = kzalloc(sizeof(*mapping), GFP_KERNEL);
	if (!mapping)
		return -ENOMEM;
	/* Charged before pinning (which allocates the pages), and not under vm->lock, which the
	 * unmap path takes under the submit lock: pinning takes the buffer's reservation. */
	ret = vgpu_vm_charge_pinned(vm, cost);
	if (ret)
		goto err_free;
	ret = vgpu_gem_pin_for_gpu(obj, &placement);
	if (ret)
		goto err_uncharge;

	mutex_lock(&vm->lock);
	mapping->node.start = va >> PAGE_SHIFT;
	mapping->node.size = size >> PAGE_SHIFT;
	ret = drm_mm_reserve_node(&vm->va_space, &mapping->node);
	if (ret) {
		ret = -EBUSY;
		goto err_unlock;
	}
	if (!vgpu_vm_write_entries(vm, va, size, &placement,
				   VGPU_PTE_VALID | (read_only ? 0 : VGPU_PTE_WRITE))) {
		vgpu_vm_clear_range(vm, va, size);
		drm_mm_remove_node(&mapping->node);
		ret = -ENOMEM;
		goto err_unlock;
	}
	mapping->obj = obj;
	list_add_tail(&mapping->link, &vm->mappings);
	/* An entry that was invalid is never cached, but the ASID may have served a closed file. */
	atomic_set(&vm->tables_changed, 1);
	mutex_unlock(&vm->lock);
	return 0;

err_unlock:
	mutex_unlock(&vm->lock);
	vgpu_gem_unpin_for_gpu(obj);
err_uncharge:
	mutex_lock(&vm->lock);
	vm->sysmem_pinned -= cost;
	mutex_unlock(&vm->lock);
err_free:
	kfree(mapping);
	return ret;
}

/*
 * Takes the mapping at va out of the address space; the caller made sure no job that may use it is
 * still running, and releases it (vgpu_vm_mapping_release) once it holds no lock: NULL when no
 * mapping starts at va.
 */
struct vgpu_mapping *vgpu_vm_unmap(struct vgpu_vm *vm, u64 va)
{
	struct vgpu_mapping *mapping, *found = NULL;

	mutex_lock(&vm->lock);
	list_for_each_entry(mapping, &vm->mappings, link) {
		if (mapping->node.start << PAGE_SHIFT == va) {
			vgpu_mapping_detach(vm, mapping);
			found = mapping;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	return found;
}
