/* SPDX-License-Identifier: MIT */
/* Every engine access to memory goes through here: physical ranges (VRAM offsets or system-memory bus
 * addresses, spec 4.1) checked against the memory they name, and virtual ranges split into physically
 * contiguous runs through the MMU. Engines touch VRAM directly only through the host pointer of a run. */
#ifndef VGPU_MEMORY_H
#define VGPU_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fault.h"
#include "vgpu/vgpu_hw.h"

struct vgpu;

static inline bool pa_is_sysmem(uint64_t pa)
{
	return (pa >> 63) != 0;
}

/* [pa, pa + len) lies inside one memory: VRAM, or the system-memory bus range below 2^52. */
bool pa_range_valid(const struct vgpu *gpu, uint64_t pa, uint64_t len);
/* Host pointer of a VRAM PA; only for ranges pa_range_valid accepted. */
uint8_t *pa_vram_ptr(const struct vgpu *gpu, uint64_t pa);

/* Physical accesses by the engines. Reads are recorded by an active capture; writes report display damage. */
bool mem_read(struct vgpu *gpu, uint64_t pa, void *dst, uint64_t len, struct vgpu_fault *fault);
bool mem_write(struct vgpu *gpu, uint64_t pa, const void *src, uint64_t len, struct vgpu_fault *fault);
/* The CP's own ring reads: not recorded (a capture records the packets instead). */
bool mem_read_ring(struct vgpu *gpu, uint64_t pa, void *dst, uint64_t len, struct vgpu_fault *fault);

/* Walks a virtual range page by page, yielding the longest physically contiguous run at each step. */
struct va_cursor {
	struct vgpu *gpu;
	uint64_t va, left;
	bool write;
	uint64_t run_pa, run_len; /* the current run, not yet consumed */
};

void va_cursor_init(struct va_cursor *cursor, struct vgpu *gpu, uint64_t va, uint64_t len, bool write);
/* The current run (at most max bytes, max > 0); false with fault filled when its first page faults. */
bool va_cursor_run(struct va_cursor *cursor, uint64_t max, uint64_t *pa, uint64_t *len,
                   struct vgpu_fault *fault);
void va_cursor_advance(struct va_cursor *cursor, uint64_t len);

/* Whole virtual ranges. va_read_prefix reads as much as translates and returns the bytes read (the fault
 * describes why it stopped short). */
bool va_read(struct vgpu *gpu, uint64_t va, void *dst, uint64_t len, struct vgpu_fault *fault);
uint64_t va_read_prefix(struct vgpu *gpu, uint64_t va, void *dst, uint64_t len, struct vgpu_fault *fault);
bool va_write(struct vgpu *gpu, uint64_t va, const void *src, uint64_t len, struct vgpu_fault *fault);

/* Engine writes that bypassed mem_write (direct VRAM stores) report themselves here. */
void mem_note_written(struct vgpu *gpu, uint64_t pa, uint64_t len);
/* Engine reads that bypass mem_read (direct VRAM loads) call this just before loading. */
void mem_note_read(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len);

#endif
