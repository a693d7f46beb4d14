/* SPDX-License-Identifier: MIT */
/* CLEAR (spec 10.8): fill the chosen targets inside the framebuffer (and the scissor when enabled) with one
 * packed value each, ignoring write masks. Bands of rows are spread over the render workers. */
#include <math.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "engine3d/raster.h"
#include "format/format.h"

#define BAND_ROWS 32

struct clear_job {
	struct engine3d *e3d;
	int32_t rect[4];
	uint32_t colors;
	uint8_t pattern[VGPU_MAX_RENDER_TARGETS][16];
	bool depth, depth_rmw;            /* depth_rmw: only one of depth and stencil of a Z24S8 buffer */
	uint32_t depth_value, depth_keep; /* depth_keep: bits of each pixel the clear leaves */
	atomic_bool cut_short;            /* an abort ended the clear before some bands */
};

static void clear_band(void *ctx, unsigned band, unsigned worker)
{
	struct clear_job *c = ctx;
	struct engine3d *e3d = c->e3d;
	if (!device_checkpoint(e3d->gpu)) { /* a band is a few milliseconds at most */
		atomic_store(&c->cut_short, true);
		return;
	}
	const struct e3d_state *s = &e3d->state;
	int32_t y0 = c->rect[1] + (int32_t)band * BAND_ROWS,
	        y1 = y0 + BAND_ROWS < c->rect[3] ? y0 + BAND_ROWS : c->rect[3];
	uint32_t width = (uint32_t)(c->rect[2] - c->rect[0]);
	for (unsigned t = 0; t < s->color_count; t++) {
		if (!(c->colors >> t & 1))
			continue;
		unsigned bpp = format_bytes_per_pixel(s->color[t].format);
		surface_fill(&e3d->color_map[t],
		             (uint64_t)y0 * s->color[t].pitch + (uint64_t)c->rect[0] * bpp, s->color[t].pitch,
		             (uint32_t)(y1 - y0), c->pattern[t], bpp, width);
	}
	if (!c->depth)
		return;
	unsigned bpp = format_bytes_per_pixel(s->depth.format);
	uint8_t *row = e3d->scratch[worker]->color[0]; /* at least 16384 x 4 bytes */
	if (!c->depth_rmw) {
		uint8_t pattern[4];
		memcpy(pattern, &c->depth_value, 4);
		surface_fill(&e3d->depth_map, (uint64_t)y0 * s->depth.pitch + (uint64_t)c->rect[0] * bpp,
		             s->depth.pitch, (uint32_t)(y1 - y0), pattern, bpp, width);
		return;
	}
	for (int32_t y = y0; y < y1; y++) {
		uint64_t offset = (uint64_t)y * s->depth.pitch + (uint64_t)c->rect[0] * bpp;
		surface_read(&e3d->depth_map, offset, row, (size_t)width * 4);
		for (uint32_t x = 0; x < width; x++) {
			uint32_t v;
			memcpy(&v, row + 4 * x, 4);
			v = (v & c->depth_keep) | (c->depth_value & ~c->depth_keep);
			memcpy(row + 4 * x, &v, 4);
		}
		surface_write(&e3d->depth_map, offset, row, (size_t)width * 4);
	}
}

static uint32_t pack_depth(uint32_t format, float depth, uint32_t stencil)
{
	float d = depth > 0.0f ? (depth < 1.0f ? depth : 1.0f) : 0.0f;
	uint32_t bits;
	switch (format) {
	case VGPU_FORMAT_Z16_UNORM:
		return (uint32_t)nearbyintf(d * 65535.0f);
	case VGPU_FORMAT_Z24_UNORM_S8_UINT:
		return (uint32_t)nearbyintf(d * 16777215.0f) | stencil << 24;
	default:
		memcpy(&bits, &d, 4);
		return bits;
	}
}

bool e3d_clear(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	const struct e3d_state *s = &e3d->state;
	uint32_t targets = p[0];
	if (targets & ~0x3fu)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 0);
	if (p[6] & ~0xffu)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 6);
	if (!s->framebuffer_set)
		return cp_fail(job, VGPU_FAULT_BAD_STATE, VGPU_PKT_SET_RENDER_TARGETS);

	struct clear_job c = {.e3d = e3d, .rect = {0, 0, (int32_t)s->width, (int32_t)s->height}};
	if (s->raster & VGPU_RASTER_SCISSOR)
		for (int i = 0; i < 2; i++) {
			c.rect[i] = (int32_t)s->scissor[i] > c.rect[i] ? (int32_t)s->scissor[i] : c.rect[i];
			c.rect[i + 2] = (int32_t)s->scissor[i + 2] < c.rect[i + 2]
			                        ? (int32_t)s->scissor[i + 2]
			                        : c.rect[i + 2];
		}
	if (c.rect[0] >= c.rect[2] || c.rect[1] >= c.rect[3])
		return true;
	c.colors = targets & ((1u << s->color_count) - 1);
	float rgba[4];
	memcpy(rgba, p + 1, sizeof(rgba));
	for (unsigned t = 0; t < s->color_count; t++)
		format_pack_row(s->color[t].format, rgba, c.pattern[t], 1);
	float depth;
	memcpy(&depth, p + 5, 4);
	bool has_stencil = s->depth.format == VGPU_FORMAT_Z24_UNORM_S8_UINT;
	bool clear_depth = (targets & VGPU_CLEAR_DEPTH) && s->depth.format;
	bool clear_stencil = (targets & VGPU_CLEAR_STENCIL) && has_stencil;
	c.depth = clear_depth || clear_stencil;
	c.depth_value = pack_depth(s->depth.format, depth, p[6]);
	if (has_stencil && clear_depth != clear_stencil) {
		c.depth_rmw = true;
		c.depth_keep = clear_depth ? 0xff000000u : 0x00ffffffu;
	}

	uint64_t pixels = (uint64_t)(c.rect[2] - c.rect[0]) * (uint64_t)(c.rect[3] - c.rect[1]);
	if (!cp_charge(job, pixels * ((uint64_t)__builtin_popcount(c.colors) + c.depth)))
		return false;
	bool ok = e3d_map_targets(job, e3d, c.colors, c.depth);
	if (ok)
		e3d_workers_run(&e3d->workers,
		                (unsigned)((c.rect[3] - c.rect[1] + BAND_ROWS - 1) / BAND_ROWS), clear_band,
		                &c);
	if (ok && atomic_load(&c.cut_short))
		ok = cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
	return e3d_unmap_targets(job, e3d, ok);
}
