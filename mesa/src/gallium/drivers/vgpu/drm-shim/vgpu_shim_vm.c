/* SPDX-License-Identifier: MIT */
/*
 * A file's GPU address space, as vgpu.ko's VM_BIND keeps it: three-level page tables (hw-spec 4.2) in
 * VRAM, written only here; whole buffer objects mapped at page-aligned VAs below 2^39.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash_table.h"
#include "vgpu/vgpu_hw.h"

#include "vgpu_shim.h"

struct vgpu_shim_mapping {
   struct shim_bo *bo;
   uint64_t size;
};

static uint64_t *
table_entry(uint64_t table_pa, uint64_t va, int level)
{
   return (uint64_t *)vgpu_shim_vram(table_pa) + VGPU_VA_INDEX(va, level);
}

/* The leaf entry of va; with create, the missing tables on the way are allocated (else NULL). */
static uint64_t *
leaf_entry(struct vgpu_shim_file *file, uint64_t va, bool create)
{
   uint64_t table = file->root_pa;

   for (int level = VGPU_PT_LEVELS - 1; level >= 1; level--) {
      uint64_t *entry = table_entry(table, va, level);
      if (!(*entry & VGPU_PTE_VALID)) {
         if (!create)
            return NULL;
         uint64_t pa = vgpu_shim_alloc_pages(VGPU_PAGE_SIZE);
         if (!pa)
            return NULL;
         *entry = pa | VGPU_PTE_VALID;
      }
      table = *entry & VGPU_PTE_ADDR_MASK;
   }
   return table_entry(table, va, 0);
}

int
vgpu_shim_vm_init(struct vgpu_shim_file *file)
{
   file->root_pa = vgpu_shim_alloc_pages(VGPU_PAGE_SIZE);
   file->mappings = _mesa_hash_table_u64_create(NULL);
   return file->root_pa && file->mappings ? 0 : -ENOMEM;
}

int
vgpu_shim_vm_map(struct vgpu_shim_file *file, struct shim_bo *bo, uint64_t va, bool writable)
{
   uint64_t pages = bo->size / VGPU_PAGE_SIZE;

   if (va & (VGPU_PAGE_SIZE - 1) || va >= (1ull << VGPU_VA_BITS) ||
       bo->size > (1ull << VGPU_VA_BITS) - va)
      return -EINVAL;
   for (uint64_t i = 0; i < pages; i++) {
      uint64_t *entry = leaf_entry(file, va + i * VGPU_PAGE_SIZE, false);
      if (entry && (*entry & VGPU_PTE_VALID))
         return -EBUSY;
   }

   struct vgpu_shim_mapping *mapping = calloc(1, sizeof(*mapping));
   if (!mapping)
      return -ENOMEM;
   for (uint64_t i = 0; i < pages; i++) {
      uint64_t *entry = leaf_entry(file, va + i * VGPU_PAGE_SIZE, true);
      if (!entry) {
         /* Out of table memory: take back what this call mapped. */
         for (uint64_t j = 0; j < i; j++)
            *leaf_entry(file, va + j * VGPU_PAGE_SIZE, false) = 0;
         free(mapping);
         return -ENOMEM;
      }
      *entry = (bo->mem_addr + i * VGPU_PAGE_SIZE) | VGPU_PTE_VALID | (writable ? VGPU_PTE_WRITE : 0);
   }
   vgpu_shim_bo_ref(bo);
   mapping->bo = bo;
   mapping->size = bo->size;
   _mesa_hash_table_u64_insert(file->mappings, va, mapping);
   file->tables_changed = true;
   return 0;
}

int
vgpu_shim_vm_unmap(struct vgpu_shim_file *file, uint64_t va)
{
   struct vgpu_shim_mapping *mapping = _mesa_hash_table_u64_search(file->mappings, va);

   if (!mapping)
      return -ENOENT;
   for (uint64_t offset = 0; offset < mapping->size; offset += VGPU_PAGE_SIZE)
      *leaf_entry(file, va + offset, false) = 0;
   _mesa_hash_table_u64_remove(file->mappings, va);
   vgpu_shim_bo_unref(mapping->bo);
   free(mapping);
   file->tables_changed = true;
   return 0;
}
