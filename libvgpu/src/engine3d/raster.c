/* SPDX-License-Identifier: MIT */
#include "engine3d/raster.h"

#include <string.h>

#include "core/device.h"
#include "engine3d/fragment_ops.h"
#include "format/float_bits.h"
#include "texture/texture.h"

/* Up to four covered 2x2 quads of one primitive: one fragment warp. */
struct quad_batch {
	unsigned quads;
	uint32_t covered;   /* lanes inside the primitive */
	int32_t x[4], y[4]; /* top-left pixel of each quad */
};

static uint32_t ubo_load(void *ctx, unsigned slot, const uint32_t addr[VGPU_ISA_LANES], uint32_t mask,
                         uint32_t out[VGPU_ISA_LANES])
{
	const struct e3d_draw *draw = ((const struct e3d_shading *)ctx)->draw;
	const struct e3d_uniform_copy *u = &draw->uniform[slot];
	bool bound = draw->state->uniform[slot].bound;
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		if (!(mask >> lane & 1))
			continue;
		uint32_t a = addr[lane];
		if (!bound || a >= u->size) {
			out[lane] = 0; /* robust access: past the buffer reads 0 */
		} else if (a + 4 > u->readable) {
			return 1 + slot;
		} else {
			out[lane] = u->words[a / 4];
		}
	}
	return 0;
}

void e3d_shader_env(struct e3d_shading *shading, struct vgpu_shader_env *env)
{
	*env = (struct vgpu_shader_env){.ctx = shading,
	                                .ubo_load = ubo_load,
	                                .texture_sample = texture_sample,
	                                .budget = E3D_INVOCATION_BUDGET,
	                                .lod_free_samplers = shading->draw->lod_free_samplers};
}

void e3d_shader_fault(const struct e3d_draw *draw, enum vgpu_shader_fault kind, uint32_t pc, uint32_t detail,
                      struct vgpu_fault *fault)
{
	switch (kind) {
	case VGPU_SHADER_FAULT_UBO:
		*fault = draw->uniform[(detail - 1) & 15].fault;
		break;
	case VGPU_SHADER_FAULT_TEXTURE:
		texture_fault(draw->e3d->gpu, draw, detail, fault);
		break;
	default:
		*fault = (struct vgpu_fault){.type = VGPU_FAULT_SHADER_BUDGET, .addr = pc};
		break;
	}
}

static float clamp01(float v)
{
	return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; /* NaN -> 0 */
}

static bool tile_fail(struct e3d_tile_result *result, uint32_t type)
{
	result->faulted = true;
	result->fault = (struct vgpu_fault){.type = type};
	return false;
}

static bool charge(struct e3d_draw *draw, struct e3d_worker_scratch *scratch, uint64_t units)
{
	return e3d_shading_charge(&(struct e3d_shading){draw, &scratch->pending_units}, units);
}

/* Shade one warp of quads and run the per-fragment operations. tx, ty: the tile's origin. */
static bool shade(struct e3d_draw *draw, struct e3d_worker_scratch *scratch, const struct e3d_prim *prim,
                  const struct quad_batch *batch, int32_t tx, int32_t ty, struct e3d_tile_result *result)
{
	struct vgpu_shader_warp *warp = &scratch->warp;
	const struct e3d_shader *fs = draw->fs;
	float offset = draw->state->raster & VGPU_RASTER_HALF_PIXEL_CENTER ? 0.5f : 0.0f;
	struct e3d_lanes lanes;
	float z[VGPU_ISA_LANES];
	unsigned count = batch->quads * 4;

	/* All lanes, in loops the compiler vectorises (lanes past the batch are computed and ignored). */
	int32_t px[VGPU_ISA_LANES], py[VGPU_ISA_LANES];
	float c1[VGPU_ISA_LANES], c2[VGPU_ISA_LANES];
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		px[lane] = batch->x[lane / 4] + (int32_t)(lane & 1);
		py[lane] = batch->y[lane / 4] + (int32_t)(lane >> 1 & 1);
		lanes.x[lane] = (uint8_t)(px[lane] - tx);
		lanes.y[lane] = (uint8_t)(py[lane] - ty);
	}
	/* the primitive's constants in locals: the warp's arrays could alias them as far as the compiler
	 * knows */
	const double a1 = prim->c_plane[0][0], b1 = prim->c_plane[0][1], d1 = prim->c_plane[0][2];
	const double a2 = prim->c_plane[1][0], b2 = prim->c_plane[1][1], d2 = prim->c_plane[1][2];
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		float fx = (float)px[lane] + offset, fy = (float)py[lane] + offset;
		c1[lane] = (float)(a1 * fx + b1 * fy + d1);
		c2[lane] = (float)(a2 * fx + b2 * fy + d2);
		warp->frag_coord[0][lane] = fx;
		warp->frag_coord[1][lane] = fy;
	}
	const float w0 = prim->inv_w[0], w1 = prim->inv_w[1], w2 = prim->inv_w[2];
	const float z0 = prim->z[0], dz1 = prim->z[1] - prim->z[0], dz2 = prim->z[2] - prim->z[0];
	const float z_offset = prim->z_offset;
	const uint32_t perspective_allowed = prim->sprite ? 0 : ~0u; /* sprite coordinates are affine */
	const float m00 = prim->to_orig[0][0], m01 = prim->to_orig[0][1], m02 = prim->to_orig[0][2];
	const float m10 = prim->to_orig[1][0], m11 = prim->to_orig[1][1], m12 = prim->to_orig[1][2];
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		float k1 = c1[lane], k2 = c2[lane];
		float k0 = 1.0f - k1 - k2;
		float inv_w = w0 * k0 + w1 * k1 + w2 * k2;
		/* perspective weights where 1/w interpolates to non-zero, the affine ones elsewhere */
		uint32_t perspective =
		        (0u - (uint32_t)((float_bits(inv_w) & 0x7fffffffu) != 0)) & perspective_allowed;
		float w = 1.0f / select_float(perspective, inv_w, 1.0f);
		float p0 = select_float(perspective, k0 * w0 * w, k0),
		      p1 = select_float(perspective, k1 * w1 * w, k1),
		      p2 = select_float(perspective, k2 * w2 * w, k2);
		float depth = z0 + k1 * dz1 + k2 * dz2 + z_offset; /* + 0 changes nothing after the clamp */
		depth = depth > 0.0f ? depth : 0.0f;               /* clamp01, NaN -> 0 */
		z[lane] = depth < 1.0f ? depth : 1.0f;
		warp->bary_linear[0][lane] = m00 * k0 + m01 * k1 + m02 * k2;
		warp->bary_linear[1][lane] = m10 * k0 + m11 * k1 + m12 * k2;
		warp->bary_persp[0][lane] = m00 * p0 + m01 * p1 + m02 * p2;
		warp->bary_persp[1][lane] = m10 * p0 + m11 * p1 + m12 * p2;
		warp->frag_coord[2][lane] = z[lane];
		warp->frag_coord[3][lane] = inv_w;
	}

	/* a unit per fragment rasterized (spec 5.5 counts pixels written; fragments rejected by depth or
	 * stencil cost as much) */
	uint32_t covered = batch->covered;
	if (!charge(draw, scratch, (uint64_t)__builtin_popcount(covered)))
		return tile_fail(result, VGPU_FAULT_WATCHDOG);
	if (draw->early_depth) {
		covered = e3d_depth_stencil(draw, scratch->depth, &lanes, z, covered, prim->front);
		if (!covered)
			return true;
	}
	uint32_t run = 0;
	for (unsigned q = 0; q < batch->quads; q++)
		if (covered >> (4 * q) & 0xf)
			run |= 0xfu << (4 * q);
	warp->lane_mask = run;
	struct e3d_shading shading = {draw, &scratch->pending_units};
	struct vgpu_shader_env env;
	e3d_shader_env(&shading, &env);
	enum vgpu_shader_fault fault = vgpu_shader_run(fs->core, warp, &env);
	if (fault != VGPU_SHADER_FAULT_NONE) {
		result->faulted = true;
		result->shader_fault = fault;
		result->pc = warp->fault_pc;
		result->detail = warp->fault_detail;
		return false;
	}
	if (!charge(draw, scratch, warp->issued))
		return tile_fail(result, VGPU_FAULT_WATCHDOG);
	covered &= ~warp->kill_mask;
	if (!draw->early_depth) {
		if (fs->outputs >> VGPU_ISA_OUT_DEPTH & 1)
			for (unsigned lane = 0; lane < count; lane++)
				z[lane] = clamp01(warp->out[VGPU_ISA_OUT_DEPTH][0][lane]);
		covered = e3d_depth_stencil(draw, scratch->depth, &lanes, z, covered, prim->front);
	}
	if (!covered)
		return true;
	result->samples += (uint64_t)__builtin_popcount(covered);
	for (unsigned t = 0; t < draw->state->color_count; t++)
		if (fs->outputs >> (VGPU_ISA_OUT_COLOR0 + t) & 1)
			e3d_color_write(draw, t, scratch->color[t], &lanes,
			                warp->out[VGPU_ISA_OUT_COLOR0 + t], covered);
	return true;
}

/* Is the centre of pixel (px, py) inside the primitive? */
static inline bool covers(const struct e3d_prim *prim, int32_t px, int32_t py, int64_t centre)
{
	int64_t X = (int64_t)px * E3D_SUBPIXEL + centre, Y = (int64_t)py * E3D_SUBPIXEL + centre;
	bool inside = true;
	for (unsigned e = 0; e < prim->edges; e++)
		inside &= prim->edge_a[e] * X + prim->edge_b[e] * Y + prim->edge_c[e] >= 0;
	return inside;
}

/* Which pixels of the 2x2 quad at (qx, qy) have their centre inside the primitive (bit l: pixel qx + (l & 1),
 * qy + (l >> 1)). The edge functions of the other three pixels are the first one's plus whole steps: the
 * same integers covers() computes. */
static inline uint32_t quad_coverage(const struct e3d_prim *prim, int32_t qx, int32_t qy, int64_t centre)
{
	int64_t X = (int64_t)qx * E3D_SUBPIXEL + centre, Y = (int64_t)qy * E3D_SUBPIXEL + centre;
	uint32_t inside = 0xf;
	for (unsigned e = 0; e < prim->edges; e++) {
		int64_t f = prim->edge_a[e] * X + prim->edge_b[e] * Y + prim->edge_c[e];
		int64_t right = f + prim->edge_a[e] * E3D_SUBPIXEL,
		        below = f + prim->edge_b[e] * E3D_SUBPIXEL;
		int64_t diagonal = right + prim->edge_b[e] * E3D_SUBPIXEL;
		inside &= (uint32_t)(f >= 0) | (uint32_t)(right >= 0) << 1 | (uint32_t)(below >= 0) << 2 |
		          (uint32_t)(diagonal >= 0) << 3;
	}
	return inside;
}

static bool raster_prim(struct e3d_draw *draw, struct e3d_worker_scratch *scratch,
                        const struct e3d_prim *prim, const int32_t tile[4], struct e3d_tile_result *result)
{
	int32_t x0 = prim->x0 > tile[0] ? prim->x0 : tile[0], y0 = prim->y0 > tile[1] ? prim->y0 : tile[1];
	int32_t x1 = prim->x1 < tile[2] ? prim->x1 : tile[2], y1 = prim->y1 < tile[3] ? prim->y1 : tile[3];
	if (x0 >= x1 || y0 >= y1)
		return true;
	/* Coverage tests cost even where nothing is shaded: a unit per 16 pixels of the box examined. */
	if (!charge(draw, scratch, ((uint64_t)(x1 - x0) * (uint64_t)(y1 - y0) + 15) / 16))
		return tile_fail(result, VGPU_FAULT_WATCHDOG);
	struct vgpu_shader_warp *warp = &scratch->warp;
	warp->front_facing = prim->front;
	warp->provoking_vertex = prim->provoking;
	const float *var = draw->varyings + prim->varying_offset;
	for (unsigned k = 0; k < draw->varying_slots; k++)
		for (unsigned c = 0; c < 4; c++)
			for (unsigned v = 0; v < 3; v++)
				warp->varying[draw->slot_of[k]][c][v] = var[(k * 4 + c) * 3 + v];

	int64_t centre = draw->state->raster & VGPU_RASTER_HALF_PIXEL_CENTER ? E3D_SUBPIXEL / 2 : 0;
	/* Each edge function is affine, so it is smallest at a corner of the box: when the four corner pixels
	 * are inside, every pixel is and the per-pixel tests can be skipped. */
	bool all_inside = covers(prim, x0, y0, centre) && covers(prim, x1 - 1, y0, centre) &&
	                  covers(prim, x0, y1 - 1, centre) && covers(prim, x1 - 1, y1 - 1, centre);
	/* Inside the box, each row of a quad is a pair of columns and each column a pair of rows. */
	struct quad_batch batch = {0};
	for (int32_t qy = y0 & ~1; qy < y1; qy += 2) {
		uint32_t rows = (uint32_t)(qy >= y0) * 0x3u | (uint32_t)(qy + 1 < y1) * 0xcu;
		for (int32_t qx = x0 & ~1; qx < x1; qx += 2) {
			uint32_t columns = (uint32_t)(qx >= x0) * 0x5u | (uint32_t)(qx + 1 < x1) * 0xau;
			uint32_t quad = rows & columns;
			if (!all_inside)
				quad &= quad_coverage(prim, qx, qy, centre);
			if (!quad)
				continue;
			batch.covered |= quad << (4 * batch.quads);
			batch.x[batch.quads] = qx;
			batch.y[batch.quads] = qy;
			if (++batch.quads == 4) {
				if (!shade(draw, scratch, prim, &batch, tile[0], tile[1], result))
					return false;
				batch.quads = 0;
				batch.covered = 0;
			}
		}
	}
	return batch.quads == 0 || shade(draw, scratch, prim, &batch, tile[0], tile[1], result);
}

/* Copy the tile's rectangle of every bound surface between memory and the worker's tile buffers. */
static void transfer_tile(struct e3d_draw *draw, struct e3d_worker_scratch *scratch, const int32_t tile[4],
                          bool store)
{
	const struct e3d_state *s = draw->state;
	uint32_t width = (uint32_t)(tile[2] - tile[0]);
	for (unsigned t = 0; t <= VGPU_MAX_RENDER_TARGETS; t++) {
		bool depth = t == VGPU_MAX_RENDER_TARGETS;
		if (depth ? s->depth.format == VGPU_FORMAT_NONE : t >= s->color_count)
			continue;
		const struct e3d_surface *surface = depth ? &s->depth : &s->color[t];
		const struct surface_map *map = depth ? &draw->depth_map : &draw->color_map[t];
		unsigned bpp = depth ? draw->depth_bpp : draw->color_bpp[t];
		uint8_t *buffer = depth ? scratch->depth : scratch->color[t];
		for (int32_t y = tile[1]; y < tile[3]; y++) {
			uint64_t offset = (uint64_t)y * surface->pitch + (uint64_t)tile[0] * bpp;
			uint8_t *row = buffer + (size_t)(y - tile[1]) * E3D_TILE * bpp;
			if (store)
				surface_write(map, offset, row, (size_t)width * bpp);
			else
				surface_read(map, offset, row, (size_t)width * bpp);
		}
	}
}

void e3d_raster_tile(void *ctx, unsigned tile, unsigned worker)
{
	struct e3d_draw *draw = ctx;
	struct engine3d *e3d = draw->e3d;
	uint32_t count = e3d->bin_count[tile];
	struct e3d_tile_result *result = &draw->results[tile];
	if (count == 0 || result->faulted)
		return;
	if (!device_checkpoint(e3d->gpu)) { /* the packet ends: the remaining tiles are skipped */
		tile_fail(result, VGPU_FAULT_WATCHDOG);
		return;
	}
	struct e3d_worker_scratch *scratch = e3d->scratch[worker];
	int32_t x0 = (int32_t)(tile % draw->tiles_x) * (int32_t)E3D_TILE,
	        y0 = (int32_t)(tile / draw->tiles_x) * (int32_t)E3D_TILE;
	int32_t rect[4] = {x0, y0, x0 + (int32_t)E3D_TILE, y0 + (int32_t)E3D_TILE};
	if (rect[2] > (int32_t)draw->state->width)
		rect[2] = (int32_t)draw->state->width;
	if (rect[3] > (int32_t)draw->state->height)
		rect[3] = (int32_t)draw->state->height;
	transfer_tile(draw, scratch, rect, false);
	scratch->pending_units = 0;
	for (uint32_t i = 0; i < count; i++)
		if (!raster_prim(draw, scratch, &draw->prims[e3d->bins[tile][i]], rect, result))
			break;
	if (!result->faulted && !e3d_charge(draw, scratch->pending_units))
		tile_fail(result, VGPU_FAULT_WATCHDOG);
	transfer_tile(draw, scratch, rect, true);
}
