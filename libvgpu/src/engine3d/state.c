/* SPDX-License-Identifier: MIT */
/* The engine's lifetime and the state packets (spec 10.1-10.7 except SET_SHADER): each packet is validated
 * completely before it changes anything, so a bad packet faults and leaves the previous state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "engine3d/raster.h"
#include "engine3d/vertex.h"
#include "format/format.h"

#define VA_LIMIT (1ull << VGPU_VA_BITS)

static uint64_t va_of(const uint32_t *p)
{
	return (uint64_t)p[1] << 32 | p[0];
}

static float float_of(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, 4);
	return f;
}

static bool field_fail(struct cp_job *job, unsigned field)
{
	return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, field);
}

static void engine_enter(void *gpu)
{
	device_engine_enter(gpu);
}

static void engine_leave(void *gpu)
{
	device_engine_leave(gpu);
}

struct engine3d *engine3d_create(struct vgpu *gpu, unsigned render_threads)
{
	struct engine3d *e3d = calloc(1, sizeof(*e3d));
	if (!e3d)
		return NULL;
	e3d->gpu = gpu;
	/* helpers count as engine threads for pause (spec 12) */
	e3d->workers.enter = engine_enter;
	e3d->workers.leave = engine_leave;
	e3d->workers.hook_opaque = gpu;
	e3d_workers_start(&e3d->workers, render_threads);
	e3d->scratch = calloc(e3d->workers.count, sizeof(*e3d->scratch));
	e3d->shader_bytes = malloc(64 * 1024);
	e3d->indices = malloc(E3D_VERTEX_BATCH * 4);
	e3d->vertices = malloc(E3D_VERTEX_BATCH * sizeof(*e3d->vertices));
	bool ok = e3d->scratch && e3d->shader_bytes && e3d->indices && e3d->vertices;
	for (unsigned i = 0; ok && i < e3d->workers.count; i++)
		ok = (e3d->scratch[i] = aligned_alloc(64, (sizeof(struct e3d_worker_scratch) + 63) &
		                                                  ~(size_t)63)) != NULL;
	if (!ok) {
		engine3d_destroy(e3d);
		return NULL;
	}
	engine3d_reset(e3d);
	return e3d;
}

void engine3d_destroy(struct engine3d *e3d)
{
	if (!e3d)
		return;
	engine3d_reset(e3d);
	e3d_workers_stop(&e3d->workers);
	for (unsigned i = 0; e3d->scratch && i < e3d->workers.count; i++)
		free(e3d->scratch[i]);
	free(e3d->scratch);
	for (uint32_t i = 0; i < e3d->bin_tiles; i++)
		free(e3d->bins[i]);
	free(e3d->bins);
	free(e3d->bin_count);
	free(e3d->bin_capacity);
	free(e3d->results);
	free(e3d->prims);
	free(e3d->varyings);
	for (unsigned i = 0; i < VGPU_MAX_UNIFORM_BUFFERS; i++)
		free(e3d->uniform[i].words);
	for (unsigned i = 0; i < VGPU_MAX_TEXTURES; i++)
		surface_map_free(&e3d->texture[i].map);
	for (unsigned i = 0; i < VGPU_MAX_RENDER_TARGETS; i++)
		surface_map_free(&e3d->color_map[i]);
	surface_map_free(&e3d->depth_map);
	free(e3d->shader_bytes);
	free(e3d->indices);
	free(e3d->vertices);
	free(e3d);
}

void engine3d_reset(struct engine3d *e3d)
{
	for (int stage = 0; stage < 2; stage++)
		e3d_shader_free(e3d->state.shader[stage]);
	memset(&e3d->state, 0, sizeof(e3d->state));
	e3d->samples_passed = 0;
	e3d->state.point_size = 1.0f;
	e3d->state.line_width = 1.0f;
	for (unsigned i = 0; i < VGPU_MAX_RENDER_TARGETS; i++)
		e3d->state.blend[i] = 0xfu << 27; /* all channels written, blending off */
}

bool engine3d_packet(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	struct engine3d *e3d = job->gpu->engine3d;
	(void)length;
	if (!e3d)
		return cp_fail(job, VGPU_FAULT_BAD_OPCODE, payload[-1]);
	switch (VGPU_PKT_OPCODE(payload[-1])) {
	case VGPU_PKT_SET_RENDER_TARGETS:
		return e3d_set_render_targets(job, e3d, payload);
	case VGPU_PKT_SET_VIEWPORT:
		return e3d_set_viewport(job, e3d, payload);
	case VGPU_PKT_SET_SCISSOR:
		return e3d_set_scissor(job, e3d, payload);
	case VGPU_PKT_SET_RASTER:
		return e3d_set_raster(job, e3d, payload);
	case VGPU_PKT_SET_DEPTH_STENCIL:
		return e3d_set_depth_stencil(job, e3d, payload);
	case VGPU_PKT_SET_BLEND:
		return e3d_set_blend(job, e3d, payload);
	case VGPU_PKT_SET_SHADER:
		return e3d_set_shader(job, e3d, payload);
	case VGPU_PKT_SET_VERTEX_BUFFER:
		return e3d_set_vertex_buffer(job, e3d, payload);
	case VGPU_PKT_SET_VERTEX_ATTRIB:
		return e3d_set_vertex_attrib(job, e3d, payload);
	case VGPU_PKT_SET_UNIFORM_BUFFER:
		return e3d_set_uniform_buffer(job, e3d, payload);
	case VGPU_PKT_SET_TEXTURE:
		return e3d_set_texture(job, e3d, payload);
	case VGPU_PKT_SET_SAMPLER:
		return e3d_set_sampler(job, e3d, payload);
	case VGPU_PKT_SET_INDEX_BUFFER:
		return e3d_set_index_buffer(job, e3d, payload);
	case VGPU_PKT_SET_DEPTH_BIAS:
		return e3d_set_depth_bias(job, e3d, payload);
	case VGPU_PKT_SET_POINT_SPRITE:
		if (payload[0] >> 17)
			return field_fail(job, 0);
		e3d->state.point_sprite = payload[0];
		return true;
	case VGPU_PKT_DRAW:
		return e3d_draw(job, e3d, payload, false);
	case VGPU_PKT_DRAW_INDEXED:
		return e3d_draw(job, e3d, payload, true);
	case VGPU_PKT_CLEAR:
		return e3d_clear(job, e3d, payload);
	case VGPU_PKT_OCCLUSION_COUNT:
		return e3d_occlusion_count(job, e3d, payload);
	default:
		return cp_fail(job, VGPU_FAULT_BAD_OPCODE, payload[-1]);
	}
}

/* Surface at p[field..field+3] for a width x height framebuffer; depth selects the depth formats. */
static bool check_target(struct cp_job *job, const uint32_t *p, unsigned field, uint32_t width,
                         uint32_t height, bool depth, struct e3d_surface *surface)
{
	surface->va = va_of(p + field);
	surface->pitch = p[field + 2];
	surface->format = p[field + 3];
	bool renderable = depth ? format_is_depth(surface->format) : format_is_color(surface->format);
	if (!renderable)
		return cp_fail(job, VGPU_FAULT_BAD_SURFACE, field + 3);
	uint64_t row = (uint64_t)width * format_bytes_per_pixel(surface->format);
	if (surface->pitch > VGPU_SURFACE_PITCH_MAX || surface->pitch < row)
		return cp_fail(job, VGPU_FAULT_BAD_SURFACE, field + 2);
	uint64_t extent = (uint64_t)surface->pitch * (height - 1) + row;
	if (surface->va >= VA_LIMIT || extent > VA_LIMIT - surface->va)
		return cp_fail(job, VGPU_FAULT_BAD_SURFACE, field);
	return true;
}

static bool all_zero(const uint32_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool e3d_set_render_targets(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	uint32_t width = p[0] & 0xffff, height = p[0] >> 16, count = p[1];
	struct e3d_surface color[VGPU_MAX_RENDER_TARGETS] = {0}, depth = {0};

	if (width == 0 || height == 0 || width > VGPU_MAX_SURFACE_DIM || height > VGPU_MAX_SURFACE_DIM)
		return field_fail(job, 0);
	if (count > VGPU_MAX_RENDER_TARGETS)
		return field_fail(job, 1);
	for (unsigned i = 0; i < VGPU_MAX_RENDER_TARGETS; i++) {
		unsigned field = 2 + 4 * i;
		if (i >= count) {
			if (!all_zero(p + field, 4))
				return field_fail(job, field);
		} else if (!check_target(job, p, field, width, height, false, &color[i])) {
			return false;
		}
	}
	if (p[21] != VGPU_FORMAT_NONE && !check_target(job, p, 18, width, height, true, &depth))
		return false;
	if (p[21] == VGPU_FORMAT_NONE && !all_zero(p + 18, 3))
		return field_fail(job, 18);

	struct e3d_state *s = &e3d->state;
	s->framebuffer_set = true;
	s->width = width;
	s->height = height;
	s->color_count = count;
	memcpy(s->color, color, sizeof(color));
	s->depth = depth;
	return true;
}

bool e3d_set_viewport(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	float v[6];
	for (unsigned i = 0; i < 6; i++) {
		v[i] = float_of(p[i]);
		/* Window x and y stay within 2^16 + the guard band, so snapped coordinates fit the edge
		 * maths. */
		float limit = i == 2 || i == 5 ? 1e30f : 65536.0f;
		if (!isfinite(v[i]) || fabsf(v[i]) > limit)
			return field_fail(job, i);
	}
	memcpy(e3d->state.viewport_scale, v, sizeof(float) * 3);
	memcpy(e3d->state.viewport_translate, v + 3, sizeof(float) * 3);
	return true;
}

bool e3d_set_scissor(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	(void)job;
	e3d->state.scissor[0] = p[0] & 0xffff;
	e3d->state.scissor[1] = p[0] >> 16;
	e3d->state.scissor[2] = p[1] & 0xffff;
	e3d->state.scissor[3] = p[1] >> 16;
	return true;
}

bool e3d_set_raster(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	if (p[0] & ~0xffu)
		return field_fail(job, 0);
	float size[2] = {float_of(p[1]), float_of(p[2])};
	for (unsigned i = 0; i < 2; i++) {
		if (isnan(size[i]))
			return field_fail(job, 1 + i);
		size[i] = fminf(fmaxf(size[i], 1.0f), 64.0f);
	}
	e3d->state.raster = p[0];
	e3d->state.point_size = size[0];
	e3d->state.line_width = size[1];
	return true;
}

bool e3d_set_depth_stencil(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	static const uint32_t allowed[5] = {0x73, 0x00ff1fff, 0xffff, 0x00ff1fff, 0xffff};
	for (unsigned i = 0; i < 5; i++)
		if (p[i] & ~allowed[i])
			return field_fail(job, i);
	memcpy(e3d->state.depth_stencil, p, sizeof(e3d->state.depth_stencil));
	return true;
}

bool e3d_set_depth_bias(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	for (unsigned i = 0; i < 3; i++)
		if (!isfinite(float_of(p[i])))
			return field_fail(job, i);
	e3d->state.depth_bias_units = float_of(p[0]);
	e3d->state.depth_bias_slope = float_of(p[1]);
	e3d->state.depth_bias_clamp = float_of(p[2]);
	return true;
}

bool e3d_set_blend(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	for (unsigned i = 0; i < VGPU_MAX_RENDER_TARGETS; i++) {
		uint32_t w = p[i];
		if ((w >> 31) || VGPU_BLEND_RGB_FUNC(w) > VGPU_BLEND_FUNC_MAX ||
		    VGPU_BLEND_A_FUNC(w) > VGPU_BLEND_FUNC_MAX ||
		    VGPU_BLEND_RGB_SRC(w) > VGPU_BLEND_SRC_ALPHA_SATURATE ||
		    VGPU_BLEND_RGB_DST(w) > VGPU_BLEND_SRC_ALPHA_SATURATE ||
		    VGPU_BLEND_A_SRC(w) > VGPU_BLEND_SRC_ALPHA_SATURATE ||
		    VGPU_BLEND_A_DST(w) > VGPU_BLEND_SRC_ALPHA_SATURATE)
			return field_fail(job, i);
	}
	for (unsigned i = 0; i < 4; i++)
		if (isnan(float_of(p[4 + i])))
			return field_fail(job, 4 + i);
	memcpy(e3d->state.blend, p, sizeof(e3d->state.blend));
	for (unsigned i = 0; i < 4; i++)
		e3d->state.blend_color[i] = float_of(p[4 + i]);
	return true;
}

bool e3d_set_vertex_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	if (p[0] >= VGPU_MAX_VERTEX_BUFFERS)
		return field_fail(job, 0);
	if (va_of(p + 1) >= VA_LIMIT)
		return field_fail(job, 1);
	if (p[4] > 2048)
		return field_fail(job, 4);
	e3d->state.vertex_buffer[p[0]].bound = true;
	e3d->state.vertex_buffer[p[0]].va = va_of(p + 1);
	e3d->state.vertex_buffer[p[0]].size = p[3];
	e3d->state.vertex_buffer[p[0]].stride = p[4];
	return true;
}

bool e3d_set_vertex_attrib(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	if (p[0] >= VGPU_MAX_VERTEX_ATTRIBS)
		return field_fail(job, 0);
	if (p[1] >= VGPU_MAX_VERTEX_BUFFERS)
		return field_fail(job, 1);
	if (p[2] >= 2048)
		return field_fail(job, 2);
	if ((p[3] & ~0x33fu) ||
	    ((p[3] & VGPU_VFMT_ENABLE) &&
	     (VGPU_VFMT_TYPE(p[3]) > VGPU_VTYPE_FIXED32 ||
	      ((p[3] & VGPU_VFMT_SCALED) && !e3d_vertex_type_is_integer(VGPU_VFMT_TYPE(p[3]))))))
		return field_fail(job, 3);
	e3d->state.attrib[p[0]].buffer = p[1];
	e3d->state.attrib[p[0]].offset = p[2];
	e3d->state.attrib[p[0]].format = p[3];
	return true;
}

bool e3d_set_uniform_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	if (p[0] >= VGPU_MAX_UNIFORM_BUFFERS)
		return field_fail(job, 0);
	if (va_of(p + 1) >= VA_LIMIT)
		return field_fail(job, 1);
	if ((p[3] & 3) || p[3] > 65536)
		return field_fail(job, 3);
	e3d->state.uniform[p[0]].bound = true;
	e3d->state.uniform[p[0]].va = va_of(p + 1);
	e3d->state.uniform[p[0]].size = p[3];
	return true;
}

static bool texture_format(uint32_t format)
{
	return format_is_color(format) || format_is_depth(format);
}

bool e3d_set_texture(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	uint32_t width = p[4] & 0xffff, height = p[4] >> 16, levels = VGPU_TEXTURE_LEVELS(p[5]),
	         type = VGPU_TEXTURE_TYPE(p[5]), swizzle = VGPU_TEXTURE_SWIZZLE(p[5]);

	if (p[0] >= VGPU_MAX_TEXTURES)
		return field_fail(job, 0);
	if (va_of(p + 1) >= VA_LIMIT)
		return field_fail(job, 1);
	if (p[3] == VGPU_FORMAT_NONE) {
		e3d->state.texture[p[0]] = (struct e3d_texture_desc){0};
		return true;
	}
	if (!texture_format(p[3]))
		return field_fail(job, 3);
	if (width == 0 || height == 0 || width > VGPU_MAX_SURFACE_DIM || height > VGPU_MAX_SURFACE_DIM ||
	    (type == VGPU_TEXTURE_CUBE && width != height))
		return field_fail(job, 4);
	uint32_t max_levels = 1;
	while (max_levels < VGPU_TEXTURE_MAX_LEVELS && ((width | height) >> max_levels))
		max_levels++;
	if (levels == 0 || levels > max_levels || type > VGPU_TEXTURE_CUBE || (p[5] >> 28))
		return field_fail(job, 5);
	for (unsigned c = 0; c < 4; c++)
		if (VGPU_SWIZZLE_SELECT(swizzle, c) > VGPU_SWIZZLE_1)
			return field_fail(job, 5);
	e3d->state.texture[p[0]] = (struct e3d_texture_desc){.bound = true,
	                                                     .va = va_of(p + 1),
	                                                     .format = p[3],
	                                                     .width = width,
	                                                     .height = height,
	                                                     .levels = levels,
	                                                     .type = type,
	                                                     .swizzle = swizzle};
	return true;
}

bool e3d_set_sampler(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	uint32_t flags = p[1];
	if (p[0] >= VGPU_MAX_SAMPLERS)
		return field_fail(job, 0);
	if ((flags & ~0x3fffu) || VGPU_SAMPLER_WRAP_S(flags) == 3 || VGPU_SAMPLER_WRAP_T(flags) == 3 ||
	    VGPU_SAMPLER_WRAP_R(flags) == 3 || VGPU_SAMPLER_MIP(flags) == 3)
		return field_fail(job, 1);
	for (unsigned i = 2; i < 5; i++)
		if (isnan(float_of(p[i])))
			return field_fail(job, i);
	e3d->state.sampler[p[0]] = (struct e3d_sampler_desc){.bound = true,
	                                                     .flags = flags,
	                                                     .bias = float_of(p[2]),
	                                                     .min_lod = float_of(p[3]),
	                                                     .max_lod = float_of(p[4])};
	return true;
}

bool e3d_set_index_buffer(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	if (va_of(p) >= VA_LIMIT)
		return field_fail(job, 0);
	if (p[3] != 1 && p[3] != 2 && p[3] != 4)
		return field_fail(job, 3);
	e3d->state.index.bound = true;
	e3d->state.index.va = va_of(p);
	e3d->state.index.size = p[2];
	e3d->state.index.index_size = p[3];
	return true;
}
