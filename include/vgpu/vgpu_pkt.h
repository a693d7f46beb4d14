/* SPDX-License-Identifier: MIT */
/*
 * Packet builder: emits vgpu command packets (docs/hw-spec.md section 6) into a caller-owned dword buffer.
 * Header-only and allocation-free so the unit tests, the QEMU device tests, tools and the kernel driver can
 * share one encoder. A buffer that runs out of room sets `overflow` and ignores further packets.
 *
 *   uint32_t words[64];
 *   struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
 *   vgpu_pkt_fill(&cb, &surface, 0, 0, 64, 64, 0xff0000ff);
 *   vgpu_pkt_fence(&cb, fence_pa, 1, VGPU_FENCE_FLAG_INTERRUPT);
 */
#ifndef VGPU_PKT_H
#define VGPU_PKT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

#include "vgpu_hw.h"

struct vgpu_cmdbuf {
	uint32_t *dw;
	uint32_t count, capacity;
	bool overflow;
};

#define VGPU_CMDBUF_INIT(words, capacity)                                                                    \
	{                                                                                                    \
		(words), 0, (capacity), false                                                                \
	}

/* A 2D surface operand: VA, pitch in bytes, VGPU_FORMAT_*. */
struct vgpu_pkt_surface {
	uint64_t va;
	uint32_t pitch, format;
};

/* Start a packet of `length` payload dwords; NULL when it does not fit. */
static inline uint32_t *vgpu_pkt_begin(struct vgpu_cmdbuf *cb, uint32_t opcode, uint32_t length)
{
	if (cb->overflow || length > 0xffff || cb->capacity - cb->count < 1 + length) {
		cb->overflow = true;
		return (uint32_t *)0;
	}
	uint32_t *p = cb->dw + cb->count;
	p[0] = VGPU_PKT_HEADER(opcode, length);
	cb->count += 1 + length;
	return p + 1;
}

static inline void vgpu_pkt_put64(uint32_t *p, uint64_t value)
{
	p[0] = (uint32_t)value;
	p[1] = (uint32_t)(value >> 32);
}

static inline void vgpu_pkt_put_surface(uint32_t *p, const struct vgpu_pkt_surface *s)
{
	vgpu_pkt_put64(p, s->va);
	p[2] = s->pitch;
	p[3] = s->format;
}

static inline void vgpu_pkt_nop(struct vgpu_cmdbuf *cb, uint32_t length)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_NOP, length);
	for (uint32_t i = 0; p && i < length; i++)
		p[i] = 0;
}

static inline void vgpu_pkt_indirect(struct vgpu_cmdbuf *cb, uint64_t va, uint32_t size_dwords)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_INDIRECT, 3);
	if (p) {
		vgpu_pkt_put64(p, va);
		p[2] = size_dwords;
	}
}

static inline void vgpu_pkt_set_context(struct vgpu_cmdbuf *cb, uint32_t asid, uint64_t root_pa)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_CONTEXT, 3);
	if (p) {
		p[0] = asid;
		vgpu_pkt_put64(p + 1, root_pa);
	}
}

static inline void vgpu_pkt_fence(struct vgpu_cmdbuf *cb, uint64_t pa, uint64_t seq, uint32_t flags)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_FENCE, 5);
	if (p) {
		vgpu_pkt_put64(p, pa);
		vgpu_pkt_put64(p + 2, seq);
		p[4] = flags;
	}
}

static inline void vgpu_pkt_mmu_invalidate(struct vgpu_cmdbuf *cb)
{
	vgpu_pkt_begin(cb, VGPU_PKT_MMU_INVALIDATE, 0);
}

static inline void vgpu_pkt_write_data(struct vgpu_cmdbuf *cb, uint64_t va, const uint32_t *data,
                                       uint32_t count)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_WRITE_DATA, 2 + count);
	if (p) {
		vgpu_pkt_put64(p, va);
		for (uint32_t i = 0; i < count; i++)
			p[2 + i] = data[i];
	}
}

static inline void vgpu_pkt_timestamp(struct vgpu_cmdbuf *cb, uint64_t va)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_TIMESTAMP, 2);
	if (p)
		vgpu_pkt_put64(p, va);
}

static inline void vgpu_pkt_fill(struct vgpu_cmdbuf *cb, const struct vgpu_pkt_surface *dst, uint32_t x,
                                 uint32_t y, uint32_t width, uint32_t height, uint32_t value)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_FILL, 7);
	if (p) {
		vgpu_pkt_put_surface(p, dst);
		p[4] = VGPU_XY(x, y);
		p[5] = VGPU_XY(width, height);
		p[6] = value;
	}
}

static inline void vgpu_pkt_copy(struct vgpu_cmdbuf *cb, const struct vgpu_pkt_surface *src, uint32_t src_x,
                                 uint32_t src_y, const struct vgpu_pkt_surface *dst, uint32_t dst_x,
                                 uint32_t dst_y, uint32_t width, uint32_t height)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_COPY, 11);
	if (p) {
		vgpu_pkt_put_surface(p, src);
		vgpu_pkt_put_surface(p + 4, dst);
		p[8] = VGPU_XY(src_x, src_y);
		p[9] = VGPU_XY(dst_x, dst_y);
		p[10] = VGPU_XY(width, height);
	}
}

static inline void vgpu_pkt_blit(struct vgpu_cmdbuf *cb, const struct vgpu_pkt_surface *src, uint32_t src_x,
                                 uint32_t src_y, uint32_t src_width, uint32_t src_height,
                                 const struct vgpu_pkt_surface *dst, uint32_t dst_x, uint32_t dst_y,
                                 uint32_t dst_width, uint32_t dst_height)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_BLIT, 13);
	if (p) {
		vgpu_pkt_put_surface(p, src);
		vgpu_pkt_put_surface(p + 4, dst);
		p[8] = VGPU_XY(src_x, src_y);
		p[9] = VGPU_XY(src_width, src_height);
		p[10] = VGPU_XY(dst_x, dst_y);
		p[11] = VGPU_XY(dst_width, dst_height);
		p[12] = 0;
	}
}

/* ---- 3D packets (spec section 10) ---- */

static inline void vgpu_pkt_set_render_targets(struct vgpu_cmdbuf *cb, uint32_t width, uint32_t height,
					       uint32_t count, const struct vgpu_pkt_surface *colors,
					       const struct vgpu_pkt_surface *depth)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_RENDER_TARGETS, 22);
	if (!p)
		return;
	for (uint32_t i = 0; i < 22; i++)
		p[i] = 0;
	p[0] = VGPU_XY(width, height);
	p[1] = count;
	for (uint32_t i = 0; i < count && i < VGPU_MAX_RENDER_TARGETS; i++)
		vgpu_pkt_put_surface(p + 2 + 4 * i, &colors[i]);
	if (depth)
		vgpu_pkt_put_surface(p + 18, depth);
}

static inline void vgpu_pkt_set_scissor(struct vgpu_cmdbuf *cb, uint32_t min_x, uint32_t min_y, uint32_t max_x,
					uint32_t max_y)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_SCISSOR, 2);
	if (p) {
		p[0] = VGPU_XY(min_x, min_y);
		p[1] = VGPU_XY(max_x, max_y);
	}
}

/* words: depth word, front stencil, front masks, back stencil, back masks (spec 10.5). */
static inline void vgpu_pkt_set_depth_stencil(struct vgpu_cmdbuf *cb, const uint32_t words[5])
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_DEPTH_STENCIL, 5);
	for (uint32_t i = 0; p && i < 5; i++)
		p[i] = words[i];
}

static inline void vgpu_pkt_set_shader(struct vgpu_cmdbuf *cb, uint32_t stage, uint64_t va, uint32_t size)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_SHADER, 4);
	if (p) {
		p[0] = stage;
		vgpu_pkt_put64(p + 1, va);
		p[3] = size;
	}
}

static inline void vgpu_pkt_set_vertex_buffer(struct vgpu_cmdbuf *cb, uint32_t slot, uint64_t va, uint32_t size,
					      uint32_t stride)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_VERTEX_BUFFER, 5);
	if (p) {
		p[0] = slot;
		vgpu_pkt_put64(p + 1, va);
		p[3] = size;
		p[4] = stride;
	}
}

static inline void vgpu_pkt_set_vertex_attrib(struct vgpu_cmdbuf *cb, uint32_t attrib, uint32_t buffer,
					      uint32_t offset, uint32_t format)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_VERTEX_ATTRIB, 4);
	if (p) {
		p[0] = attrib;
		p[1] = buffer;
		p[2] = offset;
		p[3] = format;
	}
}

static inline void vgpu_pkt_set_uniform_buffer(struct vgpu_cmdbuf *cb, uint32_t slot, uint64_t va, uint32_t size)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_UNIFORM_BUFFER, 4);
	if (p) {
		p[0] = slot;
		vgpu_pkt_put64(p + 1, va);
		p[3] = size;
	}
}

/* swizzle: VGPU_SWIZZLE(r, g, b, a) of VGPU_SWIZZLE_* selectors (1.1, CAPS.TEXTURE_SWIZZLE), 0 = identity. */
static inline void vgpu_pkt_set_texture_swizzled(struct vgpu_cmdbuf *cb, uint32_t slot, uint64_t va,
						 uint32_t format, uint32_t width, uint32_t height, uint32_t levels,
						 uint32_t type, uint32_t swizzle)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_TEXTURE, 6);
	if (p) {
		p[0] = slot;
		vgpu_pkt_put64(p + 1, va);
		p[3] = format;
		p[4] = VGPU_XY(width, height);
		p[5] = levels | type << 8 | swizzle << 16;
	}
}

static inline void vgpu_pkt_set_texture(struct vgpu_cmdbuf *cb, uint32_t slot, uint64_t va, uint32_t format,
					uint32_t width, uint32_t height, uint32_t levels, uint32_t type)
{
	vgpu_pkt_set_texture_swizzled(cb, slot, va, format, width, height, levels, type, VGPU_SWIZZLE_IDENTITY);
}

static inline void vgpu_pkt_set_index_buffer(struct vgpu_cmdbuf *cb, uint64_t va, uint32_t size, uint32_t index_size)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_INDEX_BUFFER, 4);
	if (p) {
		vgpu_pkt_put64(p, va);
		p[2] = size;
		p[3] = index_size;
	}
}

static inline void vgpu_pkt_draw(struct vgpu_cmdbuf *cb, uint32_t topology_flags, uint32_t first, uint32_t count,
				 uint32_t instances)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_DRAW, 4);
	if (p) {
		p[0] = topology_flags;
		p[1] = first;
		p[2] = count;
		p[3] = instances;
	}
}

static inline void vgpu_pkt_draw_indexed(struct vgpu_cmdbuf *cb, uint32_t topology_flags, uint32_t first,
					 uint32_t count, int32_t base_vertex, uint32_t instances)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_DRAW_INDEXED, 5);
	if (p) {
		p[0] = topology_flags;
		p[1] = first;
		p[2] = count;
		p[3] = (uint32_t)base_vertex;
		p[4] = instances;
	}
}

/* 1.1 (CAPS.POINT_SPRITE): slots is a mask of fragment varying slots, flags VGPU_POINT_SPRITE_ORIGIN_*. */
static inline void vgpu_pkt_set_point_sprite(struct vgpu_cmdbuf *cb, uint32_t slots, uint32_t flags)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_POINT_SPRITE, 1);
	if (p)
		p[0] = slots | flags;
}

/* 1.1 (CAPS.OCCLUSION_COUNTER): write the 64-bit samples-passed counter to an 8-byte aligned VA. */
static inline void vgpu_pkt_occlusion_count(struct vgpu_cmdbuf *cb, uint64_t va)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_OCCLUSION_COUNT, 2);
	if (p)
		vgpu_pkt_put64(p, va);
}

#ifndef __KERNEL__
/* The packets with float fields: userspace only (the kernel never touches floats). */
static inline uint32_t vgpu_pkt_f32(float value)
{
	union {
		float f;
		uint32_t u;
	} bits = { value };
	return bits.u;
}

static inline void vgpu_pkt_set_viewport(struct vgpu_cmdbuf *cb, const float scale[3], const float translate[3])
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_VIEWPORT, 6);
	for (uint32_t i = 0; p && i < 3; i++) {
		p[i] = vgpu_pkt_f32(scale[i]);
		p[3 + i] = vgpu_pkt_f32(translate[i]);
	}
}

static inline void vgpu_pkt_set_raster(struct vgpu_cmdbuf *cb, uint32_t flags, float point_size, float line_width)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_RASTER, 3);
	if (p) {
		p[0] = flags;
		p[1] = vgpu_pkt_f32(point_size);
		p[2] = vgpu_pkt_f32(line_width);
	}
}

/* 1.1 (CAPS.DEPTH_BIAS): glPolygonOffset(factor, units) with EXT_polygon_offset_clamp's clamp (0: none). */
static inline void vgpu_pkt_set_depth_bias(struct vgpu_cmdbuf *cb, float units, float slope_factor, float clamp)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_DEPTH_BIAS, 3);
	if (p) {
		p[0] = vgpu_pkt_f32(units);
		p[1] = vgpu_pkt_f32(slope_factor);
		p[2] = vgpu_pkt_f32(clamp);
	}
}

static inline void vgpu_pkt_set_blend(struct vgpu_cmdbuf *cb, const uint32_t targets[4], const float color[4])
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_BLEND, 8);
	for (uint32_t i = 0; p && i < 4; i++) {
		p[i] = targets[i];
		p[4 + i] = vgpu_pkt_f32(color[i]);
	}
}

static inline void vgpu_pkt_set_sampler(struct vgpu_cmdbuf *cb, uint32_t slot, uint32_t flags, float lod_bias,
					float min_lod, float max_lod)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_SET_SAMPLER, 5);
	if (p) {
		p[0] = slot;
		p[1] = flags;
		p[2] = vgpu_pkt_f32(lod_bias);
		p[3] = vgpu_pkt_f32(min_lod);
		p[4] = vgpu_pkt_f32(max_lod);
	}
}

static inline void vgpu_pkt_clear(struct vgpu_cmdbuf *cb, uint32_t targets, const float rgba[4], float depth,
				  uint32_t stencil)
{
	uint32_t *p = vgpu_pkt_begin(cb, VGPU_PKT_CLEAR, 7);
	if (p) {
		p[0] = targets;
		for (uint32_t i = 0; i < 4; i++)
			p[1 + i] = vgpu_pkt_f32(rgba[i]);
		p[5] = vgpu_pkt_f32(depth);
		p[6] = stencil;
	}
}
#endif

/* Any packet from raw payload dwords, e.g. a deliberately malformed one in a test. */
static inline void vgpu_pkt_raw(struct vgpu_cmdbuf *cb, uint32_t header, const uint32_t *payload,
                                uint32_t payload_dwords)
{
	if (cb->overflow || cb->capacity - cb->count < 1 + payload_dwords) {
		cb->overflow = true;
		return;
	}
	cb->dw[cb->count++] = header;
	for (uint32_t i = 0; i < payload_dwords; i++)
		cb->dw[cb->count++] = payload[i];
}

#endif /* VGPU_PKT_H */
