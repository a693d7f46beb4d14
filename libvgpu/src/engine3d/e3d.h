/* SPDX-License-Identifier: MIT */
/* The 3D pipeline's shared types (spec section 10): the state the packets set, the post-transform vertex,
 * the binned primitive, and the per-draw context the render workers read. Only the CP thread changes state;
 * workers run only inside a draw and treat everything here as read-only except their own scratch. */
#ifndef VGPU_E3D_H
#define VGPU_E3D_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/fault.h"
#include "cp/cp.h"
#include "engine3d/surface.h"
#include "engine3d/workers.h"
#include "shader/shader.h"
#include "vgpu/vgpu_hw.h"

#define E3D_TILE_SHIFT 6
#define E3D_TILE       (1u << E3D_TILE_SHIFT) /* 64x64 pixel tiles, each owned by one worker per draw */
#define E3D_SUBPIXEL   256                    /* 8 subpixel bits (spec 10.4) */
#define E3D_GUARD_BAND 8192.0f
/* Instructions one shader invocation may issue before SHADER_BUDGET (isa.md 9). */
#define E3D_INVOCATION_BUDGET (1u << 20)

struct e3d_shader {
	struct vgpu_shader *core;
	uint8_t *binary; /* as the guest gave it, for snapshots */
	uint32_t binary_size;
	uint32_t inputs, outputs;
	uint16_t ubo_mask, texture_mask, sampler_mask, cube_mask; /* slots the code uses; cube: tex.cube */
	bool may_discard;
};

struct e3d_surface {
	uint64_t va;
	uint32_t pitch, format;
};

struct e3d_texture_desc {
	bool bound;
	uint64_t va;
	uint32_t format, width, height, levels, type;
	uint32_t swizzle; /* VGPU_SWIZZLE(): 0 is the identity */
};

struct e3d_sampler_desc {
	bool bound;
	uint32_t flags;
	float bias, min_lod, max_lod;
};

struct e3d_state {
	bool framebuffer_set;
	uint32_t width, height, color_count;
	struct e3d_surface color[VGPU_MAX_RENDER_TARGETS], depth;
	float viewport_scale[3], viewport_translate[3];
	uint32_t scissor[4]; /* min x, min y, max x, max y (exclusive) */
	uint32_t raster;
	float point_size, line_width;
	uint32_t depth_stencil[5];
	float depth_bias_units, depth_bias_slope, depth_bias_clamp; /* SET_DEPTH_BIAS (1.1) */
	uint32_t point_sprite;                                      /* SET_POINT_SPRITE (1.1) */
	uint32_t blend[VGPU_MAX_RENDER_TARGETS];
	float blend_color[4];
	struct e3d_shader *shader[2]; /* vertex, fragment */
	struct e3d_vertex_buffer {
		bool bound;
		uint64_t va;
		uint32_t size, stride;
	} vertex_buffer[VGPU_MAX_VERTEX_BUFFERS];
	struct {
		uint32_t buffer, offset, format;
	} attrib[VGPU_MAX_VERTEX_ATTRIBS];
	struct {
		bool bound;
		uint64_t va;
		uint32_t size;
	} uniform[VGPU_MAX_UNIFORM_BUFFERS];
	struct e3d_texture_desc texture[VGPU_MAX_TEXTURES];
	struct e3d_sampler_desc sampler[VGPU_MAX_SAMPLERS];
	struct {
		bool bound;
		uint64_t va;
		uint32_t size, index_size;
	} index;
};

/* A vertex after the vertex shader: clip position, point size, varyings by slot. */
struct e3d_vertex {
	float pos[4];
	float point_size;
	float var[VGPU_ISA_IO_SLOTS][4];
};

/* A primitive ready for the tiles: a convex polygon of 2..4 fixed-point edges (triangles, and the quads that
 * points and lines become), with affine planes giving its own weights c1, c2 per pixel, and the map from
 * those to the barycentrics of the original primitive (which differs after clipping). */
struct e3d_prim {
	int64_t edge_a[4], edge_b[4], edge_c[4]; /* inside when a*X + b*Y + c >= 0, X, Y in subpixels */
	unsigned edges;
	int32_t x0, y0, x1, y1;  /* pixel bounds, inclusive-exclusive, inside framebuffer and scissor */
	double c_plane[2][3];    /* c1, c2 = p[0] * x + p[1] * y + p[2] at a pixel centre (window units) */
	float z[3], inv_w[3];    /* window depth and 1/w at the polygon's vertices */
	float z_offset;          /* depth bias (spec 10.5.1) added to every fragment's depth; 0 if none */
	float to_orig[2][3];     /* original b1, b2 = sum over k of to_orig[i][k] * weight_k */
	uint32_t varying_offset; /* floats in e3d_draw.varyings: [slot][component][vertex], slots compacted */
	uint8_t provoking;
	bool front;
	bool sprite; /* a point with sprite coordinates: affine weights only, c1 = s and c2 = t */
};

/* Per-draw resources the workers read: render target maps, UBO copies, texture maps. */
struct e3d_uniform_copy {
	uint32_t *words;
	uint32_t size, readable; /* bytes bound, bytes that could be read */
	struct vgpu_fault fault; /* why the read stopped short */
};

struct e3d_texture_view {
	const struct e3d_texture_desc *desc;
	struct surface_map map;
	const uint8_t *linear; /* surface_linear(&map) */
	uint32_t bpp, faces;
	/* 64-bit: one face of a 16384 x 16384 texture of 16-byte texels is 4 GiB */
	uint64_t level_offset[VGPU_TEXTURE_MAX_LEVELS], face_size[VGPU_TEXTURE_MAX_LEVELS];
	uint32_t level_pitch[VGPU_TEXTURE_MAX_LEVELS];
};

/* What a tile's run reports back: the first fault it hit. A shader fault is kept raw and turned into its
 * fault record on the CP thread (texture faults translate the page again). */
struct e3d_tile_result {
	uint64_t samples; /* fragments that passed every test (spec 10.8.1) */
	bool faulted;
	struct vgpu_fault fault;
	enum vgpu_shader_fault shader_fault;
	uint32_t pc, detail;
};

struct engine3d;

struct e3d_draw {
	struct engine3d *e3d;
	struct cp_job *job;
	const struct e3d_state *state;
	const struct e3d_shader *fs;
	struct surface_map color_map[VGPU_MAX_RENDER_TARGETS], depth_map;
	uint32_t color_bpp[VGPU_MAX_RENDER_TARGETS], depth_bpp;
	unsigned varying_slots;             /* fragment-shader varying slots, compacted */
	uint8_t slot_of[VGPU_ISA_IO_SLOTS]; /* compact index -> varying slot */
	struct e3d_uniform_copy *uniform;   /* [VGPU_MAX_UNIFORM_BUFFERS] */
	struct e3d_texture_view *texture;   /* [VGPU_MAX_TEXTURES] */
	bool early_depth;
	uint32_t lod_free_samplers; /* for the shader environment: texture_sampler_ignores_lod, by slot */
	int32_t clip_rect[4];       /* framebuffer within the scissor: x0, y0, x1, y1 (exclusive) */
	float planes[7][5];         /* clip planes: inside when p0 x + p1 y + p2 z + p3 w + p4 >= 0 */
	unsigned plane_count;
	uint32_t tiles_x, tiles_y;
	/* the primitives binned so far (flushed to the tiles when full) */
	struct e3d_prim *prims;
	float *varyings;
	uint32_t prim_count, varying_count;
	struct e3d_tile_result *results; /* per tile */
	struct {
		uint64_t page_va;    /* the vertex-buffer page translated last (~0: none) */
		const uint8_t *host; /* its VRAM, or NULL for system memory */
		uint64_t pa;
	} fetch_page;
	_Atomic uint64_t budget; /* watchdog units left, shared by the workers */
	atomic_bool budget_out;
};

/* The engine: state, worker pool and grow-only scratch, one per GPU. */
struct engine3d {
	struct vgpu *gpu;
	struct e3d_state state;
	struct e3d_workers workers;
	struct e3d_worker_scratch **scratch; /* one per worker */
	/* grow-only per-draw storage */
	struct e3d_prim *prims;
	uint32_t prim_capacity;
	float *varyings;
	size_t varying_capacity; /* floats */
	uint32_t **bins;         /* per tile: prim indices */
	uint32_t *bin_count, *bin_capacity;
	uint32_t bin_tiles;
	struct e3d_tile_result *results;
	struct e3d_uniform_copy uniform[VGPU_MAX_UNIFORM_BUFFERS];
	struct e3d_texture_view texture[VGPU_MAX_TEXTURES];
	struct surface_map color_map[VGPU_MAX_RENDER_TARGETS], depth_map;
	uint32_t mapped;       /* maps built for the current packet: bit t colour target t, bit 4 depth */
	uint8_t *shader_bytes; /* SET_SHADER reads the binary here */
	uint32_t *indices;     /* a chunk of the index buffer */
	struct e3d_vertex *vertices; /* E3D_VERTEX_BATCH shaded vertices */
	uint64_t samples_passed;     /* the occlusion counter (spec 10.8.1) */
	void (*observer)(void *opaque, struct engine3d *e3d);
	void *observer_opaque;
	/* what the current packet's maps may still spend */
	struct surface_budget map_budget;
};

#define E3D_PRIM_BATCH   32768 /* primitives binned before the tiles are rendered */
#define E3D_VERTEX_BATCH 256   /* stream positions fetched and shaded at a time */

/* The framebuffer's targets as writable maps in e3d->color_map / depth_map (colors: bit per target), and
 * their release with write-back; unmap keeps the first fault (ok false) or records its own, and trims every
 * map of the engine (surface_map_trim). Mapping starts the packet's map budget (e3d->map_budget). */
bool e3d_map_targets(struct cp_job *job, struct engine3d *e3d, uint32_t colors, bool depth);
bool e3d_unmap_targets(struct cp_job *job, struct engine3d *e3d, bool ok);

/* Render what is binned and empty the bins (draw.c); false with job->fault when a tile faulted. */
bool e3d_flush(struct e3d_draw *draw);

/* The compare functions of depth, stencil and shadow samplers: is `a FUNC b`? */
static inline bool e3d_compare(unsigned func, float a, float b)
{
	switch (func) {
	case VGPU_COMPARE_NEVER:
		return false;
	case VGPU_COMPARE_LESS:
		return a < b;
	case VGPU_COMPARE_EQUAL:
		return a == b;
	case VGPU_COMPARE_LEQUAL:
		return a <= b;
	case VGPU_COMPARE_GREATER:
		return a > b;
	case VGPU_COMPARE_NOTEQUAL:
		return a != b;
	case VGPU_COMPARE_GEQUAL:
		return a >= b;
	default:
		return true;
	}
}

/* The fault detail a texture request returns when the watchdog ran out while sampling. */
#define E3D_DETAIL_WATCHDOG 0xffffffffu

/* Charge the watchdog from any thread; false (and budget_out) when it ran out. */
bool e3d_charge(struct e3d_draw *draw, uint64_t units);

/* The context of the shader environment: the draw, and where a render worker gathers its watchdog units
 * (NULL on the CP thread). */
struct e3d_shading {
	struct e3d_draw *draw;
	uint64_t *pending_units;
};

/* Charge from a shading context. A worker's units are taken from the shared budget in batches, one atomic
 * operation per batch instead of several per warp (it settles the rest with e3d_charge when its tile ends).
 */
bool e3d_shading_charge(struct e3d_shading *shading, uint64_t units);

#endif
