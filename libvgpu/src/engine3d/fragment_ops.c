/* SPDX-License-Identifier: MIT */
#include "engine3d/fragment_ops.h"

#include <math.h>
#include <string.h>

#include "format/float_bits.h"
#include "format/format.h"

static uint32_t stencil_op(unsigned op, uint32_t s, uint32_t ref)
{
	switch (op) {
	case VGPU_STENCIL_OP_ZERO:
		return 0;
	case VGPU_STENCIL_OP_REPLACE:
		return ref;
	case VGPU_STENCIL_OP_INCR:
		return s < 255 ? s + 1 : 255;
	case VGPU_STENCIL_OP_DECR:
		return s > 0 ? s - 1 : 0;
	case VGPU_STENCIL_OP_INVERT:
		return ~s & 0xff;
	case VGPU_STENCIL_OP_INCR_WRAP:
		return (s + 1) & 0xff;
	case VGPU_STENCIL_OP_DECR_WRAP:
		return (s - 1) & 0xff;
	default:
		return s;
	}
}

/* Depth in the buffer's own precision, so the test compares what is stored. */
static float quantize_depth(uint32_t format, float z, uint32_t *raw)
{
	if (format == VGPU_FORMAT_Z32_FLOAT) {
		memcpy(raw, &z, 4);
		return z;
	}
	float max = format == VGPU_FORMAT_Z16_UNORM ? 65535.0f : 16777215.0f;
	*raw = (uint32_t)nearbyintf(z * max);
	return (float)*raw;
}

uint32_t e3d_depth_stencil(const struct e3d_draw *draw, uint8_t *tile, const struct e3d_lanes *lanes,
                           const float z[VGPU_ISA_LANES], uint32_t mask, bool front)
{
	const struct e3d_state *s = draw->state;
	uint32_t format = s->depth.format;
	if (format == VGPU_FORMAT_NONE)
		return mask; /* no depth buffer: both tests pass (GL) */
	uint32_t ds = s->depth_stencil[0];
	uint32_t sw = s->depth_stencil[front ? 1 : 3], masks = s->depth_stencil[front ? 2 : 4];
	bool depth_test = ds & VGPU_DEPTH_TEST, depth_write = (ds & VGPU_DEPTH_WRITE) && depth_test;
	bool stencil = (sw & VGPU_STENCIL_ENABLE) && format == VGPU_FORMAT_Z24_UNORM_S8_UINT;
	if (!depth_test && !stencil)
		return mask;
	unsigned bpp = draw->depth_bpp;
	uint32_t ref = VGPU_STENCIL_REF(sw), value_mask = masks & 0xff, write_mask = (masks >> 8) & 0xff;
	uint32_t pass = 0;

	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		if (!(mask >> lane & 1))
			continue;
		uint8_t *p = tile + ((size_t)lanes->y[lane] * E3D_TILE + lanes->x[lane]) * bpp;
		uint32_t stored = 0;
		memcpy(&stored, p, bpp);
		uint32_t raw;
		float frag = quantize_depth(format, z[lane], &raw);
		float old =
		        format == VGPU_FORMAT_Z32_FLOAT
		                ? format_unpack_depth(format, p)
		                : (float)(stored & (format == VGPU_FORMAT_Z16_UNORM ? 0xffffu : 0xffffffu));
		uint32_t s_old = stored >> 24, s_new = s_old;
		bool ok = true;
		if (stencil && !e3d_compare(VGPU_STENCIL_FUNC(sw), (float)(ref & value_mask),
		                            (float)(s_old & value_mask))) {
			s_new = stencil_op(VGPU_STENCIL_FAIL(sw), s_old, ref);
			ok = false;
		} else if (depth_test && !e3d_compare(VGPU_DEPTH_FUNC(ds), frag, old)) {
			s_new = stencil_op(VGPU_STENCIL_ZFAIL(sw), s_old, ref);
			ok = false;
		} else {
			s_new = stencil_op(VGPU_STENCIL_ZPASS(sw), s_old, ref);
		}
		uint32_t updated = stored;
		if (ok && depth_write)
			updated =
			        format == VGPU_FORMAT_Z24_UNORM_S8_UINT ? (stored & 0xff000000u) | raw : raw;
		if (stencil)
			updated = (updated & 0xffffffu) | ((s_old & ~write_mask) | (s_new & write_mask))
			                                          << 24;
		if (updated != stored)
			memcpy(p, &updated, bpp);
		pass |= (uint32_t)ok << lane;
	}
	return pass;
}

static float factor(unsigned f, unsigned channel, const float src[4], const float dst[4], const float cc[4])
{
	switch (f) {
	case VGPU_BLEND_ZERO:
		return 0.0f;
	case VGPU_BLEND_ONE:
		return 1.0f;
	case VGPU_BLEND_SRC_COLOR:
		return src[channel];
	case VGPU_BLEND_ONE_MINUS_SRC_COLOR:
		return 1.0f - src[channel];
	case VGPU_BLEND_DST_COLOR:
		return dst[channel];
	case VGPU_BLEND_ONE_MINUS_DST_COLOR:
		return 1.0f - dst[channel];
	case VGPU_BLEND_SRC_ALPHA:
		return src[3];
	case VGPU_BLEND_ONE_MINUS_SRC_ALPHA:
		return 1.0f - src[3];
	case VGPU_BLEND_DST_ALPHA:
		return dst[3];
	case VGPU_BLEND_ONE_MINUS_DST_ALPHA:
		return 1.0f - dst[3];
	case VGPU_BLEND_CONSTANT_COLOR:
		return cc[channel];
	case VGPU_BLEND_ONE_MINUS_CONSTANT_COLOR:
		return 1.0f - cc[channel];
	case VGPU_BLEND_CONSTANT_ALPHA:
		return cc[3];
	case VGPU_BLEND_ONE_MINUS_CONSTANT_ALPHA:
		return 1.0f - cc[3];
	default: /* SRC_ALPHA_SATURATE */
		return channel == 3 ? 1.0f : fminf(src[3], 1.0f - dst[3]);
	}
}

static float equation(unsigned eq, float s, float sf, float d, float df)
{
	switch (eq) {
	case VGPU_BLEND_FUNC_SUBTRACT:
		return s * sf - d * df;
	case VGPU_BLEND_FUNC_REVERSE_SUBTRACT:
		return d * df - s * sf;
	case VGPU_BLEND_FUNC_MIN:
		return fminf(s, d);
	case VGPU_BLEND_FUNC_MAX:
		return fmaxf(s, d);
	default:
		return s * sf + d * df;
	}
}

static bool format_is_unorm(uint32_t format)
{
	return format != VGPU_FORMAT_R16G16B16A16_FLOAT && format != VGPU_FORMAT_R32_FLOAT &&
	       format != VGPU_FORMAT_R32G32B32A32_FLOAT;
}

/* To [0, 1], NaN to 0. Selects by bit masks: GCC does not vectorise a loop with float selects it may turn
 * back into branches. */
static float clamp01(float v)
{
	uint32_t positive = 0u - (uint32_t)(v > 0.0f);
	v = bits_float(float_bits(v) & positive);
	uint32_t below_one = 0u - (uint32_t)(v < 1.0f);
	return bits_float((float_bits(v) & below_one) | (float_bits(1.0f) & ~below_one));
}

/* Float to 8-bit UNORM, round to nearest even (spec 9.2): adding 2^23 leaves the rounded integer in the
 * mantissa under the default rounding mode. */
static uint32_t unorm8(float v)
{
	return (uint32_t)(int32_t)((clamp01(v) * 255.0f + 8388608.0f) - 8388608.0f);
}

/* The common case, unblended 8-bit RGBA/BGRA with every channel written, without the float round trip. */
static bool write_rgba8(uint32_t format, uint8_t *tile, const struct e3d_lanes *lanes,
                        float out[4][VGPU_ISA_LANES], uint32_t mask)
{
	unsigned r, b;
	bool alpha;
	switch (format) {
	case VGPU_FORMAT_B8G8R8A8_UNORM:
		r = 2, b = 0, alpha = true;
		break;
	case VGPU_FORMAT_B8G8R8X8_UNORM:
		r = 2, b = 0, alpha = false;
		break;
	case VGPU_FORMAT_R8G8B8A8_UNORM:
		r = 0, b = 2, alpha = true;
		break;
	case VGPU_FORMAT_R8G8B8X8_UNORM:
		r = 0, b = 2, alpha = false;
		break;
	default:
		return false;
	}
	/* converted for every lane in a loop that vectorises, then stored for the covered ones */
	uint32_t packed[VGPU_ISA_LANES], opaque = alpha ? 0 : 0xffu;
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++)
		packed[lane] = unorm8(out[0][lane]) << 8 * r | unorm8(out[1][lane]) << 8 |
		               unorm8(out[2][lane]) << 8 * b | (unorm8(out[3][lane]) | opaque) << 24;
	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		if (!(mask >> lane & 1))
			continue;
		uint8_t *p = tile + ((size_t)lanes->y[lane] * E3D_TILE + lanes->x[lane]) * 4;
		uint32_t v = packed[lane];
		p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
		p[3] = (uint8_t)(v >> 24);
	}
	return true;
}

void e3d_color_write(const struct e3d_draw *draw, unsigned target, uint8_t *tile,
                     const struct e3d_lanes *lanes, float out[4][VGPU_ISA_LANES], uint32_t mask)
{
	const struct e3d_state *s = draw->state;
	uint32_t format = s->color[target].format, blend = s->blend[target];
	unsigned bpp = draw->color_bpp[target], write_mask = VGPU_BLEND_WRITEMASK(blend);
	bool enabled = blend & VGPU_BLEND_ENABLE, unorm = format_is_unorm(format);
	float cc[4];
	for (unsigned c = 0; c < 4; c++)
		cc[c] = unorm ? clamp01(s->blend_color[c]) : s->blend_color[c];
	if (write_mask == 0)
		return;
	if (!enabled && write_mask == 0xf && write_rgba8(format, tile, lanes, out, mask))
		return;

	for (unsigned lane = 0; lane < VGPU_ISA_LANES; lane++) {
		if (!(mask >> lane & 1))
			continue;
		uint8_t *p = tile + ((size_t)lanes->y[lane] * E3D_TILE + lanes->x[lane]) * bpp;
		float src[4], dst[4], result[4];
		for (unsigned c = 0; c < 4; c++)
			src[c] = unorm ? clamp01(out[c][lane]) : out[c][lane];
		if (enabled || write_mask != 0xf)
			format_unpack_row(format, p, dst, 1);
		for (unsigned c = 0; c < 4; c++) {
			if (!(write_mask >> c & 1)) {
				result[c] = dst[c];
			} else if (!enabled) {
				result[c] = src[c];
			} else {
				unsigned sf = c == 3 ? VGPU_BLEND_A_SRC(blend) : VGPU_BLEND_RGB_SRC(blend);
				unsigned df = c == 3 ? VGPU_BLEND_A_DST(blend) : VGPU_BLEND_RGB_DST(blend);
				unsigned eq = c == 3 ? VGPU_BLEND_A_FUNC(blend) : VGPU_BLEND_RGB_FUNC(blend);
				result[c] = equation(eq, src[c], factor(sf, c, src, dst, cc), dst[c],
				                     factor(df, c, src, dst, cc));
			}
		}
		format_pack_row(format, result, p, 1);
	}
}
