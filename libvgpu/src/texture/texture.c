/* SPDX-License-Identifier: MIT */
#include "texture/texture.h"

#include <math.h>
#include <string.h>

#include "format/float_bits.h"
#include "format/format.h"

/* c / 255 for a byte (spec 9.2): the division itself, which vectorises, unlike a table lookup. */
static inline float unorm8_value(uint32_t c)
{
	return (float)c / 255.0f;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

bool texture_view_prepare(struct surface_budget *budget, struct e3d_texture_view *view,
                          const struct e3d_texture_desc *desc, struct vgpu_fault *fault)
{
	view->desc = desc;
	view->bpp = format_bytes_per_pixel(desc->format);
	view->faces = desc->type == VGPU_TEXTURE_CUBE ? 6 : 1;
	uint64_t offset = 0;
	for (uint32_t l = 0; l < desc->levels; l++) {
		uint32_t w = max_u32(desc->width >> l, 1), h = max_u32(desc->height >> l, 1);
		view->level_pitch[l] = (w * view->bpp + 3) & ~3u; /* <= 16384 * 16 */
		view->face_size[l] = (uint64_t)view->level_pitch[l] * h;
		view->level_offset[l] = offset;
		offset += (uint64_t)view->faces * view->face_size[l];
	}
	if (!surface_map_build(budget, &view->map, desc->va, offset, false, fault))
		return false;
	view->linear = surface_linear(&view->map);
	return true;
}

static inline int wrap(int i, int size, unsigned mode)
{
	if (i >= 0 && i < size)
		return i; /* inside the texture: every mode agrees */
	switch (mode) {
	case VGPU_WRAP_REPEAT:
		return ((i % size) + size) % size;
	case VGPU_WRAP_MIRRORED_REPEAT: {
		int m = ((i % (2 * size)) + 2 * size) % (2 * size);
		return m < size ? m : 2 * size - 1 - m;
	}
	default:
		return i < 0 ? 0 : (i >= size ? size - 1 : i);
	}
}

/* Texel coordinates stay far inside int range whatever the guest's coordinates: clamped to +-2^24, NaN to 0.
 */
static float texel_space(float coord, uint32_t size)
{
	float u = coord * (float)size;
	uint32_t above_min = 0u - (uint32_t)(u > -16777216.0f), nan = 0u - (uint32_t)(u != u);
	u = select_float(above_min, u, select_float(nan, 0.0f, -16777216.0f));
	return select_float(0u - (uint32_t)(u < 16777216.0f), u, 16777216.0f);
}

struct sample_ctx {
	const struct e3d_texture_view *view;
	uint32_t flags;
	bool shadow;
	float reference;
	uint32_t missing_page;
	bool missing;
};

static inline void fetch(struct sample_ctx *sc, unsigned level, unsigned face, int i, int j, float rgba[4])
{
	const struct e3d_texture_view *v = sc->view;
	uint64_t offset = v->level_offset[level] + (uint64_t)face * v->face_size[level] +
	                  (uint64_t)j * v->level_pitch[level] + (uint64_t)i * v->bpp;
	uint8_t tmp[16];
	uint32_t page;
	const uint8_t *texel =
	        v->linear ? v->linear + offset : surface_peek(&v->map, offset, v->bpp, tmp, &page);
	if (!texel) {
		if (!sc->missing)
			sc->missing_page = page;
		sc->missing = true;
		rgba[0] = rgba[1] = rgba[2] = 0.0f, rgba[3] = 1.0f;
		return;
	}
	uint32_t format = v->desc->format;
	if (format == VGPU_FORMAT_B8G8R8A8_UNORM || format == VGPU_FORMAT_R8G8B8A8_UNORM) {
		/* the common formats without the general unpacker's per-call dispatch */
		unsigned r = format == VGPU_FORMAT_B8G8R8A8_UNORM ? 2 : 0;
		rgba[0] = unorm8_value(texel[r]), rgba[1] = unorm8_value(texel[1]);
		rgba[2] = unorm8_value(texel[2 - r]), rgba[3] = unorm8_value(texel[3]);
	} else if (format_is_depth(format)) {
		rgba[0] = format_unpack_depth(format, texel);
		rgba[1] = rgba[2] = 0.0f, rgba[3] = 1.0f;
	} else {
		format_unpack_row(format, texel, rgba, 1);
	}
	if (sc->shadow) {
		float result = e3d_compare(VGPU_SAMPLER_COMPARE_FUNC(sc->flags), sc->reference, rgba[0])
		                       ? 1.0f
		                       : 0.0f;
		rgba[0] = rgba[1] = rgba[2] = result, rgba[3] = 1.0f;
	}
}

/* The guest's LOD, bias and clamps are any finite floats (or infinities): saturated to [-1, 16], where every
 * choice below is already decided (level 0 at or below 0, the last level from 15 on), so the conversions to
 * a level index stay far inside int range and the result is the same as with the unsaturated value. */
static inline float lod_in_level_range(float lod)
{
	return fminf(fmaxf(lod, -1.0f), (float)(VGPU_TEXTURE_MAX_LEVELS + 1));
}

/* floor for |x| <= 2^24 (texel_space's range), without a libm call on baseline x86-64. */
static inline int floor_int(float x)
{
	int i = (int)x;
	return i - ((float)i > x); /* no select: the lane loops vectorise */
}

/* One level: nearest or bilinear at (s, t), wrapping each tap. */
static inline void sample_level(struct sample_ctx *sc, unsigned level, unsigned face, float s, float t,
                                bool linear, unsigned wrap_s, unsigned wrap_t, float rgba[4])
{
	const struct e3d_texture_desc *d = sc->view->desc;
	int w = (int)max_u32(d->width >> level, 1), h = (int)max_u32(d->height >> level, 1);
	float u = texel_space(s, (uint32_t)w), v = texel_space(t, (uint32_t)h);
	if (!linear) {
		fetch(sc, level, face, wrap(floor_int(u), w, wrap_s), wrap(floor_int(v), h, wrap_t), rgba);
		return;
	}
	u -= 0.5f, v -= 0.5f;
	int i0 = floor_int(u), j0 = floor_int(v);
	float a = u - (float)i0, b = v - (float)j0;
	int i[2] = {wrap(i0, w, wrap_s), wrap(i0 + 1, w, wrap_s)};
	int j[2] = {wrap(j0, h, wrap_t), wrap(j0 + 1, h, wrap_t)};
	float t00[4], t10[4], t01[4], t11[4];
	fetch(sc, level, face, i[0], j[0], t00);
	fetch(sc, level, face, i[1], j[0], t10);
	fetch(sc, level, face, i[0], j[1], t01);
	fetch(sc, level, face, i[1], j[1], t11);
	for (unsigned c = 0; c < 4; c++)
		rgba[c] = (1 - a) * (1 - b) * t00[c] + a * (1 - b) * t10[c] + (1 - a) * b * t01[c] +
		          a * b * t11[c];
}

/* Cube direction -> face and 2D coordinates (the GL face table); *major = |major axis|. */
static unsigned cube_face(float x, float y, float z, float *s, float *t, float *major)
{
	float ax = fabsf(x), ay = fabsf(y), az = fabsf(z), sc, tc, ma;
	unsigned face;
	if (ax >= ay && ax >= az) {
		face = x >= 0 ? 0 : 1, ma = ax, sc = x >= 0 ? -z : z, tc = -y;
	} else if (ay >= az) {
		face = y >= 0 ? 2 : 3, ma = ay, sc = x, tc = y >= 0 ? z : -z;
	} else {
		face = z >= 0 ? 4 : 5, ma = az, sc = z >= 0 ? x : -x, tc = -y;
	}
	if (!(ma > 0.0f))
		ma = 1.0f, sc = tc = 0.0f;
	*s = (sc / ma + 1.0f) * 0.5f;
	*t = (tc / ma + 1.0f) * 0.5f;
	*major = ma;
	return face;
}

static float implicit_lod(const struct vgpu_shader_tex_request *req, unsigned lane,
                          const struct e3d_texture_desc *d, float major)
{
	float rho;
	if (req->cube) {
		float dx =
		        sqrtf(req->ddx[0][lane] * req->ddx[0][lane] + req->ddx[1][lane] * req->ddx[1][lane] +
		              req->ddx[2][lane] * req->ddx[2][lane]);
		float dy =
		        sqrtf(req->ddy[0][lane] * req->ddy[0][lane] + req->ddy[1][lane] * req->ddy[1][lane] +
		              req->ddy[2][lane] * req->ddy[2][lane]);
		rho = fmaxf(dx, dy) * (float)d->width / (2.0f * major);
	} else {
		float w = (float)d->width, h = (float)d->height;
		float dudx = req->ddx[0][lane] * w, dvdx = req->ddx[1][lane] * h;
		float dudy = req->ddy[0][lane] * w, dvdy = req->ddy[1][lane] * h;
		rho = fmaxf(sqrtf(dudx * dudx + dvdx * dvdx), sqrtf(dudy * dudy + dvdy * dvdy));
	}
	return log2f(rho);
}

/* The common case, done a step at a time for the whole warp in lane loops the compiler vectorises instead of
 * lane by lane: a 2D RGBA8/BGRA8 texture in contiguous memory, without depth comparison, where only level 0
 * can be sampled and with one filter (no mipmaps, minification and magnification filters alike, so the LOD
 * changes nothing). Every lane computes exactly what sample_level and fetch compute for it, operation for
 * operation, so the results are bit-identical. Lanes outside the mask are computed too (their coordinates
 * wrap into the texture like any other) and ignored by the shader core. */
static bool warp_fast_path(const struct e3d_texture_view *view, const struct vgpu_shader_tex_request *req,
                           uint32_t flags)
{
	uint32_t format = view->desc->format;
	return !req->cube && !req->shadow && view->linear && texture_sampler_ignores_lod(flags) &&
	       (format == VGPU_FORMAT_B8G8R8A8_UNORM || format == VGPU_FORMAT_R8G8B8A8_UNORM);
}

/* wrap() for a row of texel indices; the usual modes as branch-free loops. */
static void wrap_lanes(int32_t index[VGPU_ISA_LANES], int size, unsigned mode)
{
	if (mode == VGPU_WRAP_REPEAT && (size & (size - 1)) == 0) {
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++)
			index[l] &= size - 1; /* two's complement: the non-negative remainder */
	} else if (mode == VGPU_WRAP_CLAMP_TO_EDGE) {
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
			int32_t i = index[l] < 0 ? 0 : index[l];
			index[l] = i < size - 1 ? i : size - 1;
		}
	} else {
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++)
			index[l] = wrap(index[l], size, mode);
	}
}

/* The texel words of level 0 at (i[lane], j[lane]) and (i2[lane], j[lane]): bilinear taps come in pairs
 * on a row. */
static void gather_pairs(const struct e3d_texture_view *view, const int32_t i[VGPU_ISA_LANES],
                         const int32_t i2[VGPU_ISA_LANES], const int32_t j[VGPU_ISA_LANES],
                         uint32_t texel[VGPU_ISA_LANES], uint32_t texel2[VGPU_ISA_LANES])
{
	uint32_t pitch = view->level_pitch[0];
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		const uint8_t *row = view->linear + (size_t)j[l] * pitch;
		const uint8_t *p = row + (size_t)i[l] * 4, *p2 = row + (size_t)i2[l] * 4;
		texel[l] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		texel2[l] = (uint32_t)p2[0] | (uint32_t)p2[1] << 8 | (uint32_t)p2[2] << 16 |
		            (uint32_t)p2[3] << 24;
	}
}

/* Texel words as RGBA floats [component][lane] (restrict: so the loop vectorises). */
static void unpack_lanes(const struct e3d_texture_view *view, const uint32_t texel[restrict VGPU_ISA_LANES],
                         float rgba[restrict 4][VGPU_ISA_LANES])
{
	unsigned red = view->desc->format == VGPU_FORMAT_B8G8R8A8_UNORM ? 16 : 0;
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		rgba[0][l] = unorm8_value(texel[l] >> red & 0xff);
		rgba[1][l] = unorm8_value(texel[l] >> 8 & 0xff);
		rgba[2][l] = unorm8_value(texel[l] >> (16 - red) & 0xff);
		rgba[3][l] = unorm8_value(texel[l] >> 24);
	}
}

static void sample_warp_rgba8(const struct e3d_texture_view *view, const struct vgpu_shader_tex_request *req,
                              uint32_t flags, float out[4][VGPU_ISA_LANES])
{
	int w = (int)view->desc->width, h = (int)view->desc->height;
	float u[VGPU_ISA_LANES], v[VGPU_ISA_LANES];
	int32_t i0[VGPU_ISA_LANES], j0[VGPU_ISA_LANES];
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		u[l] = texel_space(req->coord[0][l], (uint32_t)w);
		v[l] = texel_space(req->coord[1][l], (uint32_t)h);
	}
	if (!(flags & VGPU_SAMPLER_MAG_LINEAR)) {
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++)
			i0[l] = floor_int(u[l]), j0[l] = floor_int(v[l]);
		wrap_lanes(i0, w, VGPU_SAMPLER_WRAP_S(flags));
		wrap_lanes(j0, h, VGPU_SAMPLER_WRAP_T(flags));
		uint32_t texel[VGPU_ISA_LANES], unused[VGPU_ISA_LANES];
		gather_pairs(view, i0, i0, j0, texel, unused);
		unpack_lanes(view, texel, out);
		return;
	}
	int32_t i1[VGPU_ISA_LANES], j1[VGPU_ISA_LANES];
	float w00[VGPU_ISA_LANES], w10[VGPU_ISA_LANES], w01[VGPU_ISA_LANES], w11[VGPU_ISA_LANES];
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		float su = u[l] - 0.5f, sv = v[l] - 0.5f;
		i0[l] = floor_int(su), j0[l] = floor_int(sv);
		i1[l] = i0[l] + 1, j1[l] = j0[l] + 1;
		float a = su - (float)i0[l], b = sv - (float)j0[l];
		w00[l] = (1 - a) * (1 - b), w10[l] = a * (1 - b), w01[l] = (1 - a) * b, w11[l] = a * b;
	}
	wrap_lanes(i0, w, VGPU_SAMPLER_WRAP_S(flags));
	wrap_lanes(i1, w, VGPU_SAMPLER_WRAP_S(flags));
	wrap_lanes(j0, h, VGPU_SAMPLER_WRAP_T(flags));
	wrap_lanes(j1, h, VGPU_SAMPLER_WRAP_T(flags));
	float t00[4][VGPU_ISA_LANES], t10[4][VGPU_ISA_LANES], t01[4][VGPU_ISA_LANES], t11[4][VGPU_ISA_LANES];
	uint32_t texel[4][VGPU_ISA_LANES];
	gather_pairs(view, i0, i1, j0, texel[0], texel[1]);
	gather_pairs(view, i0, i1, j1, texel[2], texel[3]);
	unpack_lanes(view, texel[0], t00);
	unpack_lanes(view, texel[1], t10);
	unpack_lanes(view, texel[2], t01);
	unpack_lanes(view, texel[3], t11);
	for (unsigned c = 0; c < 4; c++)
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++)
			out[c][l] = w00[l] * t00[c][l] + w10[l] * t10[c][l] + w01[l] * t01[c][l] +
			            w11[l] * t11[c][l];
}

bool texture_sampler_ignores_lod(uint32_t flags)
{
	return VGPU_SAMPLER_MIP(flags) == 0 &&
	       !(flags & VGPU_SAMPLER_MIN_LINEAR) == !(flags & VGPU_SAMPLER_MAG_LINEAR);
}

uint32_t texture_sample(void *ctx, const struct vgpu_shader_tex_request *req, float out[4][VGPU_ISA_LANES])
{
	struct e3d_shading *shading = ctx;
	const struct e3d_draw *draw = shading->draw;
	const struct e3d_texture_view *view = &draw->texture[req->texture];
	/* a sample costs far more than an ALU lane: a watchdog unit per lane sampled */
	if (!e3d_shading_charge(shading, (uint64_t)__builtin_popcount(req->mask)))
		return E3D_DETAIL_WATCHDOG;
	const struct e3d_sampler_desc *sampler = &draw->state->sampler[req->sampler];
	const struct e3d_texture_desc *d = view->desc;
	uint32_t flags = sampler->flags;
	if (warp_fast_path(view, req, flags)) {
		sample_warp_rgba8(view, req, flags, out);
		return 0;
	}
	struct sample_ctx sc = {.view = view, .flags = flags, .shadow = req->shadow};
	unsigned wrap_s = VGPU_SAMPLER_WRAP_S(flags), wrap_t = VGPU_SAMPLER_WRAP_T(flags);
	unsigned mip = VGPU_SAMPLER_MIP(flags);
	int last = (int)d->levels - 1;

	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		if (!(req->mask >> lane & 1))
			continue;
		float s = req->coord[0][lane], t = req->coord[1][lane], major = 1.0f;
		unsigned face = 0;
		if (req->cube) {
			face = cube_face(req->coord[0][lane], req->coord[1][lane], req->coord[2][lane], &s,
			                 &t, &major);
			wrap_s = wrap_t = VGPU_WRAP_CLAMP_TO_EDGE;
		}
		if (req->shadow) {
			float ref = req->coord[req->cube ? 3 : 2][lane];
			sc.reference = ref > 0.0f ? (ref < 1.0f ? ref : 1.0f) : 0.0f;
		}
		bool lod_matters = !texture_sampler_ignores_lod(flags); /* else skip the logarithm */
		float lod = req->mode == VGPU_ISA_TEX_LOD ? req->lod_or_bias[lane]
		            : lod_matters                 ? implicit_lod(req, lane, d, major)
		                                          : 0.0f;
		if (req->mode == VGPU_ISA_TEX_BIAS)
			lod += req->lod_or_bias[lane];
		lod += sampler->bias;
		lod = fmaxf(lod, sampler->min_lod); /* also turns a NaN LOD into min_lod */
		lod = fminf(lod, sampler->max_lod);
		lod = lod_in_level_range(lod);
		bool minifying = lod > 0.0f;
		bool linear = (flags & (minifying ? VGPU_SAMPLER_MIN_LINEAR : VGPU_SAMPLER_MAG_LINEAR)) != 0;
		float rgba[4], second[4];
		if (mip == 0 || !minifying || last == 0) {
			sample_level(&sc, 0, face, s, t, linear, wrap_s, wrap_t, rgba);
		} else if (mip == 1) {
			int level = lod <= 0.5f ? 0 : (int)ceilf(lod + 0.5f) - 1;
			sample_level(&sc, (unsigned)(level < last ? level : last), face, s, t, linear, wrap_s,
			             wrap_t, rgba);
		} else {
			int level = (int)floorf(lod);
			float frac = lod - (float)level;
			if (level >= last) {
				sample_level(&sc, (unsigned)last, face, s, t, linear, wrap_s, wrap_t, rgba);
			} else {
				sample_level(&sc, (unsigned)level, face, s, t, linear, wrap_s, wrap_t, rgba);
				sample_level(&sc, (unsigned)level + 1, face, s, t, linear, wrap_s, wrap_t,
				             second);
				for (unsigned c = 0; c < 4; c++)
					rgba[c] = rgba[c] + frac * (second[c] - rgba[c]);
			}
		}
		if (sc.missing)
			return 1 + req->texture + 16 * sc.missing_page;
		for (unsigned c = 0; c < 4; c++)
			out[c][lane] = rgba[c];
	}
	return 0;
}

void texture_fault(struct vgpu *gpu, const struct e3d_draw *draw, uint32_t detail, struct vgpu_fault *fault)
{
	uint32_t slot = (detail - 1) & 15, page = (detail - 1) >> 4;
	surface_page_fault(gpu, &draw->texture[slot].map, page, fault);
}
