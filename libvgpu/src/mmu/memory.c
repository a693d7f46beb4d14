/* SPDX-License-Identifier: MIT */
#include "mmu/memory.h"

#include <string.h>

#include "capture/capture.h"
#include "core/device.h"
#include "display/display.h"

bool pa_range_valid(const struct vgpu *gpu, uint64_t pa, uint64_t len)
{
	if (pa_is_sysmem(pa)) {
		uint64_t bus = pa & ~VGPU_PA_SYSMEM;
		return bus < VGPU_PA_SYSMEM_MAX && len <= VGPU_PA_SYSMEM_MAX - bus;
	}
	return pa <= gpu->vram_size && len <= gpu->vram_size - pa;
}

uint8_t *pa_vram_ptr(const struct vgpu *gpu, uint64_t pa)
{
	return gpu->vram + pa;
}

static bool mem_fail(struct vgpu_fault *fault, uint32_t type, uint64_t pa, bool write)
{
	*fault = (struct vgpu_fault){.type = type, .addr = pa, .info = write ? VGPU_FAULT_INFO_WRITE : 0};
	return false;
}

static bool mem_read_raw(struct vgpu *gpu, uint64_t pa, void *dst, uint64_t len)
{
	if (!pa_is_sysmem(pa)) {
		memcpy(dst, pa_vram_ptr(gpu, pa), len);
		return true;
	}
	return gpu->ops.dma_read(gpu->opaque, pa & ~VGPU_PA_SYSMEM, dst, len) == 0;
}

bool mem_read_ring(struct vgpu *gpu, uint64_t pa, void *dst, uint64_t len, struct vgpu_fault *fault)
{
	if (!pa_range_valid(gpu, pa, len))
		return mem_fail(fault, VGPU_FAULT_MMU_BAD_ADDRESS, pa, false);
	if (!mem_read_raw(gpu, pa, dst, len))
		return mem_fail(fault, VGPU_FAULT_DMA_ERROR, pa, false);
	return true;
}

/* Replay puts the recorded bytes in place before the read; it may also replay a refusal. */
static bool replay_before_read(struct vgpu *gpu, uint64_t pa, uint64_t len)
{
	return !gpu->replay_read || gpu->replay_read(gpu->replay_opaque, pa, len);
}

bool mem_read(struct vgpu *gpu, uint64_t pa, void *dst, uint64_t len, struct vgpu_fault *fault)
{
	if (!pa_range_valid(gpu, pa, len))
		return mem_fail(fault, VGPU_FAULT_MMU_BAD_ADDRESS, pa, false);
	if (!replay_before_read(gpu, pa, len) || !mem_read_raw(gpu, pa, dst, len)) {
		if (capture_active(gpu))
			capture_note_refused_read(gpu, pa, len);
		return mem_fail(fault, VGPU_FAULT_DMA_ERROR, pa, false);
	}
	if (capture_active(gpu))
		capture_note_read(gpu, pa, dst, len);
	return true;
}

bool mem_write(struct vgpu *gpu, uint64_t pa, const void *src, uint64_t len, struct vgpu_fault *fault)
{
	if (!pa_range_valid(gpu, pa, len))
		return mem_fail(fault, VGPU_FAULT_MMU_BAD_ADDRESS, pa, true);
	if (!pa_is_sysmem(pa)) {
		memcpy(pa_vram_ptr(gpu, pa), src, len);
		mem_note_written(gpu, pa, len);
		return true;
	}
	if (gpu->ops.dma_write(gpu->opaque, pa & ~VGPU_PA_SYSMEM, src, len) != 0)
		return mem_fail(fault, VGPU_FAULT_DMA_ERROR, pa, true);
	mem_note_written(gpu, pa, len);
	return true;
}

void mem_note_written(struct vgpu *gpu, uint64_t pa, uint64_t len)
{
	display_note_write(gpu, pa, len);
}

void mem_note_read(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len)
{
	replay_before_read(gpu, pa, len); /* VRAM: never refused */
	if (capture_active(gpu))
		capture_note_read(gpu, pa, data, len);
}

void va_cursor_init(struct va_cursor *cursor, struct vgpu *gpu, uint64_t va, uint64_t len, bool write)
{
	*cursor = (struct va_cursor){.gpu = gpu, .va = va, .left = len, .write = write};
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

bool va_cursor_run(struct va_cursor *cursor, uint64_t max, uint64_t *pa, uint64_t *len,
                   struct vgpu_fault *fault)
{
	if (cursor->run_len == 0) {
		uint64_t page_pa;
		if (!mmu_translate(cursor->gpu, cursor->va, cursor->write, &page_pa, fault))
			return false;
		uint64_t offset = cursor->va & (VGPU_PAGE_SIZE - 1);
		cursor->run_pa = page_pa + offset;
		cursor->run_len = min_u64(VGPU_PAGE_SIZE - offset, cursor->left);
	}
	/* Grow the run over following pages while they are physically contiguous. A page that faults ends the
	 * run here; the fault is reported when the caller gets to it. */
	while (cursor->run_len < min_u64(max, cursor->left)) {
		uint64_t next_va = cursor->va + cursor->run_len;
		uint64_t page_pa;
		struct vgpu_fault ignored;
		if (!mmu_translate(cursor->gpu, next_va, cursor->write, &page_pa, &ignored) ||
		    page_pa != cursor->run_pa + cursor->run_len)
			break;
		cursor->run_len += min_u64(VGPU_PAGE_SIZE, cursor->left - cursor->run_len);
	}
	*pa = cursor->run_pa;
	*len = min_u64(cursor->run_len, max);
	return true;
}

void va_cursor_advance(struct va_cursor *cursor, uint64_t len)
{
	cursor->va += len;
	cursor->left -= len;
	cursor->run_pa += len;
	cursor->run_len -= len;
}

uint64_t va_read_prefix(struct vgpu *gpu, uint64_t va, void *dst, uint64_t len, struct vgpu_fault *fault)
{
	struct va_cursor cursor;
	uint64_t done = 0;

	va_cursor_init(&cursor, gpu, va, len, false);
	while (done < len) {
		uint64_t pa, run;
		if (!va_cursor_run(&cursor, len - done, &pa, &run, fault) ||
		    !mem_read(gpu, pa, (uint8_t *)dst + done, run, fault))
			return done;
		va_cursor_advance(&cursor, run);
		done += run;
	}
	return done;
}

bool va_read(struct vgpu *gpu, uint64_t va, void *dst, uint64_t len, struct vgpu_fault *fault)
{
	return va_read_prefix(gpu, va, dst, len, fault) == len;
}

bool va_write(struct vgpu *gpu, uint64_t va, const void *src, uint64_t len, struct vgpu_fault *fault)
{
	struct va_cursor cursor;
	uint64_t done = 0;

	va_cursor_init(&cursor, gpu, va, len, true);
	while (done < len) {
		uint64_t pa, run;
		if (!va_cursor_run(&cursor, len - done, &pa, &run, fault) ||
		    !mem_write(gpu, pa, (const uint8_t *)src + done, run, fault))
			return false;
		va_cursor_advance(&cursor, run);
		done += run;
	}
	return true;
}
