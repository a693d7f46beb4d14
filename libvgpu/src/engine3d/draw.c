/* SPDX-License-Identifier: MIT */
/* DRAW and DRAW_INDEXED (spec 10.8, 10.9): validate the state the draw depends on, translate what the
 * workers will touch, then stream vertices (fetch, vertex shader) through primitive assembly into the bins,
 * rendering the bins across the workers whenever they fill and at the end. */
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "engine3d/primitive.h"
#include "engine3d/raster.h"
#include "engine3d/vertex.h"
#include "format/format.h"
#include "mmu/memory.h"
#include "texture/texture.h"

bool e3d_charge(struct e3d_draw *draw, uint64_t units)
{
	uint64_t left = atomic_load(&draw->budget);
	do {
		if (units > left) {
			atomic_store(&draw->budget_out, true);
			atomic_store(&draw->budget, 0);
			return false;
		}
	} while (!atomic_compare_exchange_weak(&draw->budget, &left, left - units));
	return true;
}

#define CHARGE_BATCH 4096

bool e3d_shading_charge(struct e3d_shading *shading, uint64_t units)
{
	uint64_t *pending = shading->pending_units;
	if (!pending)
		return e3d_charge(shading->draw, units);
	*pending += units;
	if (*pending < CHARGE_BATCH)
		return true;
	units = *pending;
	*pending = 0;
	return e3d_charge(shading->draw, units);
}

static bool bad_state(struct cp_job *job, uint32_t packet)
{
	return cp_fail(job, VGPU_FAULT_BAD_STATE, packet);
}

/* Spec 10.9: everything the shaders use must be bound and consistent. */
static bool validate(struct cp_job *job, const struct e3d_state *s, bool indexed)
{
	const struct e3d_shader *vs = s->shader[VGPU_SHADER_STAGE_VERTEX],
	                        *fs = s->shader[VGPU_SHADER_STAGE_FRAGMENT];
	if (!vs || !fs)
		return bad_state(job, VGPU_PKT_SET_SHADER);
	if (!s->framebuffer_set)
		return bad_state(job, VGPU_PKT_SET_RENDER_TARGETS);
	for (unsigned slot = 0; slot < VGPU_MAX_VERTEX_ATTRIBS; slot++) {
		if (!(vs->inputs >> slot & 1))
			continue;
		if (!(s->attrib[slot].format & VGPU_VFMT_ENABLE))
			return bad_state(job, VGPU_PKT_SET_VERTEX_ATTRIB);
		if (!s->vertex_buffer[s->attrib[slot].buffer].bound)
			return bad_state(job, VGPU_PKT_SET_VERTEX_BUFFER);
	}
	for (unsigned stage = 0; stage < 2; stage++) {
		const struct e3d_shader *sh = s->shader[stage];
		for (unsigned slot = 0; slot < 16; slot++) {
			if ((sh->ubo_mask >> slot & 1) && !s->uniform[slot].bound)
				return bad_state(job, VGPU_PKT_SET_UNIFORM_BUFFER);
			if (sh->texture_mask >> slot & 1) {
				const struct e3d_texture_desc *t = &s->texture[slot];
				bool cube = sh->cube_mask >> slot & 1;
				if (!t->bound || cube != (t->type == VGPU_TEXTURE_CUBE))
					return bad_state(job, VGPU_PKT_SET_TEXTURE);
			}
			if ((sh->sampler_mask >> slot & 1) && !s->sampler[slot].bound)
				return bad_state(job, VGPU_PKT_SET_SAMPLER);
		}
	}
	for (unsigned t = s->color_count; t < VGPU_MAX_RENDER_TARGETS; t++)
		if (fs->outputs >> (VGPU_ISA_OUT_COLOR0 + t) & 1)
			return bad_state(job, VGPU_PKT_SET_RENDER_TARGETS);
	if (indexed && !s->index.bound)
		return bad_state(job, VGPU_PKT_SET_INDEX_BUFFER);
	return true;
}

static bool grow_bins(struct engine3d *e3d, uint32_t tiles, unsigned varying_slots)
{
	if (tiles > e3d->bin_tiles) {
		uint32_t **bins = realloc(e3d->bins, tiles * sizeof(*bins));
		if (!bins)
			return false;
		e3d->bins = bins;
		uint32_t *count = realloc(e3d->bin_count, tiles * sizeof(*count));
		if (count)
			e3d->bin_count = count;
		uint32_t *capacity = realloc(e3d->bin_capacity, tiles * sizeof(*capacity));
		if (capacity)
			e3d->bin_capacity = capacity;
		struct e3d_tile_result *results = realloc(e3d->results, tiles * sizeof(*results));
		if (results)
			e3d->results = results;
		if (!count || !capacity || !results)
			return false;
		for (uint32_t i = e3d->bin_tiles; i < tiles; i++)
			bins[i] = NULL, capacity[i] = 0;
		e3d->bin_tiles = tiles;
	}
	if (!e3d->prims && !(e3d->prims = malloc(E3D_PRIM_BATCH * sizeof(*e3d->prims))))
		return false;
	size_t floats = (size_t)E3D_PRIM_BATCH * (varying_slots ? varying_slots : 1) * 12;
	if (floats > e3d->varying_capacity) {
		float *grown = realloc(e3d->varyings, floats * sizeof(float));
		if (!grown)
			return false;
		e3d->varyings = grown;
		e3d->varying_capacity = floats;
	}
	memset(e3d->bin_count, 0, tiles * sizeof(uint32_t));
	memset(e3d->results, 0, tiles * sizeof(*e3d->results));
	return true;
}

/* A map refused for its size is the state's fault: BAD_STATE names the packet that set it (spec 8.3). */
static bool state_too_large(struct cp_job *job, uint32_t packet)
{
	if (job->fault.type == VGPU_FAULT_BAD_STATE)
		job->fault.addr = packet;
	return false;
}

static uint64_t surface_extent(const struct e3d_state *s, const struct e3d_surface *surface)
{
	return (uint64_t)surface->pitch * (s->height - 1) +
	       (uint64_t)s->width * format_bytes_per_pixel(surface->format);
}

/* Render targets of the current framebuffer as writable maps (shared with CLEAR). */
bool e3d_map_targets(struct cp_job *job, struct engine3d *e3d, uint32_t colors, bool depth)
{
	const struct e3d_state *s = &e3d->state;
	e3d->mapped = 0;
	e3d->map_budget = surface_budget_for_packet(job);
	for (unsigned t = 0; t < s->color_count; t++) {
		uint64_t size = colors >> t & 1 ? surface_extent(s, &s->color[t]) : 0;
		if (!surface_map_build(&e3d->map_budget, &e3d->color_map[t], s->color[t].va, size, true,
		                       &job->fault))
			return state_too_large(job, VGPU_PKT_SET_RENDER_TARGETS);
		e3d->mapped |= 1u << t;
	}
	uint64_t size = depth && s->depth.format ? surface_extent(s, &s->depth) : 0;
	if (!surface_map_build(&e3d->map_budget, &e3d->depth_map, s->depth.va, size, true, &job->fault))
		return state_too_large(job, VGPU_PKT_SET_RENDER_TARGETS);
	e3d->mapped |= 1u << VGPU_MAX_RENDER_TARGETS;
	return true;
}

static void trim_maps(struct engine3d *e3d)
{
	for (unsigned t = 0; t < VGPU_MAX_RENDER_TARGETS; t++)
		surface_map_trim(&e3d->color_map[t]);
	surface_map_trim(&e3d->depth_map);
	for (unsigned t = 0; t < VGPU_MAX_TEXTURES; t++)
		surface_map_trim(&e3d->texture[t].map);
}

bool e3d_unmap_targets(struct cp_job *job, struct engine3d *e3d, bool ok)
{
	struct vgpu_fault fault;
	for (unsigned t = 0; t <= VGPU_MAX_RENDER_TARGETS; t++) {
		struct surface_map *map = t < VGPU_MAX_RENDER_TARGETS ? &e3d->color_map[t] : &e3d->depth_map;
		if ((e3d->mapped >> t & 1) && !surface_map_finish(job->gpu, map, &fault) && ok)
			ok = false, job->fault = fault;
	}
	e3d->mapped = 0;
	trim_maps(e3d);
	return ok;
}

static bool prepare(struct cp_job *job, struct e3d_draw *draw)
{
	struct engine3d *e3d = draw->e3d;
	const struct e3d_state *s = &e3d->state;
	const struct e3d_shader *vs = s->shader[VGPU_SHADER_STAGE_VERTEX],
	                        *fs = s->shader[VGPU_SHADER_STAGE_FRAGMENT];
	draw->fs = fs;
	draw->tiles_x = (s->width + E3D_TILE - 1) / E3D_TILE;
	draw->tiles_y = (s->height + E3D_TILE - 1) / E3D_TILE;
	unsigned slots = (unsigned)__builtin_popcount(fs->inputs & 0xffff);
	if (!grow_bins(e3d, draw->tiles_x * draw->tiles_y, slots))
		return cp_fail(job, VGPU_FAULT_WATCHDOG, 0); /* host out of memory: the draw cannot run */
	draw->prims = e3d->prims;
	draw->varyings = e3d->varyings;
	draw->results = e3d->results;
	draw->uniform = e3d->uniform;
	draw->texture = e3d->texture;
	for (unsigned t = 0; t < VGPU_MAX_RENDER_TARGETS; t++) {
		draw->color_map[t] = e3d->color_map[t];
		draw->color_bpp[t] = format_bytes_per_pixel(s->color[t].format);
	}
	draw->depth_map = e3d->depth_map;
	draw->depth_bpp = format_bytes_per_pixel(s->depth.format);
	for (unsigned slot = 0; slot < VGPU_ISA_IO_SLOTS; slot++)
		if (fs->inputs >> slot & 1)
			draw->slot_of[draw->varying_slots++] = (uint8_t)slot;
	draw->early_depth = !(fs->outputs >> VGPU_ISA_OUT_DEPTH & 1) && !fs->may_discard;
	draw->lod_free_samplers = 0;
	for (unsigned slot = 0; slot < VGPU_MAX_SAMPLERS; slot++)
		if (texture_sampler_ignores_lod(s->sampler[slot].flags))
			draw->lod_free_samplers |= 1u << slot;
	e3d_primitive_prepare(draw);

	uint16_t ubos = vs->ubo_mask | fs->ubo_mask, textures = vs->texture_mask | fs->texture_mask;
	for (unsigned slot = 0; slot < 16; slot++) {
		struct e3d_uniform_copy *u = &e3d->uniform[slot];
		if (ubos >> slot & 1) {
			if (!u->words && !(u->words = malloc(65536)))
				return cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
			u->size = s->uniform[slot].size;
			u->fault = (struct vgpu_fault){0};
			u->readable = (uint32_t)va_read_prefix(job->gpu, s->uniform[slot].va, u->words,
			                                       u->size, &u->fault);
		}
		if ((textures >> slot & 1) && !texture_view_prepare(&e3d->map_budget, &e3d->texture[slot],
		                                                    &s->texture[slot], &job->fault))
			return state_too_large(job, VGPU_PKT_SET_TEXTURE);
	}
	return true;
}

bool e3d_flush(struct e3d_draw *draw)
{
	struct engine3d *e3d = draw->e3d;
	if (draw->prim_count == 0)
		return true;
	uint32_t tiles = draw->tiles_x * draw->tiles_y;
	e3d_workers_run(&e3d->workers, tiles, e3d_raster_tile, draw);
	draw->prim_count = 0;
	memset(e3d->bin_count, 0, tiles * sizeof(uint32_t));
	/* The first faulting tile in tile order, so the record does not depend on the thread count. */
	for (uint32_t t = 0; t < tiles; t++) {
		const struct e3d_tile_result *r = &draw->results[t];
		if (!r->faulted)
			continue;
		if (r->shader_fault != VGPU_SHADER_FAULT_NONE)
			e3d_shader_fault(draw, r->shader_fault, r->pc, r->detail, &draw->job->fault);
		else
			draw->job->fault = r->fault;
		return false;
	}
	return true;
}

/* Stream positions [pos, pos + n) of one instance: vertex ids, restarts, shading, assembly. */
static bool run_batch(struct cp_job *job, struct e3d_draw *draw, struct e3d_assembler *assembler,
                      const uint32_t *p, bool indexed, uint32_t pos, unsigned n, uint32_t instance,
                      struct e3d_vertex *vertices)
{
	struct engine3d *e3d = draw->e3d;
	const struct e3d_state *s = draw->state;
	uint32_t ids[E3D_VERTEX_BATCH];
	bool restart[E3D_VERTEX_BATCH];
	unsigned shaded = 0;
	if (indexed) {
		unsigned size = s->index.index_size;
		uint8_t *raw = (uint8_t *)e3d->indices;
		if (!va_read(job->gpu, s->index.va + ((uint64_t)p[1] + pos) * size, raw, (uint64_t)n * size,
		             &job->fault))
			return false;
		bool restarts = p[0] & VGPU_DRAW_PRIMITIVE_RESTART;
		uint32_t restart_index = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
		for (unsigned i = 0; i < n; i++) {
			uint32_t index = raw[i * size];
			for (unsigned b = 1; b < size; b++)
				index |= (uint32_t)raw[i * size + b] << (8 * b);
			restart[i] = restarts && index == restart_index;
			if (!restart[i])
				ids[shaded++] = index + p[3];
		}
	} else {
		for (unsigned i = 0; i < n; i++) {
			restart[i] = false;
			ids[shaded++] = p[1] + pos + i;
		}
	}
	e3d_assembler_keep(assembler); /* the vertices of the previous batch are overwritten now */
	if (!e3d_shade_vertices(job, draw, &e3d->scratch[0]->warp, ids, instance, shaded, vertices))
		return false;
	for (unsigned i = 0, v = 0; i < n; i++) {
		bool ok = restart[i] ? e3d_assembler_restart(draw, assembler)
		                     : e3d_assemble(draw, assembler, &vertices[v++]);
		if (!ok)
			return false;
	}
	return true;
}

/* Between batches, on the CP thread: hand the workers' charges to the job and let the CP's own check run
 * (a reset cuts a long draw short there). */
static bool check_in(struct cp_job *job, struct e3d_draw *draw)
{
	job->budget = atomic_load(&draw->budget);
	bool ok = cp_charge(job, 0);
	atomic_store(&draw->budget, job->budget);
	return ok;
}

bool e3d_draw(struct cp_job *job, struct engine3d *e3d, const uint32_t *p, bool indexed)
{
	const struct e3d_state *s = &e3d->state;
	unsigned topology = p[0] & 0xff;
	uint32_t count = p[2], instances = p[indexed ? 4 : 3];
	if (topology > VGPU_TOPOLOGY_TRIANGLE_FAN || (p[0] >> 8) & ~(indexed ? 1u : 0u))
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 0);
	if (count > VGPU_MAX_DRAW_COUNT)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 2);
	if (instances == 0 || instances > VGPU_MAX_INSTANCES)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, indexed ? 4 : 3);
	if (!validate(job, s, indexed))
		return false;
	/* An index beyond the index buffer ends the draw there (spec 10.8): the stream is cut at it. */
	uint32_t in_buffer = count;
	if (indexed) {
		uint64_t indices = s->index.size / s->index.index_size;
		in_buffer = p[1] >= indices ? 0 : (uint32_t)(indices - p[1] < count ? indices - p[1] : count);
	}
	if (in_buffer == 0)
		return count == 0 || bad_state(job, VGPU_PKT_SET_INDEX_BUFFER);

	struct e3d_draw draw = {.e3d = e3d, .job = job, .state = s, .fetch_page.page_va = ~0ull};
	atomic_init(&draw.budget_out, false);
	bool ok = e3d_map_targets(job, e3d, ~0u, true) && prepare(job, &draw);
	atomic_init(&draw.budget, job->budget); /* after the maps, which charge the job */
	bool cut = in_buffer < count;
	for (uint32_t instance = 0; ok && instance < (cut ? 1 : instances); instance++) {
		struct e3d_assembler assembler;
		e3d_assembler_begin(&assembler, topology);
		for (uint32_t pos = 0; ok && pos < in_buffer; pos += E3D_VERTEX_BATCH) {
			unsigned n = in_buffer - pos < E3D_VERTEX_BATCH ? in_buffer - pos : E3D_VERTEX_BATCH;
			ok = run_batch(job, &draw, &assembler, p, indexed, pos, n, instance, e3d->vertices) &&
			     check_in(job, &draw);
		}
		/* a line loop closes only when its stream ended normally */
		ok = ok && (cut || e3d_assembler_restart(&draw, &assembler));
	}
	ok = ok && e3d_flush(&draw);
	if (ok && cut)
		ok = bad_state(job, VGPU_PKT_SET_INDEX_BUFFER);
	job->budget = atomic_load(&draw.budget);
	if (ok && e3d->observer)
		e3d->observer(e3d->observer_opaque, e3d);
	return e3d_unmap_targets(job, e3d, ok);
}
