/* SPDX-License-Identifier: MIT */
/* The GPU MMU: translation to VRAM and system memory, every translation fault, the TLB and invalidation. */
#include <string.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

#define VA      0x4000000000ull /* 256 GiB: exercises every level's index */
#define DATA_PA (FX_DATA_PA + 0x100000)

static void write_dword(struct fixture *fx, uint64_t va, uint32_t value)
{
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_write_data(&cb, va, &value, 1);
	fx_submit(fx, &cb);
}

static struct fixture *fx_with_context(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	fx_emit_context(fx, &cb, 7);
	fx_submit(fx, &cb);
	return fx;
}

static void test_translates_to_vram_and_system_memory(void)
{
	struct fixture *fx = fx_with_context();
	fx_map(fx, VA, DATA_PA, 1, true);
	fx_map(fx, VA + 0x1000, FX_SYSMEM_PA(0x3000), 1, true);
	fx_map(fx, (1ull << 39) - 0x1000, DATA_PA + 0x1000, 1, true); /* the last page of the VA space */
	write_dword(fx, VA + 0x10, 0xaaaa5555);
	write_dword(fx, VA + 0x1010, 0x5555aaaa);
	write_dword(fx, (1ull << 39) - 4, 0x77);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x10), 0xaaaa5555);
	VT_CHECK_EQ_U64(fx_read32(fx, FX_SYSMEM_PA(0x3010)), 0x5555aaaa);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x1ffc), 0x77);
	fx_destroy(fx);
}

static void test_page_tables_in_system_memory(void)
{
	struct fixture *fx = fx_create();
	/* A hand-built three-level table in system memory mapping VA 0 to a VRAM page. */
	uint64_t root = 0x10000, mid = 0x11000, leaf = 0x12000;
	uint64_t entries[3][2] = {
	        {root, (FX_SYSMEM_BUS + mid) | VGPU_PTE_VALID | VGPU_PTE_SYSMEM},
	        {mid, (FX_SYSMEM_BUS + leaf) | VGPU_PTE_VALID | VGPU_PTE_SYSMEM},
	        {leaf, DATA_PA | VGPU_PTE_VALID | VGPU_PTE_WRITE},
	};
	for (int i = 0; i < 3; i++)
		memcpy(fx->sysmem + entries[i][0], &entries[i][1], 8);
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	vgpu_pkt_set_context(&cb, 2, FX_SYSMEM_PA(root));
	fx_submit(fx, &cb);
	write_dword(fx, 0x40, 0x1234);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x40), 0x1234);
	/* The host refusing the walk's DMA is a DMA_ERROR. */
	atomic_store(&fx->refuse_dma, true);
	write_dword(fx, 0x200000, 1);
	FX_EXPECT_FAULT(fx, VGPU_FAULT_DMA_ERROR);
	atomic_store(&fx->refuse_dma, false);
	fx_destroy(fx);
}

static void test_translation_faults(void)
{
	struct fixture *fx = fx_with_context();
	fx_map(fx, VA, DATA_PA, 8, true);
	struct {
		uint64_t entry; /* the leaf entry of VA + 0x1000 * (i + 1) */
		uint32_t type;
	} cases[] = {
	        {0, VGPU_FAULT_MMU_NOT_MAPPED},
	        {DATA_PA | VGPU_PTE_WRITE, VGPU_FAULT_MMU_NOT_MAPPED}, /* WRITE without VALID */
	        {DATA_PA | VGPU_PTE_VALID | VGPU_PTE_WRITE | 0x8, VGPU_FAULT_MMU_BAD_PTE},
	        {DATA_PA | VGPU_PTE_VALID | VGPU_PTE_WRITE | (1ull << 60), VGPU_FAULT_MMU_BAD_PTE},
	        {FX_VRAM_SIZE | VGPU_PTE_VALID | VGPU_PTE_WRITE, VGPU_FAULT_MMU_BAD_ADDRESS},
	        {DATA_PA | VGPU_PTE_VALID, VGPU_FAULT_MMU_READ_ONLY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t va = VA + 0x1000 * (i + 1);
		fx_set_pte(fx, va, cases[i].entry);
		write_dword(fx, va + 8, 1);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, cases[i].type), va + 8);
		VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ASID), 7);
		VT_CHECK(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO) & VGPU_FAULT_INFO_WRITE);
	}
	/* WRITE in a table entry (level 1) is a bad entry. */
	uint64_t far_va = VA + (1ull << 30);
	fx_map(fx, far_va, DATA_PA, 1, true);
	uint64_t root_entry = fx_read64(fx, fx->root + VGPU_VA_INDEX(far_va, 2) * 8);
	uint64_t mid = root_entry & VGPU_PTE_ADDR_MASK;
	uint64_t *mid_entry = (uint64_t *)fx_ptr(fx, mid + VGPU_VA_INDEX(far_va, 1) * 8);
	*mid_entry |= VGPU_PTE_WRITE;
	write_dword(fx, far_va, 1);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_PTE), far_va);
	/* Over 39 bits. */
	write_dword(fx, 1ull << 39, 1);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_BAD_ADDRESS), 1ull << 39);
	/* A write that crosses into an unmapped page: the first page is written, then it faults. */
	fx_set_pte(fx, VA + 0x8000, 0);
	uint32_t words[16], data[2] = {0x51, 0x52};
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_write_data(&cb, VA + 0x7ffc, data, 2);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_NOT_MAPPED), VA + 0x8000);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x7ffc), 0x51);
	FX_CHECK_ALIVE(fx, 4);
	fx_destroy(fx);
}

static void test_no_context_before_set_context(void)
{
	struct fixture *fx = fx_create();
	write_dword(fx, 0x1000, 1);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_NO_CONTEXT), 0x1000);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ASID), 0);
	fx_destroy(fx);
}

static void test_tlb_needs_invalidation(void)
{
	struct fixture *fx = fx_with_context();
	fx_map(fx, VA, DATA_PA, 1, true);
	write_dword(fx, VA, 1);
	/* Remap without invalidating: the cached translation is still used. */
	fx_map(fx, VA, DATA_PA + 0x1000, 1, true);
	write_dword(fx, VA, 2);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA), 2);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x1000), 0);
	/* The ring packet drops it. */
	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	vgpu_pkt_mmu_invalidate(&cb);
	fx_submit(fx, &cb);
	write_dword(fx, VA, 3);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x1000), 3);
	/* So does the register. */
	fx_map(fx, VA, DATA_PA + 0x2000, 1, true);
	vgpu_reg_write(fx->gpu, VGPU_REG_MMU_INVALIDATE, 0);
	write_dword(fx, VA, 4);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x2000), 4);
	/* Another ASID over the same tables is a different TLB tag. */
	fx_map(fx, VA, DATA_PA + 0x3000, 1, true);
	cb.count = 0;
	fx_emit_context(fx, &cb, 8);
	fx_submit(fx, &cb);
	write_dword(fx, VA, 5);
	VT_CHECK_EQ_U64(fx_read32(fx, DATA_PA + 0x3000), 5);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static const struct vt_case cases[] = {
        VT_CASE(test_translates_to_vram_and_system_memory),
        VT_CASE(test_page_tables_in_system_memory),
        VT_CASE(test_translation_faults),
        VT_CASE(test_no_context_before_set_context),
        VT_CASE(test_tlb_needs_invalidation),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
