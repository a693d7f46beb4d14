/* SPDX-License-Identifier: MIT */
/* Input format: a sequence of operations, each one opcode byte followed by its operands (little-endian):
 *   0 reg write: u16 dword index, u32 value       1 reg read: u16 dword index
 *   2 ring: u8 n, then n u32 packet dwords (written at TAIL, doorbell, wait for idle)
 *   3 IB: u16 dword offset, u8 n, n u32 dwords written into the IB area (VA 0x10000 of context 1)
 *   4 vblank   5 display acquire + release   6 state save + load   7 pause + resume   8 MMU invalidate
 *   9 capture start (into /dev/null) or stop
 * Every input starts from a reset GPU with a ring, context 1 (VA 0..4 MiB -> VRAM 4..8 MiB, writable, and
 * VA 4..5 MiB -> system memory) current, so short inputs reach the engines. The input ends wherever it ends.
 */
#include "cp_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu/vgpu.h"
#include "vgpu/vgpu_pkt.h"

#define VRAM_SIZE    (16u << 20)
#define RING_SIZE    0x10000u
#define TABLES_PA    0x100000u
#define MAPPED_PA    0x400000u
#define SYSMEM_BUS   0x40000000u
#define SYSMEM_SIZE  (1u << 20)
#define IB_VA        0x10000u
#define WATCHDOG_MAX 0x100u /* keeps every input fast; the watchdog itself is under test */

static uint8_t *vram, *sysmem;
static struct vgpu *gpu;

static int dma_read(void *opaque, uint64_t bus, void *dst, size_t len)
{
	if (bus < SYSMEM_BUS || bus - SYSMEM_BUS > SYSMEM_SIZE || len > SYSMEM_SIZE - (bus - SYSMEM_BUS))
		return -1;
	memcpy(dst, sysmem + (bus - SYSMEM_BUS), len);
	return 0;
}

static int dma_write(void *opaque, uint64_t bus, const void *src, size_t len)
{
	if (bus < SYSMEM_BUS || bus - SYSMEM_BUS > SYSMEM_SIZE || len > SYSMEM_SIZE - (bus - SYSMEM_BUS))
		return -1;
	memcpy(sysmem + (bus - SYSMEM_BUS), src, len);
	return 0;
}

static void irq_notify(void *opaque)
{
}

static const struct vgpu_host_ops ops = {
        .dma_read = dma_read, .dma_write = dma_write, .irq_notify = irq_notify};

static void put64(uint64_t pa, uint64_t value)
{
	memcpy(vram + pa, &value, 8);
}

/* Two tables map VA 0..5 MiB: the root's entry 0 -> a level-1 table whose entries 0..2 -> leaf tables. */
static void build_page_tables(void)
{
	memset(vram + TABLES_PA, 0, 5 * 4096);
	put64(TABLES_PA, (TABLES_PA + 0x1000) | 1);
	for (unsigned t = 0; t < 3; t++)
		put64(TABLES_PA + 0x1000 + 8 * t, (TABLES_PA + 0x2000 + 0x1000 * t) | 1);
	for (unsigned page = 0; page < 1280; page++) {
		uint64_t entry = page < 1024 ? (MAPPED_PA + page * 4096ull) | 3
		                             : (SYSMEM_BUS + (page - 1024) * 4096ull) | 7;
		put64(TABLES_PA + 0x2000 + 8 * page, entry);
	}
}

static void wait_idle(void)
{
	if (!vgpu_wait_idle(gpu, 60000)) {
		fprintf(stderr, "cp_harness: the GPU did not become idle within 60 s (a hang)\n");
		abort();
	}
}

static void ring_submit(const uint32_t *dwords, uint32_t count)
{
	if (!(vgpu_reg_read(gpu, VGPU_REG_RING_CTRL) & VGPU_RING_CTRL_ENABLE)) {
		vgpu_reg_write(gpu, VGPU_REG_RING_BASE_LO, 0);
		vgpu_reg_write(gpu, VGPU_REG_RING_BASE_HI, 0);
		vgpu_reg_write(gpu, VGPU_REG_RING_SIZE, RING_SIZE);
		vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	}
	uint64_t base = vgpu_reg_read(gpu, VGPU_REG_RING_BASE_LO) |
	                (uint64_t)vgpu_reg_read(gpu, VGPU_REG_RING_BASE_HI) << 32;
	uint32_t size = vgpu_reg_read(gpu, VGPU_REG_RING_SIZE);
	uint32_t tail = vgpu_reg_read(gpu, VGPU_REG_RING_TAIL);
	if (base >= VRAM_SIZE || size > VRAM_SIZE - base ||
	    size == 0) /* a ring the fuzzer moved out of reach */
		return;
	for (uint32_t i = 0; i < count; i++) {
		memcpy(vram + base + tail, &dwords[i], 4);
		tail = (tail + 4) & (size - 1);
	}
	vgpu_reg_write(gpu, VGPU_REG_RING_TAIL, tail);
	wait_idle();
}

static void setup(void)
{
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	char error[200];

	if (!gpu) {
		vram = calloc(1, VRAM_SIZE);
		sysmem = calloc(1, SYSMEM_SIZE);
		struct vgpu_config config = {.vram = vram, .vram_size = VRAM_SIZE, .ops = &ops};
		gpu = vgpu_create(&config, error, sizeof(error));
		if (!gpu) {
			fprintf(stderr, "cp_harness: %s\n", error);
			abort();
		}
	}
	vgpu_reset(gpu);
	memset(vram, 0, RING_SIZE);
	memset(vram + MAPPED_PA, 0, 4u << 20);
	build_page_tables();
	vgpu_reg_write(gpu, VGPU_REG_WATCHDOG, WATCHDOG_MAX);
	vgpu_reg_write(gpu, VGPU_REG_INT_MASK, VGPU_INT_ALL);
	vgpu_pkt_set_context(&cb, 1, TABLES_PA);
	ring_submit(words, cb.count);
}

struct reader {
	const uint8_t *data;
	size_t size, pos;
};

static bool take(struct reader *r, void *dst, size_t n)
{
	if (r->size - r->pos < n)
		return false;
	memcpy(dst, r->data + r->pos, n);
	r->pos += n;
	return true;
}

void cp_harness_run(const uint8_t *data, size_t size)
{
	struct reader r = {data, size, 0};
	uint8_t op, n;
	uint16_t index;
	uint32_t value, dwords[256];

	setup();
	while (take(&r, &op, 1)) {
		switch (op % 10) {
		case 0:
			if (!take(&r, &index, 2) || !take(&r, &value, 4))
				return;
			if (index * 4u == VGPU_REG_WATCHDOG && value > WATCHDOG_MAX)
				value = WATCHDOG_MAX;
			vgpu_reg_write(gpu, index * 4u, value);
			break;
		case 1:
			if (!take(&r, &index, 2))
				return;
			vgpu_reg_read(gpu, index * 4u);
			break;
		case 2:
			if (!take(&r, &n, 1) || !take(&r, dwords, n * 4u))
				return;
			ring_submit(dwords, n);
			break;
		case 3:
			if (!take(&r, &index, 2) || !take(&r, &n, 1) || !take(&r, dwords, n * 4u))
				return;
			memcpy(vram + MAPPED_PA + IB_VA + index * 4u, dwords, n * 4u);
			break;
		case 4:
			vgpu_vblank(gpu);
			break;
		case 5: {
			struct vgpu_frame frame;
			vgpu_display_acquire(gpu, &frame);
			vgpu_display_release(gpu);
			break;
		}
		case 6: {
			/* The size depends on the 3D state, so it is asked of the paused GPU (as QEMU does). */
			char error[200];
			vgpu_pause(gpu);
			size_t len = vgpu_state_size(gpu);
			uint8_t *blob = malloc(len);
			if (!blob || vgpu_state_save(gpu, blob, len) != 0)
				abort();
			vgpu_resume(gpu);
			if (vgpu_state_load(gpu, blob, len, error, sizeof(error)) != 0) {
				fprintf(stderr, "cp_harness: a saved state did not load back: %s\n", error);
				abort();
			}
			free(blob);
			wait_idle();
			break;
		}
		case 7:
			vgpu_pause(gpu);
			vgpu_resume(gpu);
			break;
		case 8:
			vgpu_reg_write(gpu, VGPU_REG_MMU_INVALIDATE, 0);
			break;
		case 9: {
			char error[200];
			if (vgpu_capture_start(gpu, "/dev/null", error, sizeof(error)) != 0)
				vgpu_capture_stop(gpu);
			break;
		}
		}
	}
	wait_idle();
	vgpu_capture_stop(gpu);
}
