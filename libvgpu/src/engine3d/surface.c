/* SPDX-License-Identifier: MIT */
#include "engine3d/surface.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "cp/cp.h"
#include "mmu/memory.h"
#include "mmu/mmu.h"

#define PAGE VGPU_PAGE_SIZE
/* Maps above these sizes give their memory back after the packet (surface_map_trim). */
#define KEEP_PAGES        (1u << 16) /* tables of 256 MiB of surface: 1 MiB */
#define KEEP_BOUNCE_PAGES (1u << 12) /* 16 MiB of system memory */
/* Pages translated between two abort/pause checks of the job. */
#define CHECK_EVERY_PAGES 4096u

static bool grow(void **array, uint32_t *capacity, uint64_t needed, size_t item)
{
	if (needed <= *capacity)
		return true;
	if (needed > UINT32_MAX / 2)
		return false;
	uint64_t n = *capacity ? *capacity : 64;
	while (n < needed)
		n *= 2;
	void *grown = realloc(*array, n * item);
	if (!grown)
		return false;
	*array = grown;
	*capacity = (uint32_t)n;
	return true;
}

static bool bounce_page(struct vgpu *gpu, struct surface_budget *budget, struct surface_map *map, uint64_t pa,
                        uint8_t **host, struct vgpu_fault *fault)
{
	if (budget->bounce_pages == 0) {
		*fault = (struct vgpu_fault){.type = VGPU_FAULT_BAD_STATE};
		return false;
	}
	uint32_t capacity_pages = map->bounce_capacity;
	void *bounce = map->bounce;
	if (map->bounce_used + 1 > capacity_pages) {
		uint32_t n = capacity_pages ? capacity_pages * 2 : 16;
		bounce = realloc(map->bounce, (size_t)n * PAGE);
		if (!bounce) {
			*fault = (struct vgpu_fault){.type = VGPU_FAULT_DMA_ERROR, .addr = pa};
			return false;
		}
		/* Pages already handed out moved: rebase them. */
		for (uint32_t i = 0; i < map->pages; i++)
			if (map->page[i] && pa_is_sysmem(map->page_pa[i]))
				map->page[i] = (uint8_t *)bounce + (map->page[i] - map->bounce);
		map->bounce = bounce;
		map->bounce_capacity = n;
	}
	uint8_t *copy = map->bounce + (size_t)map->bounce_used * PAGE;
	if (!mem_read(gpu, pa, copy, PAGE, fault))
		return false;
	map->bounce_used++;
	budget->bounce_pages--;
	*host = copy;
	return true;
}

static uint8_t *find_linear(const struct surface_map *map)
{
	if (map->pages == 0)
		return NULL;
	for (uint32_t i = 0; i < map->pages; i++)
		if (!map->page[i] || map->page[i] != map->page[0] + (size_t)i * PAGE)
			return NULL;
	return map->page[0] + (map->va - map->first_page);
}

static struct surface_key current_key(struct vgpu *gpu)
{
	return (struct surface_key){.asid = gpu->mmu.asid,
	                            .root = gpu->mmu.root,
	                            .generation = gpu->mmu.generation,
	                            .invalidations = atomic_load(&gpu->mmu_invalidations)};
}

/* Pages [first, first + count) of a map: charged to the watchdog, and a point where the job's abort or pause
 * request is honoured. */
static bool charge_pages(struct surface_budget *budget, uint64_t count, struct vgpu_fault *fault)
{
	if (!cp_charge(budget->job, count * SURFACE_PAGE_UNITS) || !cp_keep_going(budget->job)) {
		*fault = budget->job->fault;
		return false;
	}
	return true;
}

/* Every CHECK_EVERY_PAGES pages of a loop over pages. */
static bool page_checkpoint(struct surface_budget *budget, uint32_t i, uint32_t pages,
                            struct vgpu_fault *fault)
{
	if (i % CHECK_EVERY_PAGES)
		return true;
	uint32_t batch = pages - i < CHECK_EVERY_PAGES ? pages - i : CHECK_EVERY_PAGES;
	return charge_pages(budget, batch, fault);
}

/* The same pages again: fresh copies of system memory, and the reads noted. */
static bool refresh(struct surface_budget *budget, struct surface_map *map, struct vgpu_fault *fault)
{
	struct vgpu *gpu = budget->job->gpu;
	for (uint32_t i = 0; i < map->pages; i++) {
		if (!page_checkpoint(budget, i, map->pages, fault))
			return false;
		if (!map->page[i])
			continue;
		if (pa_is_sysmem(map->page_pa[i])) {
			if (budget->bounce_pages == 0) {
				*fault = (struct vgpu_fault){.type = VGPU_FAULT_BAD_STATE};
				return false;
			}
			budget->bounce_pages--;
			if (!mem_read(gpu, map->page_pa[i], map->page[i], PAGE, fault))
				return false;
		} else {
			mem_note_read(gpu, map->page_pa[i], map->page[i], PAGE);
		}
	}
	return true;
}

/* The pages [va, va + size) spans, or 0 with a fault when the packet's maps may not cover that many more. */
static uint64_t pages_within_budget(struct surface_budget *budget, uint64_t va, uint64_t size,
                                    struct vgpu_fault *fault)
{
	/* va < 2^39 and size < 2^48 (the callers' checks), so none of this wraps */
	uint64_t pages = ((va + size + PAGE - 1) & ~(PAGE - 1)) / PAGE - va / PAGE;
	if (pages > budget->pages) {
		*fault = (struct vgpu_fault){.type = VGPU_FAULT_BAD_STATE};
		return 0;
	}
	budget->pages -= pages;
	return pages;
}

bool surface_map_build(struct surface_budget *budget, struct surface_map *map, uint64_t va, uint64_t size,
                       bool writable, struct vgpu_fault *fault)
{
	struct vgpu *gpu = budget->job->gpu;
	if (size != 0 && (va >= (1ull << VGPU_VA_BITS) || size > (1ull << 48))) {
		*fault = (struct vgpu_fault){.type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = va};
		return false;
	}
	uint64_t pages = size ? pages_within_budget(budget, va, size, fault) : 0;
	if (size && !pages)
		return false;
	struct surface_key key = current_key(gpu);
	bool same_key = key.asid == map->key.asid && key.root == map->key.root &&
	                key.generation == map->key.generation && key.invalidations == map->key.invalidations;
	if (map->cached && same_key && map->va == va && map->size == size && map->writable == writable) {
		if (refresh(budget, map, fault))
			return true; /* the same pages: map->linear still holds */
		if (fault->type == VGPU_FAULT_WATCHDOG || fault->type == VGPU_FAULT_BAD_STATE)
			return false;
	}
	/* otherwise translate from scratch (a page that stopped reading then faults where it should) */
	map->cached = false;
	map->va = va;
	map->size = size;
	map->first_page = va & ~(PAGE - 1);
	map->writable = writable;
	map->bounce_used = 0;
	map->pages = 0;
	map->linear = NULL;
	if (size == 0)
		return true;
	if (pages > map->capacity) {
		/* both arrays grow together, and only here: a map is reused from draw to draw */
		uint32_t capacity = map->capacity;
		if (!grow((void **)&map->page, &capacity, pages, sizeof(*map->page)) ||
		    !grow((void **)&map->page_pa, &map->capacity, pages, sizeof(*map->page_pa))) {
			*fault = (struct vgpu_fault){.type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = va};
			return false;
		}
	}
	map->pages = (uint32_t)pages;
	for (uint32_t i = 0; i < map->pages; i++) {
		uint64_t page_va = map->first_page + (uint64_t)i * PAGE;
		uint64_t pa;
		struct vgpu_fault page_fault;
		if (!page_checkpoint(budget, i, map->pages, fault)) {
			map->pages = i;
			return false;
		}
		map->page[i] = NULL;
		map->page_pa[i] = 0;
		if (!mmu_translate(gpu, page_va, writable, &pa, &page_fault) ||
		    !pa_range_valid(gpu, pa, PAGE)) {
			if (writable) {
				*fault = page_fault;
				map->pages = i;
				return false;
			}
			continue;
		}
		map->page_pa[i] = pa;
		if (pa_is_sysmem(pa)) {
			if (!bounce_page(gpu, budget, map, pa, &map->page[i], fault)) {
				map->page[i] = NULL;
				if (writable || fault->type == VGPU_FAULT_BAD_STATE) {
					map->pages = i;
					return false;
				}
			}
		} else {
			map->page[i] = pa_vram_ptr(gpu, pa);
			mem_note_read(gpu, pa, map->page[i], PAGE);
		}
	}
	map->cached = true;
	map->key = key;
	map->linear = find_linear(map);
	return true;
}

bool surface_map_finish(struct vgpu *gpu, struct surface_map *map, struct vgpu_fault *fault)
{
	if (!map->writable)
		return true;
	for (uint32_t i = 0; i < map->pages;) {
		uint64_t pa = map->page_pa[i];
		if (pa_is_sysmem(pa)) {
			if (!mem_write(gpu, pa, map->page[i], PAGE, fault))
				return false;
			i++;
			continue;
		}
		uint32_t run = 1;
		while (i + run < map->pages && map->page_pa[i + run] == pa + (uint64_t)run * PAGE)
			run++;
		mem_note_written(gpu, pa, (uint64_t)run * PAGE);
		i += run;
	}
	return true;
}

void surface_map_trim(struct surface_map *map)
{
	if (map->capacity > KEEP_PAGES) {
		free(map->page);
		free(map->page_pa);
		map->page = NULL;
		map->page_pa = NULL;
		map->capacity = 0;
		map->pages = 0;
		map->cached = false;
		map->linear = NULL;
	}
	if (map->bounce_capacity > KEEP_BOUNCE_PAGES) {
		free(map->bounce);
		map->bounce = NULL;
		map->bounce_capacity = 0;
		map->bounce_used = 0;
		map->pages = 0;
		map->cached = false; /* its pages pointed into the bounce buffer */
		map->linear = NULL;
	}
}

void surface_map_free(struct surface_map *map)
{
	free(map->page);
	free(map->page_pa);
	free(map->bounce);
	*map = (struct surface_map){0};
}

/* Walk [offset, offset + len) page by page. */
#define FOR_EACH_PIECE(map, offset, len, body)                                                               \
	do {                                                                                                 \
		uint64_t at_ = (map)->va - (map)->first_page + (offset);                                     \
		size_t done_ = 0;                                                                            \
		while (done_ < (len)) {                                                                      \
			uint64_t in_page_ = at_ & (PAGE - 1);                                                \
			size_t piece_ =                                                                      \
			        PAGE - in_page_ < (len)-done_ ? (size_t)(PAGE - in_page_) : (len)-done_;     \
			uint8_t *host_ = (map)->page[at_ / PAGE] + in_page_;                                 \
			body;                                                                                \
			done_ += piece_;                                                                     \
			at_ += piece_;                                                                       \
		}                                                                                            \
	} while (0)

void surface_read(const struct surface_map *map, uint64_t offset, void *dst, size_t len)
{
	FOR_EACH_PIECE(map, offset, len, memcpy((uint8_t *)dst + done_, host_, piece_));
}

void surface_write(const struct surface_map *map, uint64_t offset, const void *src, size_t len)
{
	FOR_EACH_PIECE(map, offset, len, memcpy(host_, (const uint8_t *)src + done_, piece_));
}

#define FILL_COPY_MAX (64u * 1024)

/* A fill pattern: one pixel, and where the pixel size divides 16, 16 bytes of pixels twice over, so the
 * 16 bytes from any phase are at wide + phase % 16. */
struct fill {
	const uint8_t *pixel;
	unsigned bpp;
	bool uniform; /* every byte the same: memset */
	bool wide;
	uint8_t pattern[32];
};

static void fill_init(struct fill *f, const uint8_t *pixel, unsigned bpp)
{
	f->pixel = pixel;
	f->bpp = bpp;
	f->uniform = true;
	for (unsigned i = 1; i < bpp; i++)
		f->uniform &= pixel[i] == pixel[0];
	f->wide = 16 % bpp == 0;
	for (unsigned i = 0; i < sizeof(f->pattern); i++)
		f->pattern[i] = pixel[i % bpp];
}

/* len bytes at dst, the first at byte `phase` of the pattern: a prefix of whole pixels written by hand,
 * then doubled by copies within dst (memcpy's wide stores run near memset's speed; a loop of 16-byte stores
 * reaches half of it). */
static void fill_run(const struct fill *f, uint8_t *dst, size_t len, size_t phase)
{
	if (f->uniform) {
		memset(dst, f->pixel[0], len);
		return;
	}
	size_t prefix;
	if (f->wide) {
		prefix = len < 64 ? len : 64;
		uint8_t v[16];
		memcpy(v, f->pattern + phase % 16, 16);
		for (size_t i = 0; i < prefix; i++)
			dst[i] = v[i % 16];
	} else {
		prefix = len < 16 * f->bpp ? len : 16 * f->bpp;
		for (size_t i = 0, j = phase % f->bpp; i < prefix; i++, j = j + 1 < f->bpp ? j + 1 : 0)
			dst[i] = f->pixel[j];
	}
	/* Copies of at most about 64 KiB, so their source stays in the cache however long the run; a multiple
	 * of the prefix, so each copy starts in phase. */
	size_t most = prefix ? FILL_COPY_MAX / prefix * prefix : 0;
	for (size_t done = prefix; done < len;) {
		size_t n = done < len - done ? done : len - done;
		n = n < most ? n : most;
		memcpy(dst + done, dst, n);
		done += n;
	}
}

void surface_fill(const struct surface_map *map, uint64_t offset, uint64_t pitch, uint32_t rows,
                  const uint8_t *pattern, unsigned bpp, uint64_t count)
{
	uint64_t len = count * bpp;
	struct fill f;
	fill_init(&f, pattern, bpp);
	if (map->linear && pitch == len) {
		fill_run(&f, map->linear + offset, (size_t)(len * rows), 0); /* rows back to back: one run */
		return;
	}
	for (uint32_t r = 0; r < rows; r++) {
		if (map->linear)
			fill_run(&f, map->linear + offset + r * pitch, (size_t)len, 0);
		else
			FOR_EACH_PIECE(map, offset + r * pitch, (size_t)len,
			               fill_run(&f, host_, piece_, done_));
	}
}

const uint8_t *surface_peek(const struct surface_map *map, uint64_t offset, unsigned len, uint8_t tmp[16],
                            uint32_t *missing_page)
{
	uint64_t at = map->va - map->first_page + offset;
	uint32_t page = (uint32_t)(at / PAGE);
	uint64_t in_page = at & (PAGE - 1);
	if (!map->page[page]) {
		*missing_page = page;
		return NULL;
	}
	if (in_page + len <= PAGE)
		return map->page[page] + in_page;
	if (!map->page[page + 1]) {
		*missing_page = page + 1;
		return NULL;
	}
	size_t first = (size_t)(PAGE - in_page);
	memcpy(tmp, map->page[page] + in_page, first);
	memcpy(tmp + first, map->page[page + 1], len - first);
	return tmp;
}

const uint8_t *surface_linear(const struct surface_map *map)
{
	return map->linear;
}

void surface_page_fault(struct vgpu *gpu, const struct surface_map *map, uint32_t page,
                        struct vgpu_fault *fault)
{
	uint64_t va = map->first_page + (uint64_t)page * PAGE;
	uint64_t pa;
	if (mmu_translate(gpu, va, false, &pa, fault)) {
		/* It translates now but did not when the draw started: the PA is outside memory or refused.
		 */
		*fault = (struct vgpu_fault){.type = pa_is_sysmem(pa) ? VGPU_FAULT_DMA_ERROR
		                                                      : VGPU_FAULT_MMU_BAD_ADDRESS,
		                             .addr = va};
	}
}
