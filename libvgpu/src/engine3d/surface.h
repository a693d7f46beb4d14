/* SPDX-License-Identifier: MIT */
/* Guest memory the render workers touch (render targets, depth buffers, textures), translated once per draw
 * on the CP thread into a host pointer per page, so the workers never walk page tables. VRAM pages point into
 * VRAM; system-memory pages point into a bounce copy that is written back when the draw ends. */
#ifndef VGPU_E3D_SURFACE_H
#define VGPU_E3D_SURFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fault.h"

struct vgpu;
struct cp_job;

/* Limits of one packet's maps together (spec 8.3): the pages they cover (the tables cost 16 bytes of host
 * memory per page) and the system-memory pages they copy. */
#define SURFACE_PACKET_PAGES_MAX  (1u << 21) /* 8 GiB of surfaces, 32 MiB of tables */
#define SURFACE_PACKET_BOUNCE_MAX (1u << 16) /* 256 MiB of system memory copied */
/* Watchdog units per page a map covers (spec 5.5): a translation costs about what 16 pixel writes do. */
#define SURFACE_PAGE_UNITS 16

/* What building maps may still spend in the current packet. Every page is charged to the job's watchdog, and
 * the job's abort/pause check runs every few thousand pages, so no map, however large its guest-given size,
 * takes long or much memory. */
struct surface_budget {
	struct cp_job *job;
	uint64_t pages;        /* pages the packet's maps may still cover */
	uint32_t bounce_pages; /* system-memory pages they may still copy */
};

static inline struct surface_budget surface_budget_for_packet(struct cp_job *job)
{
	return (struct surface_budget){job, SURFACE_PACKET_PAGES_MAX, SURFACE_PACKET_BOUNCE_MAX};
}

struct surface_map {
	uint64_t va, size;   /* the mapped bytes */
	uint64_t first_page; /* va rounded down to a page */
	uint8_t **page;      /* host pointer per page; NULL: did not translate (read-only maps only) */
	uint64_t *page_pa;
	uint32_t pages, capacity;
	uint8_t *bounce;
	uint32_t bounce_used, bounce_capacity; /* pages */
	uint8_t *linear;                       /* what surface_linear returns, found when the map is built */
	bool writable;
	/* The translations are cached like the TLB's: valid until the context changes or the MMU drops its
	 * cached translations (spec 4.2: drivers invalidate after changing page tables). */
	bool cached;
	struct surface_key {
		uint16_t asid;
		uint64_t root;
		uint32_t generation;
		unsigned invalidations;
	} key;
};

/* Translate [va, va + size), or reuse the translations of the previous build of the same range (system-memory
 * pages are copied again either way, and every page counts as read for capture and replay). A writable map
 * fails with the first page's fault; a read-only one records the pages that do not translate as NULL
 * (surface_page_fault tells why when a worker touches one). Beyond the budget: a WATCHDOG fault when the
 * units ran out or the job must stop, BAD_STATE (FAULT_ADDR left for the caller) when the packet's maps would
 * cover too many pages or copy too much system memory. */
bool surface_map_build(struct surface_budget *budget, struct surface_map *map, uint64_t va, uint64_t size,
                       bool writable, struct vgpu_fault *fault);
/* After the packet: give back the host memory of a map larger than a typical surface (its translations are
 * built again when it is used next), so what one hostile packet grew does not stay. */
void surface_map_trim(struct surface_map *map);
/* After the draw: write system-memory pages back and report what was written (display damage). */
bool surface_map_finish(struct vgpu *gpu, struct surface_map *map, struct vgpu_fault *fault);
void surface_map_free(struct surface_map *map);

/* Byte offsets are relative to map->va and lie inside the map (callers check). */
void surface_read(const struct surface_map *map, uint64_t offset, void *dst, size_t len);
void surface_write(const struct surface_map *map, uint64_t offset, const void *src, size_t len);
/* rows rows of count pixels of bpp bytes, each a copy of pattern; row r starts at offset + r * pitch. */
void surface_fill(const struct surface_map *map, uint64_t offset, uint64_t pitch, uint32_t rows,
                  const uint8_t *pattern, unsigned bpp, uint64_t count);
/* The len bytes at offset (len <= 16): a pointer into the page, or a copy in tmp when they straddle a page
 * boundary; NULL when a page is missing, with its index in *missing_page. */
const uint8_t *surface_peek(const struct surface_map *map, uint64_t offset, unsigned len, uint8_t tmp[16],
                            uint32_t *missing_page);
/* The map's first byte when every page is present and the host pointers are contiguous (one VRAM
 * allocation, or system memory in the bounce buffer), so offsets need no page lookup; else NULL. Valid
 * until the map is built again. */
const uint8_t *surface_linear(const struct surface_map *map);
/* The fault of a page recorded as missing (translated again, on the CP thread). */
void surface_page_fault(struct vgpu *gpu, const struct surface_map *map, uint32_t page,
                        struct vgpu_fault *fault);

#endif
