/* SPDX-License-Identifier: MIT */
#include "gpu_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_test.h"

static int fx_dma_read(void *opaque, uint64_t bus, void *dst, size_t len)
{
	struct fixture *fx = opaque;
	if (atomic_load(&fx->refuse_dma) || bus < FX_SYSMEM_BUS || bus - FX_SYSMEM_BUS > FX_SYSMEM_SIZE ||
	    len > FX_SYSMEM_SIZE - (bus - FX_SYSMEM_BUS))
		return -1;
	memcpy(dst, fx->sysmem + (bus - FX_SYSMEM_BUS), len);
	return 0;
}

static int fx_dma_write(void *opaque, uint64_t bus, const void *src, size_t len)
{
	struct fixture *fx = opaque;
	if (atomic_load(&fx->refuse_dma) || bus < FX_SYSMEM_BUS || bus - FX_SYSMEM_BUS > FX_SYSMEM_SIZE ||
	    len > FX_SYSMEM_SIZE - (bus - FX_SYSMEM_BUS))
		return -1;
	memcpy(fx->sysmem + (bus - FX_SYSMEM_BUS), src, len);
	return 0;
}

static void fx_irq_notify(void *opaque)
{
	struct fixture *fx = opaque;
	atomic_fetch_add(&fx->irq_notifications, 1);
}

static void fx_display_notify(void *opaque)
{
	struct fixture *fx = opaque;
	atomic_fetch_add(&fx->display_notifications, 1);
}

static uint64_t fx_clock(void *opaque)
{
	struct fixture *fx = opaque;
	return atomic_load(&fx->clock);
}

static const struct vgpu_host_ops fx_ops = {
        .clock_ns = fx_clock,
        .dma_read = fx_dma_read,
        .dma_write = fx_dma_write,
        .irq_notify = fx_irq_notify,
        .display_notify = fx_display_notify,
};

static void die(const char *what)
{
	fprintf(stderr, "gpu_fixture: %s\n", what);
	exit(2);
}

uint8_t *fx_ptr(struct fixture *fx, uint64_t pa)
{
	if (pa & VGPU_PA_SYSMEM)
		return fx->sysmem + ((pa & ~VGPU_PA_SYSMEM) - FX_SYSMEM_BUS);
	return fx->vram + pa;
}

uint32_t fx_read32(struct fixture *fx, uint64_t pa)
{
	uint8_t *p = fx_ptr(fx, pa);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t fx_read64(struct fixture *fx, uint64_t pa)
{
	return fx_read32(fx, pa) | (uint64_t)fx_read32(fx, pa + 4) << 32;
}

static void write64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t alloc_table(struct fixture *fx)
{
	uint64_t pa = fx->next_table;
	if (pa + VGPU_PAGE_SIZE > FX_DATA_PA)
		die("out of page-table space");
	fx->next_table += VGPU_PAGE_SIZE;
	memset(fx->vram + pa, 0, VGPU_PAGE_SIZE);
	return pa;
}

struct fixture *fx_create(void)
{
	return fx_create_with_vram(FX_VRAM_SIZE);
}

struct fixture *fx_create_with_vram(uint64_t vram_size)
{
	return fx_create_with_threads(vram_size, 0);
}

struct fixture *fx_create_with_threads(uint64_t vram_size, unsigned render_threads)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char error[200];
	if (!fx || !(fx->vram = calloc(1, vram_size)) || !(fx->sysmem = calloc(1, FX_SYSMEM_SIZE)))
		die("out of memory");
	fx->vram_size = vram_size;
	fx->next_table = FX_TABLES_PA;
	fx->root = alloc_table(fx);
	struct vgpu_config config = {.vram = fx->vram,
	                             .vram_size = vram_size,
	                             .ops = &fx_ops,
	                             .opaque = fx,
	                             .render_threads = render_threads};
	fx->gpu = vgpu_create(&config, error, sizeof(error));
	if (!fx->gpu)
		die(error);
	fx_ring_restart(fx);
	return fx;
}

void fx_ring_restart(struct fixture *fx)
{
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_CTRL, 0);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_BASE_LO, (uint32_t)FX_RING_PA);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_SIZE, FX_RING_SIZE);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_HEAD_WB_LO, (uint32_t)FX_HEAD_WB_PA | VGPU_HEAD_WB_ENABLE);
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	vgpu_reg_write(fx->gpu, VGPU_REG_INT_MASK, VGPU_INT_ALL);
	fx->tail = 0;
}

void fx_destroy(struct fixture *fx)
{
	vgpu_destroy(fx->gpu);
	free(fx->vram);
	free(fx->sysmem);
	free(fx);
}

void fx_submit_nowait(struct fixture *fx, const struct vgpu_cmdbuf *cb)
{
	if (cb->overflow)
		die("command buffer overflow in a test");
	for (uint32_t i = 0; i < cb->count; i++) {
		uint8_t *p = fx->vram + FX_RING_PA + fx->tail;
		uint32_t v = cb->dw[i];
		p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
		p[3] = (uint8_t)(v >> 24);
		fx->tail = (fx->tail + 4) % FX_RING_SIZE;
	}
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_TAIL, fx->tail);
}

void fx_wait(struct fixture *fx)
{
	if (!vgpu_wait_idle(fx->gpu, 20000))
		die("the GPU did not become idle within 20 s");
}

void fx_submit(struct fixture *fx, const struct vgpu_cmdbuf *cb)
{
	fx_submit_nowait(fx, cb);
	fx_wait(fx);
}

/* The leaf entry's location for va, creating the tables on the way. */
static uint8_t *leaf_entry(struct fixture *fx, uint64_t va)
{
	uint64_t table = fx->root;
	for (int level = 2; level >= 1; level--) {
		uint8_t *entry = fx->vram + table + VGPU_VA_INDEX(va, level) * 8;
		uint64_t value = fx_read64(fx, table + VGPU_VA_INDEX(va, level) * 8);
		if (!(value & VGPU_PTE_VALID)) {
			value = alloc_table(fx) | VGPU_PTE_VALID;
			write64(entry, value);
		}
		table = value & VGPU_PTE_ADDR_MASK;
	}
	return fx->vram + table + VGPU_VA_INDEX(va, 0) * 8;
}

void fx_map(struct fixture *fx, uint64_t va, uint64_t pa, uint64_t pages, bool writable)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t page = pa + i * VGPU_PAGE_SIZE;
		uint64_t entry = (page & VGPU_PTE_ADDR_MASK) | VGPU_PTE_VALID |
		                 (writable ? VGPU_PTE_WRITE : 0) |
		                 ((page & VGPU_PA_SYSMEM) ? VGPU_PTE_SYSMEM : 0);
		write64(leaf_entry(fx, va + i * VGPU_PAGE_SIZE), entry);
	}
}

void fx_map_alias(struct fixture *fx, unsigned first_gib, uint64_t pa, bool writable)
{
	uint64_t l1 = alloc_table(fx), leaf = alloc_table(fx);
	uint64_t page = (pa & VGPU_PTE_ADDR_MASK) | VGPU_PTE_VALID | (writable ? VGPU_PTE_WRITE : 0);
	for (unsigned i = 0; i < 512; i++) {
		write64(fx_ptr(fx, l1 + 8 * i), leaf | VGPU_PTE_VALID);
		write64(fx_ptr(fx, leaf + 8 * i), page);
		if (i >= first_gib)
			write64(fx_ptr(fx, fx->root + 8 * i), l1 | VGPU_PTE_VALID);
	}
}

void fx_set_pte(struct fixture *fx, uint64_t va, uint64_t entry)
{
	write64(leaf_entry(fx, va), entry);
}

void fx_emit_context(struct fixture *fx, struct vgpu_cmdbuf *cb, uint32_t asid)
{
	vgpu_pkt_set_context(cb, asid, fx->root);
}

uint64_t fx_expect_fault(struct fixture *fx, uint32_t type, const char *file, int line)
{
	uint32_t status = vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS);
	uint32_t actual = vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_TYPE);
	uint64_t addr = vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ADDR_LO) |
	                (uint64_t)vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ADDR_HI) << 32;
	if (status != VGPU_FAULT_STATUS_VALID)
		vt_fail(file, line, "FAULT_STATUS == 0x%x, expected exactly one fault (VALID)", status);
	if (actual != type)
		vt_fail(file, line, "FAULT_TYPE == 0x%x, expected 0x%x", actual, type);
	if (!(vgpu_reg_read(fx->gpu, VGPU_REG_INT_STATUS) & VGPU_INT_FAULT))
		vt_fail(file, line, "INT_STATUS.FAULT not set after a fault");
	vgpu_reg_write(fx->gpu, VGPU_REG_FAULT_ACK, 1);
	vgpu_reg_write(fx->gpu, VGPU_REG_INT_STATUS, VGPU_INT_FAULT);
	return addr;
}

void fx_expect_no_fault(struct fixture *fx, const char *file, int line)
{
	uint32_t status = vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS);
	if (status != 0)
		vt_fail(file, line, "unexpected fault 0x%x (addr 0x%x)",
		        vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_TYPE),
		        vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_ADDR_LO));
}

void fx_check_alive(struct fixture *fx, uint64_t seq, const char *file, int line)
{
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, seq, 0);
	fx_submit(fx, &cb);
	if (fx_read64(fx, FX_FENCE_PA) != seq)
		vt_fail(file, line, "the GPU stopped serving: fence 0x%llx not written",
		        (unsigned long long)seq);
}
