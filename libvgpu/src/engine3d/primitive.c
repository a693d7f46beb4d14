/* SPDX-License-Identifier: MIT */
#include "engine3d/primitive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W_EPSILON 1e-6f /* the w > 0 plane, kept clear of the division by zero */

/* A clip-space vertex and its barycentric weights in the original primitive. */
struct clip_vertex {
	float pos[4];
	float b[3];
};

/* A window-space vertex, snapped. */
struct window_vertex {
	float x, y, z, inv_w;
	int64_t sx, sy;
};

void e3d_primitive_prepare(struct e3d_draw *draw)
{
	const struct e3d_state *s = draw->state;
	int32_t rect[4] = {0, 0, (int32_t)s->width, (int32_t)s->height};
	if (s->raster & VGPU_RASTER_SCISSOR) {
		for (int i = 0; i < 2; i++) {
			rect[i] = (int32_t)s->scissor[i] > rect[i] ? (int32_t)s->scissor[i] : rect[i];
			rect[i + 2] = (int32_t)s->scissor[i + 2] < rect[i + 2] ? (int32_t)s->scissor[i + 2]
			                                                       : rect[i + 2];
		}
	}
	memcpy(draw->clip_rect, rect, sizeof(rect));

	unsigned n = 0;
	float(*p)[5] = draw->planes;
	memcpy(p[n++], (float[5]){0, 0, 0, 1, -W_EPSILON}, sizeof(p[0]));
	if (s->raster & VGPU_RASTER_DEPTH_CLIP) {
		memcpy(p[n++], (float[5]){0, 0, 1, 1, 0}, sizeof(p[0]));
		memcpy(p[n++], (float[5]){0, 0, -1, 1, 0}, sizeof(p[0]));
	}
	/* The guard band: |ndc| <= 1 + 8192 / |scale| keeps window coordinates 8192 pixels around the
	 * viewport. */
	for (int axis = 0; axis < 2; axis++) {
		float scale = fabsf(s->viewport_scale[axis]);
		if (scale == 0.0f)
			continue;
		float g = 1.0f + E3D_GUARD_BAND / scale;
		float plus[5] = {0}, minus[5] = {0};
		plus[axis] = -1, plus[3] = g;
		minus[axis] = 1, minus[3] = g;
		memcpy(p[n++], plus, sizeof(plus));
		memcpy(p[n++], minus, sizeof(minus));
	}
	draw->plane_count = n;
}

static float plane_distance(const float plane[5], const float pos[4])
{
	return plane[0] * pos[0] + plane[1] * pos[1] + plane[2] * pos[2] + plane[3] * pos[3] + plane[4];
}

static bool finite4(const float pos[4])
{
	return isfinite(pos[0]) && isfinite(pos[1]) && isfinite(pos[2]) && isfinite(pos[3]);
}

/* Window coordinate -> subpixels, rounded to nearest even. Clipping keeps |x| well under 2^24 pixels, where
 * adding 1.5 * 2^52 leaves the rounded integer in the mantissa (default rounding mode), without libm. */
static int64_t snap(float x)
{
	double v = (double)x * E3D_SUBPIXEL;
	if (!(v > -1e15 && v < 1e15))
		return v > 0 ? (int64_t)1e15 : -(int64_t)1e15;
	return (int64_t)((v + 6755399441055744.0) - 6755399441055744.0);
}

static struct window_vertex to_window(const struct e3d_draw *draw, const float pos[4])
{
	const struct e3d_state *s = draw->state;
	struct window_vertex w;
	w.inv_w = 1.0f / pos[3];
	w.x = pos[0] * w.inv_w * s->viewport_scale[0] + s->viewport_translate[0];
	w.y = pos[1] * w.inv_w * s->viewport_scale[1] + s->viewport_translate[1];
	w.z = pos[2] * w.inv_w * s->viewport_scale[2] + s->viewport_translate[2];
	w.sx = snap(w.x);
	w.sy = snap(w.y);
	return w;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Edges of a convex polygon of snapped vertices, oriented inward, with the top-left rule folded into c.
 * Returns the doubled signed area (0: nothing to draw) and fills the pixel bounds. */
static int64_t polygon_edges(const struct e3d_draw *draw, struct e3d_prim *prim, const int64_t *x,
                             const int64_t *y, unsigned n, int64_t unbiased_c[4])
{
	int64_t area = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = (i + 1) % n;
		area += x[i] * y[j] - x[j] * y[i];
	}
	if (area == 0)
		return 0;
	int64_t sign = area > 0 ? 1 : -1;
	int64_t min_x = x[0], max_x = x[0], min_y = y[0], max_y = y[0];
	for (unsigned i = 0; i < n; i++) {
		unsigned j = (i + 1) % n;
		int64_t a = -(y[j] - y[i]) * sign, b = (x[j] - x[i]) * sign;
		int64_t c = -(a * x[i] + b * y[i]);
		unbiased_c[i] = c;
		/* A pixel centre exactly on the edge belongs to the polygon only on a left or top edge. */
		bool top_left = a > 0 || (a == 0 && b > 0);
		prim->edge_a[i] = a, prim->edge_b[i] = b, prim->edge_c[i] = top_left ? c : c - 1;
		min_x = x[i] < min_x ? x[i] : min_x, max_x = x[i] > max_x ? x[i] : max_x;
		min_y = y[i] < min_y ? y[i] : min_y, max_y = y[i] > max_y ? y[i] : max_y;
	}
	prim->edges = n;
	int64_t centre = draw->state->raster & VGPU_RASTER_HALF_PIXEL_CENTER ? E3D_SUBPIXEL / 2 : 0;
	int64_t x0 = floor_div(min_x - centre + E3D_SUBPIXEL - 1, E3D_SUBPIXEL);
	int64_t y0 = floor_div(min_y - centre + E3D_SUBPIXEL - 1, E3D_SUBPIXEL);
	int64_t x1 = floor_div(max_x - centre, E3D_SUBPIXEL) + 1,
	        y1 = floor_div(max_y - centre, E3D_SUBPIXEL) + 1;
	const int32_t *r = draw->clip_rect;
	prim->x0 = (int32_t)(x0 > r[0] ? x0 : r[0]), prim->y0 = (int32_t)(y0 > r[1] ? y0 : r[1]);
	prim->x1 = (int32_t)(x1 < r[2] ? x1 : r[2]), prim->y1 = (int32_t)(y1 < r[3] ? y1 : r[3]);
	return area;
}

/* A sprite's replaced slots get vertex values that the weights c1 = s, c2 = t turn into (s, t, 0, 1) exactly:
 * v0 + c1 (v1 - v0) + c2 (v2 - v0) with (0, 1, 0) for s, (0, 0, 1) for t (spec 10.4.1). */
static void sprite_varyings(const struct e3d_draw *draw, float *var)
{
	static const float corner[4][3] = {{0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {1, 1, 1}};
	uint32_t slots = VGPU_POINT_SPRITE_SLOTS(draw->state->point_sprite);
	for (unsigned k = 0; k < draw->varying_slots; k++)
		if (slots >> draw->slot_of[k] & 1)
			for (unsigned c = 0; c < 4; c++)
				for (unsigned i = 0; i < 3; i++)
					var[(k * 4 + c) * 3 + i] = corner[c][i];
}

/* Append a primitive to the bins of the tiles it may touch, with its vertices' varyings. */
static bool bin(struct e3d_draw *draw, const struct e3d_prim *prim, const struct e3d_vertex *const v[3])
{
	if (prim->x0 >= prim->x1 || prim->y0 >= prim->y1)
		return true;
	struct engine3d *e3d = draw->e3d;
	unsigned floats = draw->varying_slots * 12;
	if (draw->prim_count == E3D_PRIM_BATCH && !e3d_flush(draw))
		return false;
	uint32_t index = draw->prim_count++;
	struct e3d_prim *stored = &draw->prims[index];
	*stored = *prim;
	stored->varying_offset = index * floats;
	float *var = draw->varyings + stored->varying_offset;
	for (unsigned k = 0; k < draw->varying_slots; k++)
		for (unsigned c = 0; c < 4; c++)
			for (unsigned i = 0; i < 3; i++)
				var[(k * 4 + c) * 3 + i] = v[i]->var[k][c];
	if (prim->sprite)
		sprite_varyings(draw, var);

	int64_t centre = draw->state->raster & VGPU_RASTER_HALF_PIXEL_CENTER ? E3D_SUBPIXEL / 2 : 0;
	uint64_t binned = 0;
	for (int32_t ty = prim->y0 >> E3D_TILE_SHIFT; ty <= (prim->y1 - 1) >> E3D_TILE_SHIFT; ty++) {
		for (int32_t tx = prim->x0 >> E3D_TILE_SHIFT; tx <= (prim->x1 - 1) >> E3D_TILE_SHIFT; tx++) {
			/* Skip tiles wholly outside an edge: test the tile corner furthest inside it. */
			int32_t px0 = tx << E3D_TILE_SHIFT, py0 = ty << E3D_TILE_SHIFT;
			int64_t lo_x = (px0 > prim->x0 ? px0 : prim->x0) * (int64_t)E3D_SUBPIXEL + centre;
			int64_t lo_y = (py0 > prim->y0 ? py0 : prim->y0) * (int64_t)E3D_SUBPIXEL + centre;
			int32_t ex = px0 + (int32_t)E3D_TILE < prim->x1 ? px0 + (int32_t)E3D_TILE : prim->x1;
			int32_t ey = py0 + (int32_t)E3D_TILE < prim->y1 ? py0 + (int32_t)E3D_TILE : prim->y1;
			int64_t hi_x = (ex - 1) * (int64_t)E3D_SUBPIXEL + centre,
			        hi_y = (ey - 1) * (int64_t)E3D_SUBPIXEL + centre;
			bool outside = false;
			for (unsigned e = 0; e < prim->edges && !outside; e++) {
				int64_t x = prim->edge_a[e] > 0 ? hi_x : lo_x,
				        y = prim->edge_b[e] > 0 ? hi_y : lo_y;
				outside = prim->edge_a[e] * x + prim->edge_b[e] * y + prim->edge_c[e] < 0;
			}
			if (outside)
				continue;
			uint32_t tile = (uint32_t)ty * draw->tiles_x + (uint32_t)tx;
			if (e3d->bin_count[tile] == e3d->bin_capacity[tile]) {
				uint32_t capacity =
				        e3d->bin_capacity[tile] ? e3d->bin_capacity[tile] * 2 : 256;
				uint32_t *grown = realloc(e3d->bins[tile], capacity * sizeof(uint32_t));
				if (!grown)
					return cp_fail(draw->job, VGPU_FAULT_WATCHDOG, 0);
				e3d->bins[tile] = grown;
				e3d->bin_capacity[tile] = capacity;
			}
			e3d->bins[tile][e3d->bin_count[tile]++] = index;
			binned++;
		}
	}
	/* Binning is work too: a unit per tile, so huge primitives cannot escape the watchdog. */
	return e3d_charge(draw, binned) || cp_fail(draw->job, VGPU_FAULT_WATCHDOG, 0);
}

static unsigned provoking_index(const struct e3d_draw *draw, unsigned vertices)
{
	return draw->state->raster & VGPU_RASTER_PROVOKING_FIRST ? 0 : vertices - 1;
}

/* The minimum resolvable difference of the depth format for a triangle with these vertex depths (spec
 * 10.5.1); 0 without a depth buffer. */
static double resolvable_difference(uint32_t format, const float z[3])
{
	switch (format) {
	case VGPU_FORMAT_Z16_UNORM:
		return 1.0 / 65535.0;
	case VGPU_FORMAT_Z24_UNORM_S8_UINT:
		return 1.0 / 16777215.0;
	case VGPU_FORMAT_Z32_FLOAT: {
		float largest = fmaxf(fmaxf(fabsf(z[0]), fabsf(z[1])), fabsf(z[2]));
		int e = largest >= 0x1p-126f ? ilogbf(largest) : -126;
		return ldexp(1.0, e - 23);
	}
	default:
		return 0.0;
	}
}

/* The depth bias of a triangle whose planes and vertex depths are set (spec 10.5.1). */
static float depth_bias(const struct e3d_state *s, const struct e3d_prim *prim)
{
	if (s->depth.format == VGPU_FORMAT_NONE ||
	    (s->depth_bias_units == 0.0f && s->depth_bias_slope == 0.0f))
		return 0.0f;
	double dz1 = (double)prim->z[1] - prim->z[0], dz2 = (double)prim->z[2] - prim->z[0];
	double dzdx = prim->c_plane[0][0] * dz1 + prim->c_plane[1][0] * dz2;
	double dzdy = prim->c_plane[0][1] * dz1 + prim->c_plane[1][1] * dz2;
	double m = fmax(fabs(dzdx), fabs(dzdy));
	float o = (float)(m * s->depth_bias_slope +
	                  resolvable_difference(s->depth.format, prim->z) * s->depth_bias_units);
	if (s->depth_bias_clamp > 0.0f)
		o = fminf(o, s->depth_bias_clamp);
	else if (s->depth_bias_clamp < 0.0f)
		o = fmaxf(o, s->depth_bias_clamp);
	return o;
}

/* One triangle of the (possibly clipped) polygon: vertices k = 0, 1, 2 with their window positions and
 * original barycentrics. */
static bool setup_triangle(struct e3d_draw *draw, const struct window_vertex *w[3], const float *b[3],
                           const struct e3d_vertex *const orig[3], unsigned provoking)
{
	const struct e3d_state *s = draw->state;
	struct e3d_prim prim;
	int64_t x[3] = {w[0]->sx, w[1]->sx, w[2]->sx}, y[3] = {w[0]->sy, w[1]->sy, w[2]->sy};
	int64_t c[4];
	int64_t area = polygon_edges(draw, &prim, x, y, 3, c);
	if (area == 0)
		return true;
	bool ccw = area > 0;
	prim.front = ccw == ((s->raster & VGPU_RASTER_FRONT_CCW) != 0);
	prim.sprite = false;
	unsigned cull = s->raster & VGPU_RASTER_CULL_MASK;
	if ((cull & 1) && prim.front)
		return true;
	if ((cull & 2) && !prim.front)
		return true;
	/* Weight of vertex k = E(edge opposite k) / |area|: edge 1 (v1->v2) is opposite v0, edge 2 v1, edge 0
	 * v2. */
	double inv = 1.0 / (double)(area > 0 ? area : -area);
	const unsigned opposite[3] = {1, 2, 0};
	for (unsigned k = 1; k < 3; k++) {
		unsigned e = opposite[k];
		prim.c_plane[k - 1][0] = (double)prim.edge_a[e] * E3D_SUBPIXEL * inv;
		prim.c_plane[k - 1][1] = (double)prim.edge_b[e] * E3D_SUBPIXEL * inv;
		prim.c_plane[k - 1][2] = (double)c[e] * inv;
	}
	for (unsigned k = 0; k < 3; k++) {
		prim.z[k] = w[k]->z;
		prim.inv_w[k] = w[k]->inv_w;
		prim.to_orig[0][k] = b[k][1];
		prim.to_orig[1][k] = b[k][2];
	}
	prim.z_offset = depth_bias(s, &prim);
	prim.provoking = (uint8_t)provoking;
	return bin(draw, &prim, orig);
}

/* Clip a polygon against one plane (Sutherland-Hodgman). */
static unsigned clip_polygon(const float plane[5], const struct clip_vertex *in, unsigned n,
                             struct clip_vertex *out)
{
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct clip_vertex *a = &in[i], *b = &in[(i + 1) % n];
		float da = plane_distance(plane, a->pos), db = plane_distance(plane, b->pos);
		if (da >= 0)
			out[m++] = *a;
		if ((da >= 0) != (db >= 0)) {
			float t = da / (da - db);
			struct clip_vertex *v = &out[m++];
			for (unsigned c = 0; c < 4; c++)
				v->pos[c] = a->pos[c] + t * (b->pos[c] - a->pos[c]);
			for (unsigned c = 0; c < 3; c++)
				v->b[c] = a->b[c] + t * (b->b[c] - a->b[c]);
		}
	}
	return m;
}

static bool emit_triangle(struct e3d_draw *draw, const struct e3d_vertex *v0, const struct e3d_vertex *v1,
                          const struct e3d_vertex *v2)
{
	const struct e3d_vertex *orig[3] = {v0, v1, v2};
	unsigned provoking = provoking_index(draw, 3);
	unsigned outside_all = ~0u, outside_any = 0;
	for (unsigned k = 0; k < 3; k++) {
		if (!finite4(orig[k]->pos))
			return true;
		unsigned out = 0;
		for (unsigned p = 0; p < draw->plane_count; p++)
			out |= (unsigned)(plane_distance(draw->planes[p], orig[k]->pos) < 0) << p;
		outside_all &= out, outside_any |= out;
	}
	if (outside_all)
		return true;
	static const float identity[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
	if (!outside_any) {
		struct window_vertex w[3];
		const struct window_vertex *wp[3];
		const float *b[3];
		for (unsigned k = 0; k < 3; k++)
			w[k] = to_window(draw, orig[k]->pos), wp[k] = &w[k], b[k] = identity[k];
		return setup_triangle(draw, wp, b, orig, provoking);
	}
	/* Clip into a convex polygon (3 + one vertex per plane at most) and fan it into triangles. */
	struct clip_vertex poly[2][16];
	unsigned n = 3;
	for (unsigned k = 0; k < 3; k++) {
		memcpy(poly[0][k].pos, orig[k]->pos, sizeof(poly[0][k].pos));
		memcpy(poly[0][k].b, identity[k], sizeof(poly[0][k].b));
	}
	unsigned cur = 0;
	for (unsigned p = 0; p < draw->plane_count && n >= 3; p++) {
		if (!(outside_any >> p & 1))
			continue;
		n = clip_polygon(draw->planes[p], poly[cur], n, poly[cur ^ 1]);
		cur ^= 1;
	}
	if (n < 3)
		return true;
	struct window_vertex w[16];
	for (unsigned k = 0; k < n; k++)
		w[k] = to_window(draw, poly[cur][k].pos);
	for (unsigned k = 1; k + 1 < n; k++) {
		const struct window_vertex *wp[3] = {&w[0], &w[k], &w[k + 1]};
		const float *b[3] = {poly[cur][0].b, poly[cur][k].b, poly[cur][k + 1].b};
		if (!setup_triangle(draw, wp, b, orig, provoking))
			return false;
	}
	return true;
}

/* Edges of a quad (lines, points) from its four window-space corners in order; false when it has no area. */
static bool quad_edges(const struct e3d_draw *draw, struct e3d_prim *prim, const float cx[4],
                       const float cy[4])
{
	int64_t x[4], y[4], c[4];
	for (unsigned k = 0; k < 4; k++) {
		x[k] = snap(cx[k]);
		y[k] = snap(cy[k]);
	}
	return polygon_edges(draw, prim, x, y, 4, c) != 0;
}

static bool emit_line(struct e3d_draw *draw, const struct e3d_vertex *v0, const struct e3d_vertex *v1)
{
	if (!finite4(v0->pos) || !finite4(v1->pos))
		return true;
	float t0 = 0.0f, t1 = 1.0f;
	for (unsigned p = 0; p < draw->plane_count; p++) {
		float d0 = plane_distance(draw->planes[p], v0->pos),
		      d1 = plane_distance(draw->planes[p], v1->pos);
		if (d0 < 0 && d1 < 0)
			return true;
		if (d0 < 0)
			t0 = fmaxf(t0, d0 / (d0 - d1));
		else if (d1 < 0)
			t1 = fminf(t1, d0 / (d0 - d1));
	}
	if (t0 >= t1)
		return true;
	float pos[2][4];
	for (unsigned c = 0; c < 4; c++) {
		pos[0][c] = v0->pos[c] + t0 * (v1->pos[c] - v0->pos[c]);
		pos[1][c] = v0->pos[c] + t1 * (v1->pos[c] - v0->pos[c]);
	}
	struct window_vertex a = to_window(draw, pos[0]), b = to_window(draw, pos[1]);
	float dx = b.x - a.x, dy = b.y - a.y, half = draw->state->line_width * 0.5f;
	float len2 = dx * dx + dy * dy;
	if (!(len2 > 0.0f))
		return true;
	/* A parallelogram one line width across the minor axis; its ends are half-open along the major axis.
	 */
	float ox = fabsf(dx) >= fabsf(dy) ? 0.0f : half, oy = fabsf(dx) >= fabsf(dy) ? half : 0.0f;
	float cx[4] = {a.x - ox, b.x - ox, b.x + ox, a.x + ox},
	      cy[4] = {a.y - oy, b.y - oy, b.y + oy, a.y + oy};
	struct e3d_prim prim;
	if (!quad_edges(draw, &prim, cx, cy))
		return true;
	prim.front = true;
	prim.sprite = false;
	prim.z_offset = 0.0f; /* depth bias is for triangles only */
	prim.c_plane[0][0] = dx / len2, prim.c_plane[0][1] = dy / len2;
	prim.c_plane[0][2] = -((double)a.x * dx + (double)a.y * dy) / len2;
	memset(prim.c_plane[1], 0, sizeof(prim.c_plane[1]));
	float z[3] = {a.z, b.z, a.z}, iw[3] = {a.inv_w, b.inv_w, a.inv_w};
	memcpy(prim.z, z, sizeof(z));
	memcpy(prim.inv_w, iw, sizeof(iw));
	float to_orig[2][3] = {{t0, t1, 0}, {0, 0, 0}};
	memcpy(prim.to_orig, to_orig, sizeof(to_orig));
	prim.provoking = (uint8_t)provoking_index(draw, 2);
	const struct e3d_vertex *orig[3] = {v0, v1, v1};
	return bin(draw, &prim, orig);
}

/* Whether the fragment shader reads a slot that SET_POINT_SPRITE replaces. */
static bool sprite_slots_read(const struct e3d_draw *draw)
{
	uint32_t slots = VGPU_POINT_SPRITE_SLOTS(draw->state->point_sprite);
	for (unsigned k = 0; k < draw->varying_slots; k++)
		if (slots >> draw->slot_of[k] & 1)
			return true;
	return false;
}

static bool emit_point(struct e3d_draw *draw, const struct e3d_vertex *v)
{
	if (!finite4(v->pos))
		return true;
	for (unsigned p = 0; p < draw->plane_count; p++)
		if (plane_distance(draw->planes[p], v->pos) < 0)
			return true;
	struct window_vertex w = to_window(draw, v->pos);
	float size = v->point_size;
	size = size > 1.0f ? (size < 64.0f ? size : 64.0f) : 1.0f; /* also NaN -> 1 */
	float half = size * 0.5f;
	float cx[4] = {w.x - half, w.x + half, w.x + half, w.x - half};
	float cy[4] = {w.y - half, w.y - half, w.y + half, w.y + half};
	struct e3d_prim prim;
	if (!quad_edges(draw, &prim, cx, cy))
		return true;
	prim.front = true;
	prim.z_offset = 0.0f;
	memset(prim.c_plane, 0, sizeof(prim.c_plane));
	memset(prim.to_orig, 0, sizeof(prim.to_orig));
	prim.sprite = sprite_slots_read(draw);
	if (prim.sprite) {
		/* c1 = s, c2 = t at the fragment's sample position; original weights = (c1, c2) */
		bool lower_left = draw->state->point_sprite & VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT;
		prim.c_plane[0][0] = 1.0 / size, prim.c_plane[0][2] = 0.5 - (double)w.x / size;
		prim.c_plane[1][1] = (lower_left ? -1.0 : 1.0) / size;
		prim.c_plane[1][2] = lower_left ? 0.5 + (double)w.y / size : 0.5 - (double)w.y / size;
		prim.to_orig[0][1] = 1.0f, prim.to_orig[1][2] = 1.0f;
	}
	for (unsigned k = 0; k < 3; k++)
		prim.z[k] = w.z, prim.inv_w[k] = w.inv_w;
	prim.provoking = 0;
	const struct e3d_vertex *orig[3] = {v, v, v};
	return bin(draw, &prim, orig);
}

void e3d_assembler_begin(struct e3d_assembler *a, unsigned topology)
{
	a->topology = topology;
	a->count = 0;
	a->first = a->prev[0] = a->prev[1] = NULL;
}

void e3d_assembler_keep(struct e3d_assembler *a)
{
	/* through a copy: the pointers may already point into kept[] */
	const struct e3d_vertex **held[3] = {&a->first, &a->prev[0], &a->prev[1]};
	struct e3d_vertex copy[3];
	for (int i = 0; i < 3; i++)
		if (*held[i])
			copy[i] = **held[i];
	for (int i = 0; i < 3; i++)
		if (*held[i]) {
			a->kept[i] = copy[i];
			*held[i] = &a->kept[i];
		}
}

bool e3d_assemble(struct e3d_draw *draw, struct e3d_assembler *a, const struct e3d_vertex *v)
{
	uint32_t i = a->count++;
	bool ok = true;
	switch (a->topology) {
	case VGPU_TOPOLOGY_POINTS:
		return emit_point(draw, v);
	case VGPU_TOPOLOGY_LINES:
		if (i % 2 == 1)
			ok = emit_line(draw, a->prev[0], v);
		break;
	case VGPU_TOPOLOGY_LINE_STRIP:
	case VGPU_TOPOLOGY_LINE_LOOP:
		if (i == 0)
			a->first = v;
		else
			ok = emit_line(draw, a->prev[0], v);
		break;
	case VGPU_TOPOLOGY_TRIANGLES:
		if (i % 3 == 2)
			ok = emit_triangle(draw, a->prev[1], a->prev[0], v);
		break;
	case VGPU_TOPOLOGY_TRIANGLE_STRIP:
		/* Odd triangles swap their first two vertices so every triangle keeps the strip's winding. */
		if (i >= 2)
			ok = i % 2 ? emit_triangle(draw, a->prev[0], a->prev[1], v)
			           : emit_triangle(draw, a->prev[1], a->prev[0], v);
		break;
	case VGPU_TOPOLOGY_TRIANGLE_FAN:
		if (i == 0)
			a->first = v;
		else if (i >= 2)
			ok = emit_triangle(draw, a->first, a->prev[0], v);
		break;
	}
	a->prev[1] = a->prev[0];
	a->prev[0] = v;
	return ok;
}

bool e3d_assembler_restart(struct e3d_draw *draw, struct e3d_assembler *a)
{
	bool ok = true;
	if (a->topology == VGPU_TOPOLOGY_LINE_LOOP && a->count >= 2)
		ok = emit_line(draw, a->prev[0], a->first);
	a->count = 0;
	return ok;
}
