/* SPDX-License-Identifier: MIT */
#include "format/format.h"

#include <math.h>
#include <string.h>

#include "format/srgb.h"
#include "vgpu/vgpu_hw.h"

struct format_info {
	uint8_t bytes;
	bool color;
	bool scanout;
};

static const struct format_info formats[VGPU_FORMAT_COUNT] = {
        [VGPU_FORMAT_B8G8R8A8_UNORM] = {4, true, true},  [VGPU_FORMAT_B8G8R8X8_UNORM] = {4, true, true},
        [VGPU_FORMAT_R8G8B8A8_UNORM] = {4, true, false}, [VGPU_FORMAT_R8G8B8X8_UNORM] = {4, true, false},
        [VGPU_FORMAT_B5G6R5_UNORM] = {2, true, true},    [VGPU_FORMAT_B5G5R5A1_UNORM] = {2, true, false},
        [VGPU_FORMAT_B4G4R4A4_UNORM] = {2, true, false}, [VGPU_FORMAT_R8_UNORM] = {1, true, false},
        [VGPU_FORMAT_R8G8_UNORM] = {2, true, false},     [VGPU_FORMAT_R16G16B16A16_FLOAT] = {8, true, false},
        [VGPU_FORMAT_R32_FLOAT] = {4, true, false},      [VGPU_FORMAT_R32G32B32A32_FLOAT] = {16, true, false},
        [VGPU_FORMAT_A4B4G4R4_UNORM] = {2, true, false}, [VGPU_FORMAT_A1B5G5R5_UNORM] = {2, true, false},
        [VGPU_FORMAT_R8G8B8A8_SRGB] = {4, true, false},  [VGPU_FORMAT_B8G8R8A8_SRGB] = {4, true, false},
        [VGPU_FORMAT_R8G8B8X8_SRGB] = {4, true, false},  [VGPU_FORMAT_B8G8R8X8_SRGB] = {4, true, false},
        [VGPU_FORMAT_Z16_UNORM] = {2, false, false},     [VGPU_FORMAT_Z24_UNORM_S8_UINT] = {4, false, false},
        [VGPU_FORMAT_Z32_FLOAT] = {4, false, false},
};

unsigned format_bytes_per_pixel(uint32_t format)
{
	return format < VGPU_FORMAT_COUNT ? formats[format].bytes : 0;
}

bool format_is_color(uint32_t format)
{
	return format < VGPU_FORMAT_COUNT && formats[format].color;
}

bool format_is_scanout(uint32_t format)
{
	return format < VGPU_FORMAT_COUNT && formats[format].scanout;
}

bool format_is_srgb(uint32_t format)
{
	return format >= VGPU_FORMAT_R8G8B8A8_SRGB && format <= VGPU_FORMAT_B8G8R8X8_SRGB;
}

bool format_is_depth(uint32_t format)
{
	return format >= VGPU_FORMAT_Z16_UNORM && format <= VGPU_FORMAT_Z32_FLOAT;
}

float format_unpack_depth(uint32_t format, const uint8_t *src)
{
	float f;
	switch (format) {
	case VGPU_FORMAT_Z16_UNORM:
		return (float)(src[0] | src[1] << 8) / 65535.0f;
	case VGPU_FORMAT_Z24_UNORM_S8_UINT:
		return (float)(src[0] | src[1] << 8 | src[2] << 16) / 16777215.0f;
	case VGPU_FORMAT_Z32_FLOAT:
		memcpy(&f, src, 4);
		return f;
	default:
		return 0.0f;
	}
}

uint16_t format_float_to_half(float value)
{
	uint32_t bits;
	memcpy(&bits, &value, 4);
	uint32_t sign = (bits >> 16) & 0x8000;
	uint32_t exponent = (bits >> 23) & 0xff;
	uint32_t mantissa = bits & 0x7fffff;

	if (exponent == 0xff) /* infinity or NaN (kept quiet) */
		return (uint16_t)(sign | 0x7c00 | (mantissa ? 0x200 : 0));
	int e = (int)exponent - 127 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e <= 0) {
		/* Subnormal half (or zero): shift the full significand into place, rounding to nearest even.
		 */
		if (e < -10)
			return (uint16_t)sign;
		uint32_t significand = mantissa | 0x800000;
		unsigned shift = (unsigned)(14 - e);
		uint32_t half = significand >> shift;
		uint32_t rest = significand & ((1u << shift) - 1);
		uint32_t halfway = 1u << (shift - 1);
		if (rest > halfway || (rest == halfway && (half & 1)))
			half++;
		return (uint16_t)(sign | half);
	}
	uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13);
	uint32_t rest = mantissa & 0x1fff;
	if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
		half++; /* a carry into the exponent is the correct rounding, up to infinity */
	return (uint16_t)(sign | half);
}

float format_half_to_float(uint16_t half)
{
	uint32_t sign = (uint32_t)(half & 0x8000) << 16;
	uint32_t exponent = (half >> 10) & 0x1f;
	uint32_t mantissa = half & 0x3ff;
	uint32_t bits;

	if (exponent == 0x1f) {
		bits = sign | 0x7f800000 | (mantissa << 13);
	} else if (exponent == 0) {
		float magnitude = (float)mantissa * (1.0f / 16777216.0f); /* mantissa * 2^-24 */
		return sign ? -magnitude : magnitude;
	} else {
		bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
	}
	float value;
	memcpy(&value, &bits, 4);
	return value;
}

static float unorm_to_float(uint32_t value, unsigned bits)
{
	return (float)value / (float)((1u << bits) - 1);
}

static uint32_t float_to_unorm(float value, unsigned bits)
{
	if (!(value > 0.0f)) /* also NaN */
		return 0;
	if (value >= 1.0f)
		return (1u << bits) - 1;
	/* nearbyintf rounds to nearest even in the default rounding mode */
	return (uint32_t)nearbyintf(value * (float)((1u << bits) - 1));
}

static uint16_t load16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void store16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static float load_f32(const uint8_t *p)
{
	float f;
	memcpy(&f, p, 4);
	return f;
}

/* The byte of red in an sRGB format (blue is at 2 - red), and whether byte 3 is alpha (else X). */
static unsigned srgb_red_byte(uint32_t format)
{
	return format == VGPU_FORMAT_R8G8B8A8_SRGB || format == VGPU_FORMAT_R8G8B8X8_SRGB ? 0 : 2;
}

static bool srgb_has_alpha(uint32_t format)
{
	return format == VGPU_FORMAT_R8G8B8A8_SRGB || format == VGPU_FORMAT_B8G8R8A8_SRGB;
}

static void unpack_srgb(uint32_t format, const uint8_t *src, float *rgba, uint32_t count)
{
	unsigned red = srgb_red_byte(format);
	for (uint32_t i = 0; i < count; i++, src += 4, rgba += 4) {
		rgba[0] = srgb8_to_linear(src[red]), rgba[1] = srgb8_to_linear(src[1]);
		rgba[2] = srgb8_to_linear(src[2 - red]);
		rgba[3] = srgb_has_alpha(format) ? unorm_to_float(src[3], 8) : 1.0f;
	}
}

static void pack_srgb(uint32_t format, const float *rgba, uint8_t *dst, uint32_t count)
{
	unsigned red = srgb_red_byte(format);
	for (uint32_t i = 0; i < count; i++, dst += 4, rgba += 4) {
		dst[red] = linear_to_srgb8(rgba[0]), dst[1] = linear_to_srgb8(rgba[1]);
		dst[2 - red] = linear_to_srgb8(rgba[2]);
		/* X channels are written as all ones, as in the UNORM formats */
		dst[3] = srgb_has_alpha(format) ? (uint8_t)float_to_unorm(rgba[3], 8) : 0xff;
	}
}

void format_unpack_row(uint32_t format, const uint8_t *src, float *rgba, uint32_t count)
{
	if (format_is_srgb(format)) {
		unpack_srgb(format, src, rgba, count);
		return;
	}
	unsigned bpp = format_bytes_per_pixel(format);

	for (uint32_t i = 0; i < count; i++, src += bpp, rgba += 4) {
		float r = 0, g = 0, b = 0, a = 1;
		uint32_t v;
		switch (format) {
		case VGPU_FORMAT_B8G8R8A8_UNORM:
		case VGPU_FORMAT_B8G8R8X8_UNORM:
			b = unorm_to_float(src[0], 8), g = unorm_to_float(src[1], 8),
			r = unorm_to_float(src[2], 8);
			if (format == VGPU_FORMAT_B8G8R8A8_UNORM)
				a = unorm_to_float(src[3], 8);
			break;
		case VGPU_FORMAT_R8G8B8A8_UNORM:
		case VGPU_FORMAT_R8G8B8X8_UNORM:
			r = unorm_to_float(src[0], 8), g = unorm_to_float(src[1], 8),
			b = unorm_to_float(src[2], 8);
			if (format == VGPU_FORMAT_R8G8B8A8_UNORM)
				a = unorm_to_float(src[3], 8);
			break;
		case VGPU_FORMAT_B5G6R5_UNORM:
			v = load16(src);
			b = unorm_to_float(v & 31, 5), g = unorm_to_float((v >> 5) & 63, 6);
			r = unorm_to_float(v >> 11, 5);
			break;
		case VGPU_FORMAT_B5G5R5A1_UNORM:
			v = load16(src);
			b = unorm_to_float(v & 31, 5), g = unorm_to_float((v >> 5) & 31, 5);
			r = unorm_to_float((v >> 10) & 31, 5), a = (float)(v >> 15);
			break;
		case VGPU_FORMAT_B4G4R4A4_UNORM:
			v = load16(src);
			b = unorm_to_float(v & 15, 4), g = unorm_to_float((v >> 4) & 15, 4);
			r = unorm_to_float((v >> 8) & 15, 4), a = unorm_to_float(v >> 12, 4);
			break;
		case VGPU_FORMAT_A4B4G4R4_UNORM:
			v = load16(src);
			a = unorm_to_float(v & 15, 4), b = unorm_to_float((v >> 4) & 15, 4);
			g = unorm_to_float((v >> 8) & 15, 4), r = unorm_to_float(v >> 12, 4);
			break;
		case VGPU_FORMAT_A1B5G5R5_UNORM:
			v = load16(src);
			a = (float)(v & 1), b = unorm_to_float((v >> 1) & 31, 5);
			g = unorm_to_float((v >> 6) & 31, 5), r = unorm_to_float(v >> 11, 5);
			break;
		case VGPU_FORMAT_R8_UNORM:
			r = unorm_to_float(src[0], 8);
			break;
		case VGPU_FORMAT_R8G8_UNORM:
			r = unorm_to_float(src[0], 8), g = unorm_to_float(src[1], 8);
			break;
		case VGPU_FORMAT_R16G16B16A16_FLOAT:
			r = format_half_to_float(load16(src)), g = format_half_to_float(load16(src + 2));
			b = format_half_to_float(load16(src + 4)), a = format_half_to_float(load16(src + 6));
			break;
		case VGPU_FORMAT_R32_FLOAT:
			r = load_f32(src);
			break;
		case VGPU_FORMAT_R32G32B32A32_FLOAT:
			r = load_f32(src), g = load_f32(src + 4), b = load_f32(src + 8),
			a = load_f32(src + 12);
			break;
		default:
			break;
		}
		rgba[0] = r, rgba[1] = g, rgba[2] = b, rgba[3] = a;
	}
}

void format_pack_row(uint32_t format, const float *rgba, uint8_t *dst, uint32_t count)
{
	if (format_is_srgb(format)) {
		pack_srgb(format, rgba, dst, count);
		return;
	}
	unsigned bpp = format_bytes_per_pixel(format);

	for (uint32_t i = 0; i < count; i++, dst += bpp, rgba += 4) {
		float r = rgba[0], g = rgba[1], b = rgba[2], a = rgba[3];
		switch (format) {
		case VGPU_FORMAT_B8G8R8A8_UNORM:
		case VGPU_FORMAT_B8G8R8X8_UNORM:
			dst[0] = (uint8_t)float_to_unorm(b, 8), dst[1] = (uint8_t)float_to_unorm(g, 8);
			dst[2] = (uint8_t)float_to_unorm(r, 8);
			/* X channels are written as all ones, so they read back as 1.0 under either format */
			dst[3] = format == VGPU_FORMAT_B8G8R8A8_UNORM ? (uint8_t)float_to_unorm(a, 8) : 0xff;
			break;
		case VGPU_FORMAT_R8G8B8A8_UNORM:
		case VGPU_FORMAT_R8G8B8X8_UNORM:
			dst[0] = (uint8_t)float_to_unorm(r, 8), dst[1] = (uint8_t)float_to_unorm(g, 8);
			dst[2] = (uint8_t)float_to_unorm(b, 8);
			dst[3] = format == VGPU_FORMAT_R8G8B8A8_UNORM ? (uint8_t)float_to_unorm(a, 8) : 0xff;
			break;
		case VGPU_FORMAT_B5G6R5_UNORM:
			store16(dst, float_to_unorm(b, 5) | float_to_unorm(g, 6) << 5 |
			                     float_to_unorm(r, 5) << 11);
			break;
		case VGPU_FORMAT_B5G5R5A1_UNORM:
			store16(dst, float_to_unorm(b, 5) | float_to_unorm(g, 5) << 5 |
			                     float_to_unorm(r, 5) << 10 | float_to_unorm(a, 1) << 15);
			break;
		case VGPU_FORMAT_B4G4R4A4_UNORM:
			store16(dst, float_to_unorm(b, 4) | float_to_unorm(g, 4) << 4 |
			                     float_to_unorm(r, 4) << 8 | float_to_unorm(a, 4) << 12);
			break;
		case VGPU_FORMAT_A4B4G4R4_UNORM:
			store16(dst, float_to_unorm(a, 4) | float_to_unorm(b, 4) << 4 |
			                     float_to_unorm(g, 4) << 8 | float_to_unorm(r, 4) << 12);
			break;
		case VGPU_FORMAT_A1B5G5R5_UNORM:
			store16(dst, float_to_unorm(a, 1) | float_to_unorm(b, 5) << 1 |
			                     float_to_unorm(g, 5) << 6 | float_to_unorm(r, 5) << 11);
			break;
		case VGPU_FORMAT_R8_UNORM:
			dst[0] = (uint8_t)float_to_unorm(r, 8);
			break;
		case VGPU_FORMAT_R8G8_UNORM:
			dst[0] = (uint8_t)float_to_unorm(r, 8), dst[1] = (uint8_t)float_to_unorm(g, 8);
			break;
		case VGPU_FORMAT_R16G16B16A16_FLOAT:
			store16(dst, format_float_to_half(r)), store16(dst + 2, format_float_to_half(g));
			store16(dst + 4, format_float_to_half(b)), store16(dst + 6, format_float_to_half(a));
			break;
		case VGPU_FORMAT_R32_FLOAT:
			memcpy(dst, &r, 4);
			break;
		case VGPU_FORMAT_R32G32B32A32_FLOAT:
			memcpy(dst, &r, 4), memcpy(dst + 4, &g, 4), memcpy(dst + 8, &b, 4),
			        memcpy(dst + 12, &a, 4);
			break;
		default:
			break;
		}
	}
}
