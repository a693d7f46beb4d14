/* SPDX-License-Identifier: MIT */
/*
 * The vgpu drm-shim backend: vgpu.ko's UAPI (kernel/include/uapi/drm/vgpu_drm.h) answered in-process by
 * libvgpu. VRAM is drm-shim's BO memory (one memfd), so a BO's mmap offset is its VRAM physical address
 * and CPU mappings and the GPU see the same pages. Jobs run synchronously.
 */
#ifndef VGPU_SHIM_H
#define VGPU_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include "drm-shim/drm_shim.h"
#include "util/hash_table.h"

/* One open file description of the fake node: its GPU address space and its fault record. */
struct vgpu_shim_file {
   uint32_t asid;
   uint64_t root_pa;
   bool tables_changed;
   /* va -> struct vgpu_shim_mapping */
   struct hash_table_u64 *mappings;
   uint64_t next_seqno;

   uint32_t fault_count, fault_type, fault_info, fault_ib_pos;
   uint64_t fault_addr, fault_seqno;
};

/* Page-table pages and other device memory the shim itself owns, from drm-shim's heap: the physical
 * address (an offset into VRAM) and the CPU pointer. */
uint64_t vgpu_shim_alloc_pages(uint64_t size);
void *vgpu_shim_vram(uint64_t pa);

/* Our references to an object (its handles and GPU mappings); the last unref frees it. */
void vgpu_shim_bo_ref(struct shim_bo *bo);
void vgpu_shim_bo_unref(struct shim_bo *bo);

/* vgpu_shim_vm.c: the file's address space. Return 0 or a negative errno, like the kernel's ioctls. */
int vgpu_shim_vm_init(struct vgpu_shim_file *file);
int vgpu_shim_vm_map(struct vgpu_shim_file *file, struct shim_bo *bo, uint64_t va, bool writable);
int vgpu_shim_vm_unmap(struct vgpu_shim_file *file, uint64_t va);

#endif
