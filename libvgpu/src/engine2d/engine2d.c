/* SPDX-License-Identifier: MIT */
/* FILL, COPY and BLIT. Rectangles are validated completely before the first write; then each is walked as
 * spans of virtual addresses (one span per row, or one for the whole rectangle when its rows are packed),
 * and each span as physically contiguous runs, so large operations run at memset/memcpy speed. */
#include "engine2d/engine2d.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/device.h"
#include "format/format.h"
#include "mmu/memory.h"

#define VA_LIMIT (1ull << VGPU_VA_BITS)
/* Longest run written or copied between two preemption points (spec 12): about 0.1 ms at memory speed. */
#define RUN_MAX (1ull << 20)

static uint64_t run_limit(uint64_t left)
{
	return left < RUN_MAX ? left : RUN_MAX;
}

struct surface {
	uint64_t va;
	uint32_t pitch, format, bpp;
};

/* A validated rectangle of a surface, as byte spans. */
struct area {
	uint64_t first; /* VA of the top-left pixel */
	uint64_t row_bytes, pitch;
	uint32_t rows;
};

static bool surface_fail(struct cp_job *job, unsigned field)
{
	return cp_fail(job, VGPU_FAULT_BAD_SURFACE, field);
}

/* payload[field .. field + 3] is a surface. */
static bool parse_surface(struct cp_job *job, const uint32_t *payload, unsigned field,
                          struct surface *surface)
{
	surface->va = (uint64_t)payload[field + 1] << 32 | payload[field];
	surface->pitch = payload[field + 2];
	surface->format = payload[field + 3];
	if (!format_is_color(surface->format))
		return surface_fail(job, field + 3);
	if (surface->pitch > VGPU_SURFACE_PITCH_MAX)
		return surface_fail(job, field + 2);
	surface->bpp = format_bytes_per_pixel(surface->format);
	return true;
}

static uint32_t low16(uint32_t packed)
{
	return packed & 0xffff;
}

static uint32_t high16(uint32_t packed)
{
	return packed >> 16;
}

/* Check a rectangle (x|y in payload[xy_field], w|h in payload[wh_field]) of the surface at surface_field. */
static bool check_area(struct cp_job *job, const uint32_t *payload, const struct surface *surface,
                       unsigned surface_field, unsigned xy_field, unsigned wh_field, struct area *area)
{
	uint32_t x = low16(payload[xy_field]), y = high16(payload[xy_field]);
	uint32_t width = low16(payload[wh_field]), height = high16(payload[wh_field]);

	if (x + width > VGPU_MAX_SURFACE_DIM || y + height > VGPU_MAX_SURFACE_DIM)
		return surface_fail(job, wh_field);
	if ((uint64_t)(x + width) * surface->bpp > surface->pitch)
		return surface_fail(job, surface_field + 2);
	/* Beyond 39 bits nothing translates; rejecting it here also keeps the arithmetic below from wrapping.
	 */
	if (surface->va >= VA_LIMIT)
		return cp_fail(job, VGPU_FAULT_MMU_BAD_ADDRESS, surface->va);
	area->first = surface->va + (uint64_t)y * surface->pitch + (uint64_t)x * surface->bpp;
	area->row_bytes = (uint64_t)width * surface->bpp;
	area->pitch = surface->pitch;
	area->rows = height;
	return true;
}

static bool area_empty(const struct area *area)
{
	return area->row_bytes == 0 || area->rows == 0;
}

/* Packed rows form one span. */
static void area_spans(const struct area *area, uint32_t *count, uint64_t *bytes)
{
	if (area->pitch == area->row_bytes) {
		*count = 1;
		*bytes = area->row_bytes * area->rows;
	} else {
		*count = area->rows;
		*bytes = area->row_bytes;
	}
}

static uint64_t area_end(const struct area *area)
{
	return area->first + (uint64_t)(area->rows - 1) * area->pitch + area->row_bytes;
}

/* ---- FILL ---------------------------------------------------------------------------------------------- */

/* Runs at least this long bypass the cache, as memset does for large sizes: the pixels are for someone else
 * (the display, a later packet), and streaming saves reading every line before overwriting it. */
#define FILL_STREAM_MIN (256u << 10)

/* Store a 16-byte periodic pattern, starting at byte `phase` of it. */
static void fill_bytes(uint8_t *dst, uint64_t len, const uint8_t pattern[16], unsigned phase)
{
	uint8_t block[64 + 16]; /* 64 bytes from any of the first 16 */
	for (unsigned i = 0; i < sizeof(block); i++)
		block[i] = pattern[(phase + i) % 16];
	if (!memcmp(block, block + 1, 15)) { /* one repeated byte: memset is the fastest store there is */
		memset(dst, block[0], len);
		return;
	}
#ifdef __SSE2__
	if (len >= FILL_STREAM_MIN) {
		size_t head = (16 - ((uintptr_t)dst & 15)) & 15;
		memcpy(dst, block, head);
		__m128i value = _mm_loadu_si128((const __m128i *)(block + head)); /* head < 16: in bounds */
		uint8_t *p = dst + head, *end = dst + len;
		for (; end - p >= 64; p += 64) {
			_mm_stream_si128((__m128i *)p, value);
			_mm_stream_si128((__m128i *)(p + 16), value);
			_mm_stream_si128((__m128i *)(p + 32), value);
			_mm_stream_si128((__m128i *)(p + 48), value);
		}
		_mm_sfence();
		memcpy(p, block + head, (size_t)(end - p)); /* < 64 bytes, same phase as p */
		return;
	}
#endif
	for (; len >= 64; dst += 64, len -= 64)
		memcpy(dst, block, 64);
	memcpy(dst, block, len);
}

static bool fill_span(struct cp_job *job, uint64_t va, uint64_t len, const uint8_t pattern[16])
{
	struct vgpu *gpu = job->gpu;
	struct va_cursor cursor;
	uint64_t done = 0;

	va_cursor_init(&cursor, gpu, va, len, true);
	while (done < len) {
		uint64_t pa, run;
		if (!cp_keep_going(job) ||
		    !va_cursor_run(&cursor, run_limit(len - done), &pa, &run, &job->fault))
			return false;
		if (!pa_is_sysmem(pa)) {
			fill_bytes(pa_vram_ptr(gpu, pa), run, pattern, (unsigned)(done % 16));
			mem_note_written(gpu, pa, run);
		} else {
			/* System memory goes through DMA, a scratch row at a time. */
			uint8_t *chunk = gpu->cp.row[0];
			uint64_t chunk_max = (uint64_t)VGPU_MAX_SURFACE_DIM * 16;
			for (uint64_t off = 0; off < run;) {
				uint64_t n = run - off < chunk_max ? run - off : chunk_max;
				fill_bytes(chunk, n, pattern, (unsigned)((done + off) % 16));
				if (!mem_write(gpu, pa + off, chunk, n, &job->fault))
					return false;
				off += n;
			}
		}
		va_cursor_advance(&cursor, run);
		done += run;
	}
	return true;
}

bool engine2d_fill(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	struct surface dst;
	struct area area;

	if (!parse_surface(job, payload, 0, &dst) || !check_area(job, payload, &dst, 0, 4, 5, &area))
		return false;
	if (area_empty(&area))
		return true;
	if (!cp_charge(job, (uint64_t)low16(payload[5]) * high16(payload[5])))
		return false;

	/* The raw value's low bytes; formats wider than 4 bytes repeat the dword. */
	uint8_t pattern[16];
	unsigned period = dst.bpp < 4 ? dst.bpp : 4;
	for (unsigned i = 0; i < 16; i++)
		pattern[i] = (uint8_t)(payload[6] >> (8 * (i % period)));

	uint32_t spans;
	uint64_t span_bytes;
	area_spans(&area, &spans, &span_bytes);
	for (uint32_t s = 0; s < spans; s++)
		if (!fill_span(job, area.first + s * area.pitch, span_bytes, pattern))
			return false;
	return true;
}

/* ---- COPY ---------------------------------------------------------------------------------------------- */

/* Copy one virtual range to another that does not overlap it (in VA). */
static bool copy_span(struct cp_job *job, uint64_t src_va, uint64_t dst_va, uint64_t len)
{
	struct vgpu *gpu = job->gpu;
	struct va_cursor src, dst;
	uint64_t done = 0;

	va_cursor_init(&src, gpu, src_va, len, false);
	va_cursor_init(&dst, gpu, dst_va, len, true);
	while (done < len) {
		uint64_t src_pa, dst_pa, src_run, dst_run;
		if (!cp_keep_going(job) ||
		    !va_cursor_run(&src, run_limit(len - done), &src_pa, &src_run, &job->fault) ||
		    !va_cursor_run(&dst, run_limit(len - done), &dst_pa, &dst_run, &job->fault))
			return false;
		uint64_t n = src_run < dst_run ? src_run : dst_run;
		bool ok = true;
		if (!pa_is_sysmem(src_pa) && !pa_is_sysmem(dst_pa)) {
			mem_note_read(gpu, src_pa, pa_vram_ptr(gpu, src_pa), n);
			/* memmove: two VAs may alias one page */
			memmove(pa_vram_ptr(gpu, dst_pa), pa_vram_ptr(gpu, src_pa), n);
			mem_note_written(gpu, dst_pa, n);
		} else if (!pa_is_sysmem(dst_pa)) {
			ok = mem_read(gpu, src_pa, pa_vram_ptr(gpu, dst_pa), n, &job->fault);
			if (ok)
				mem_note_written(gpu, dst_pa, n);
		} else if (!pa_is_sysmem(src_pa)) {
			mem_note_read(gpu, src_pa, pa_vram_ptr(gpu, src_pa), n);
			ok = mem_write(gpu, dst_pa, pa_vram_ptr(gpu, src_pa), n, &job->fault);
		} else {
			uint8_t *bounce = gpu->cp.row[0];
			uint64_t chunk_max = (uint64_t)VGPU_MAX_SURFACE_DIM * 16;
			for (uint64_t off = 0; ok && off < n; off += chunk_max) {
				uint64_t chunk = n - off < chunk_max ? n - off : chunk_max;
				ok = mem_read(gpu, src_pa + off, bounce, chunk, &job->fault) &&
				     mem_write(gpu, dst_pa + off, bounce, chunk, &job->fault);
			}
		}
		if (!ok)
			return false;
		va_cursor_advance(&src, n);
		va_cursor_advance(&dst, n);
		done += n;
	}
	return true;
}

/* Overlapping areas with the same pitch: rows in the order that reads each source row before any write
 * reaches it, each row through a scratch buffer (the memmove rule in two dimensions). */
static bool copy_overlapping_rows(struct cp_job *job, const struct area *src, const struct area *dst)
{
	uint8_t *row = job->gpu->cp.row[0];
	bool upward = dst->first > src->first;

	for (uint32_t i = 0; i < src->rows; i++) {
		uint32_t r = upward ? src->rows - 1 - i : i;
		if (!cp_keep_going(job) ||
		    !va_read(job->gpu, src->first + r * src->pitch, row, src->row_bytes, &job->fault) ||
		    !va_write(job->gpu, dst->first + r * dst->pitch, row, dst->row_bytes, &job->fault))
			return false;
	}
	return true;
}

/* Largest source held in memory for an overlapping copy between different pitches. */
#define COPY_STAGING_MAX (256ull << 20)

/* Overlapping areas with different pitches: read the whole source first, as the spec's rule says. */
static bool copy_overlapping_staged(struct cp_job *job, const struct area *src, const struct area *dst)
{
	uint64_t bytes = src->row_bytes * src->rows;
	uint8_t *staging = bytes <= COPY_STAGING_MAX ? malloc(bytes) : NULL;
	bool ok = staging != NULL;

	if (!ok) /* never expected from a sane driver; refuse rather than give a wrong image */
		return surface_fail(job, 6);
	for (uint32_t r = 0; ok && r < src->rows; r++)
		ok = cp_keep_going(job) && va_read(job->gpu, src->first + r * src->pitch,
		                                   staging + r * src->row_bytes, src->row_bytes, &job->fault);
	for (uint32_t r = 0; ok && r < dst->rows; r++)
		ok = cp_keep_going(job) &&
		     va_write(job->gpu, dst->first + r * dst->pitch, staging + r * dst->row_bytes,
		              dst->row_bytes, &job->fault);
	free(staging);
	return ok;
}

bool engine2d_copy(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	struct surface src, dst;
	struct area src_area, dst_area;

	if (!parse_surface(job, payload, 0, &src) || !parse_surface(job, payload, 4, &dst))
		return false;
	if (src.bpp != dst.bpp)
		return surface_fail(job, 7);
	/* The source rectangle has the destination's size: w|h is shared. */
	if (!check_area(job, payload, &src, 0, 8, 10, &src_area) ||
	    !check_area(job, payload, &dst, 4, 9, 10, &dst_area))
		return false;
	if (area_empty(&dst_area))
		return true;
	if (!cp_charge(job, (uint64_t)low16(payload[10]) * high16(payload[10])))
		return false;

	bool overlap = src_area.first < area_end(&dst_area) && dst_area.first < area_end(&src_area);
	if (overlap)
		return src.pitch == dst.pitch ? copy_overlapping_rows(job, &src_area, &dst_area)
		                              : copy_overlapping_staged(job, &src_area, &dst_area);
	if (src_area.pitch == src_area.row_bytes && dst_area.pitch == dst_area.row_bytes)
		return copy_span(job, src_area.first, dst_area.first, src_area.row_bytes * src_area.rows);
	for (uint32_t r = 0; r < dst_area.rows; r++)
		if (!copy_span(job, src_area.first + r * src_area.pitch, dst_area.first + r * dst_area.pitch,
		               dst_area.row_bytes))
			return false;
	return true;
}

/* ---- BLIT ---------------------------------------------------------------------------------------------- */

/* Nearest sampling (spec 6.2): destination index i of dst_size reads source index floor((i + 0.5) * src /
 * dst). */
static uint32_t nearest(uint32_t i, uint32_t src_size, uint32_t dst_size)
{
	return (uint32_t)(((2ull * i + 1) * src_size) / (2ull * dst_size));
}

bool engine2d_blit(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	struct vgpu *gpu = job->gpu;
	struct surface src, dst;
	struct area src_area, dst_area;

	if (!parse_surface(job, payload, 0, &src) || !parse_surface(job, payload, 4, &dst))
		return false;
	if (!check_area(job, payload, &src, 0, 8, 9, &src_area) ||
	    !check_area(job, payload, &dst, 4, 10, 11, &dst_area))
		return false;
	if (payload[12] != 0)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 12);
	if (area_empty(&src_area) || area_empty(&dst_area))
		return true;
	uint32_t src_w = low16(payload[9]), src_h = high16(payload[9]);
	uint32_t dst_w = low16(payload[11]), dst_h = high16(payload[11]);
	if (!cp_charge(job, (uint64_t)dst_w * dst_h))
		return false;

	bool raw = src.format == dst.format && src_w == dst_w;
	uint8_t *src_row = gpu->cp.row[0], *dst_row = gpu->cp.row[1];
	float *src_rgba = gpu->cp.rgba[0], *dst_rgba = gpu->cp.rgba[1];
	uint32_t loaded = UINT32_MAX;
	for (uint32_t j = 0; j < dst_h; j++) {
		if (!cp_keep_going(job))
			return false;
		uint32_t sy = nearest(j, src_h, dst_h);
		if (sy != loaded) {
			if (!va_read(gpu, src_area.first + sy * src_area.pitch, src_row, src_area.row_bytes,
			             &job->fault))
				return false;
			if (!raw)
				format_unpack_row(src.format, src_row, src_rgba, src_w);
			loaded = sy;
		}
		if (!raw) {
			for (uint32_t i = 0; i < dst_w; i++)
				memcpy(dst_rgba + 4 * i, src_rgba + 4 * nearest(i, src_w, dst_w),
				       4 * sizeof(float));
			format_pack_row(dst.format, dst_rgba, dst_row, dst_w);
		}
		if (!va_write(gpu, dst_area.first + j * dst_area.pitch, raw ? src_row : dst_row,
		              dst_area.row_bytes, &job->fault))
			return false;
	}
	return true;
}
