/* SPDX-License-Identifier: MIT */
/* The GPU MMU (spec section 4.2): contexts, the three-level page-table walk and the TLB. Only the thread
 * executing packets (the CP thread, or vgpu-replay while the GPU is paused) translates, so the TLB needs no
 * lock; the MMU_INVALIDATE register reaches it through gpu->mmu_invalidations. */
#ifndef VGPU_MMU_H
#define VGPU_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/fault.h"

struct vgpu;

#define MMU_TLB_ENTRIES 64

struct mmu_tlb_entry {
	bool valid, writable;
	uint16_t asid;
	uint64_t vpn;
	uint64_t page_pa; /* PA of the page (VGPU_PA_SYSMEM for system memory) */
};

struct mmu {
	uint16_t asid; /* 0: no context */
	uint64_t root; /* PA of the root table */
	struct mmu_tlb_entry tlb[MMU_TLB_ENTRIES];
	/* The leaf table of the last 2 MiB region walked, so sequential pages cost one entry read each. */
	bool walk_valid;
	uint16_t walk_asid;
	uint64_t walk_region; /* va >> 21 */
	uint64_t walk_leaf_table;
	unsigned invalidations_seen;
	/* Bumped whenever cached translations are dropped (invalidation, reset), so the 3D pipeline's page
	 * tables of render targets and textures, which are translations cached the same way, know to go. */
	uint32_t generation;
};

void mmu_reset(struct mmu *mmu);
void mmu_invalidate(struct mmu *mmu);
/* Validate and switch to a context (SET_CONTEXT); on a bad root, fills fault and keeps the old context. */
bool mmu_set_context(struct vgpu *gpu, uint16_t asid, uint64_t root, struct vgpu_fault *fault);
/* Translate the page holding va for a read or a write. */
bool mmu_translate(struct vgpu *gpu, uint64_t va, bool write, uint64_t *page_pa, struct vgpu_fault *fault);

#endif
