/* SPDX-License-Identifier: MIT */
/* A GPU over malloc'd VRAM and a fake system memory, with helpers to build page tables, submit packets
 * through the ring and check the fault record. Packets themselves are built with <vgpu/vgpu_pkt.h>.
 *
 * Layout of VRAM (16 MiB): ring at FX_RING_PA, the fence/write-back page at FX_FENCE_PA, page tables
 * allocated upward from FX_TABLES_PA, and everything from FX_DATA_PA free for the test's buffers.
 * System memory: FX_SYSMEM_SIZE bytes at bus address FX_SYSMEM_BUS; DMA outside it is refused. */
#ifndef GPU_FIXTURE_H
#define GPU_FIXTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgpu/vgpu.h"
#include "vgpu/vgpu_pkt.h"

#define FX_VRAM_SIZE         (16ull << 20)
#define FX_RING_PA           0x0ull
#define FX_RING_SIZE         0x10000u
#define FX_FENCE_PA          0x10000ull
#define FX_HEAD_WB_PA        0x10100ull
#define FX_TABLES_PA         0x100000ull
#define FX_DATA_PA           0x200000ull
#define FX_SYSMEM_BUS        0x40000000ull
#define FX_SYSMEM_SIZE       (4ull << 20)
#define FX_SYSMEM_PA(offset) (VGPU_PA_SYSMEM | (FX_SYSMEM_BUS + (offset)))

struct fixture {
	struct vgpu *gpu;
	uint8_t *vram;
	uint64_t vram_size;
	uint8_t *sysmem;
	uint32_t tail;       /* where the next ring packet goes */
	uint64_t next_table; /* bump allocator for page tables */
	uint64_t root;       /* root table of the fixture's context */
	atomic_uint irq_notifications, display_notifications;
	atomic_bool refuse_dma; /* make every DMA fail */
	_Atomic uint64_t clock; /* the device clock (ns) the fixture gives the GPU; tests set it */
};

/* A fresh GPU with the ring enabled and head write-back on. Never fails (aborts the test binary instead). */
struct fixture *fx_create(void);
/* The same over a larger VRAM (a power of two >= FX_VRAM_SIZE), for benchmarks. */
struct fixture *fx_create_with_vram(uint64_t vram_size);
/* The same with a number of 3D render worker threads (0 = one per host core). */
struct fixture *fx_create_with_threads(uint64_t vram_size, unsigned render_threads);
void fx_destroy(struct fixture *fx);
/* Program and enable the ring again (after a reset or a ring disable): HEAD = TAIL = 0, every interrupt
 * unmasked. */
void fx_ring_restart(struct fixture *fx);

/* Copy packets into the ring, ring the doorbell and wait for the CP to finish them. */
void fx_submit(struct fixture *fx, const struct vgpu_cmdbuf *cb);
/* The same without waiting. */
void fx_submit_nowait(struct fixture *fx, const struct vgpu_cmdbuf *cb);
void fx_wait(struct fixture *fx);

/* Page tables of the fixture's context (root allocated by fx_create): map `pages` pages from va to pa
 * (PA as the spec encodes it: bit 63 = system memory), writable or not. */
void fx_map(struct fixture *fx, uint64_t va, uint64_t pa, uint64_t pages, bool writable);
/* A hostile guest's page tables: every page from first_gib GiB to the end of the VA space (512 GiB) maps to
 * the one VRAM page at pa (two tables, taken from the fixture's table area). */
void fx_map_alias(struct fixture *fx, unsigned first_gib, uint64_t pa, bool writable);
/* Overwrite the leaf entry of va with a raw value. */
void fx_set_pte(struct fixture *fx, uint64_t va, uint64_t entry);
/* Emit SET_CONTEXT for the fixture's page tables. */
void fx_emit_context(struct fixture *fx, struct vgpu_cmdbuf *cb, uint32_t asid);

/* Host pointer of a PA (VRAM or fixture system memory). */
uint8_t *fx_ptr(struct fixture *fx, uint64_t pa);
uint32_t fx_read32(struct fixture *fx, uint64_t pa);
uint64_t fx_read64(struct fixture *fx, uint64_t pa);

/* The fault record: expect exactly one fault of `type` since the last ack (returns FAULT_ADDR), then ack it
 * and clear INT_STATUS.FAULT. fx_expect_no_fault checks nothing was recorded. */
uint64_t fx_expect_fault(struct fixture *fx, uint32_t type, const char *file, int line);
void fx_expect_no_fault(struct fixture *fx, const char *file, int line);
#define FX_EXPECT_FAULT(fx, type) fx_expect_fault(fx, type, __FILE__, __LINE__)
#define FX_EXPECT_NO_FAULT(fx)    fx_expect_no_fault(fx, __FILE__, __LINE__)

/* Submit a FENCE with seq and check it signalled: the GPU still serves valid commands. */
void fx_check_alive(struct fixture *fx, uint64_t seq, const char *file, int line);
#define FX_CHECK_ALIVE(fx, seq) fx_check_alive(fx, seq, __FILE__, __LINE__)

#endif
