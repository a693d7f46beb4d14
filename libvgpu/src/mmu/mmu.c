/* SPDX-License-Identifier: MIT */
#include "mmu/mmu.h"

#include <string.h>

#include "core/device.h"
#include "mmu/memory.h"

#define VA_LIMIT (1ull << VGPU_VA_BITS)

void mmu_invalidate(struct mmu *mmu)
{
	memset(mmu->tlb, 0, sizeof(mmu->tlb));
	mmu->walk_valid = false;
	mmu->generation++;
}

void mmu_reset(struct mmu *mmu)
{
	unsigned seen = mmu->invalidations_seen;
	uint32_t generation = mmu->generation;
	memset(mmu, 0, sizeof(*mmu));
	mmu->invalidations_seen = seen;
	mmu->generation = generation + 1;
}

/* A table or page address from an entry, or a root: 4 KiB aligned and a whole page inside its memory. */
static bool page_pa_valid(const struct vgpu *gpu, uint64_t pa)
{
	return (pa & (VGPU_PAGE_SIZE - 1)) == 0 && pa_range_valid(gpu, pa, VGPU_PAGE_SIZE);
}

bool mmu_set_context(struct vgpu *gpu, uint16_t asid, uint64_t root, struct vgpu_fault *fault)
{
	if (!page_pa_valid(gpu, root)) {
		*fault = (struct vgpu_fault){.type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = root};
		return false;
	}
	gpu->mmu.asid = asid;
	gpu->mmu.root = root;
	return true;
}

static bool mmu_fail(struct vgpu_fault *fault, uint32_t type, uint64_t va, bool write)
{
	*fault = (struct vgpu_fault){.type = type, .addr = va, .info = write ? VGPU_FAULT_INFO_WRITE : 0};
	return false;
}

/* Read and check one entry; on success *next is the PA it points to. */
static bool read_entry(struct vgpu *gpu, uint64_t table, uint64_t va, int level, bool write,
                       uint64_t *entry_out, struct vgpu_fault *fault)
{
	uint8_t bytes[8];
	uint64_t entry_pa = table + (uint64_t)VGPU_VA_INDEX(va, level) * 8;
	if (!mem_read(gpu, entry_pa, bytes, 8, fault)) {
		fault->info = write ? VGPU_FAULT_INFO_WRITE : 0;
		return false;
	}
	uint64_t entry = 0;
	for (int i = 7; i >= 0; i--)
		entry = entry << 8 | bytes[i];
	if (!(entry & VGPU_PTE_VALID))
		return mmu_fail(fault, VGPU_FAULT_MMU_NOT_MAPPED, va, write);
	if ((entry & VGPU_PTE_RESERVED_MASK) || (level > 0 && (entry & VGPU_PTE_WRITE)))
		return mmu_fail(fault, VGPU_FAULT_MMU_BAD_PTE, va, write);
	uint64_t next = (entry & VGPU_PTE_ADDR_MASK) | ((entry & VGPU_PTE_SYSMEM) ? VGPU_PA_SYSMEM : 0);
	if (!page_pa_valid(gpu, next))
		return mmu_fail(fault, VGPU_FAULT_MMU_BAD_ADDRESS, va, write);
	*entry_out = entry;
	return true;
}

static uint64_t entry_pa(uint64_t entry)
{
	return (entry & VGPU_PTE_ADDR_MASK) | ((entry & VGPU_PTE_SYSMEM) ? VGPU_PA_SYSMEM : 0);
}

static bool walk(struct vgpu *gpu, uint64_t va, bool write, struct mmu_tlb_entry *out,
                 struct vgpu_fault *fault)
{
	struct mmu *mmu = &gpu->mmu;
	uint64_t region = va >> (VGPU_PAGE_SHIFT + 9);
	uint64_t entry;

	if (!mmu->walk_valid || mmu->walk_asid != mmu->asid || mmu->walk_region != region) {
		uint64_t table = mmu->root;
		for (int level = 2; level >= 1; level--) {
			if (!read_entry(gpu, table, va, level, write, &entry, fault))
				return false;
			table = entry_pa(entry);
		}
		mmu->walk_valid = true;
		mmu->walk_asid = mmu->asid;
		mmu->walk_region = region;
		mmu->walk_leaf_table = table;
	}
	if (!read_entry(gpu, mmu->walk_leaf_table, va, 0, write, &entry, fault))
		return false;
	*out = (struct mmu_tlb_entry){.valid = true,
	                              .writable = (entry & VGPU_PTE_WRITE) != 0,
	                              .asid = mmu->asid,
	                              .vpn = va >> VGPU_PAGE_SHIFT,
	                              .page_pa = entry_pa(entry)};
	return true;
}

bool mmu_translate(struct vgpu *gpu, uint64_t va, bool write, uint64_t *page_pa, struct vgpu_fault *fault)
{
	struct mmu *mmu = &gpu->mmu;
	unsigned invalidations = atomic_load_explicit(&gpu->mmu_invalidations, memory_order_relaxed);

	if (invalidations != mmu->invalidations_seen) {
		mmu->invalidations_seen = invalidations;
		mmu_invalidate(mmu);
	}
	if (va >= VA_LIMIT)
		return mmu_fail(fault, VGPU_FAULT_MMU_BAD_ADDRESS, va, write);
	if (mmu->asid == 0)
		return mmu_fail(fault, VGPU_FAULT_NO_CONTEXT, va, write);

	uint64_t vpn = va >> VGPU_PAGE_SHIFT;
	struct mmu_tlb_entry *slot = &mmu->tlb[vpn % MMU_TLB_ENTRIES];
	if (!slot->valid || slot->asid != mmu->asid || slot->vpn != vpn) {
		struct mmu_tlb_entry fresh;
		if (!walk(gpu, va, write, &fresh, fault))
			return false;
		*slot = fresh;
	}
	if (write && !slot->writable)
		return mmu_fail(fault, VGPU_FAULT_MMU_READ_ONLY, va, write);
	*page_pa = slot->page_pa;
	return true;
}
