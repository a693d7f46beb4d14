/* SPDX-License-Identifier: MIT */
/* Pixel format tables and conversions (spec 9), checked against values worked out by hand. */
#include <math.h>
#include <string.h>

#include "format/format.h"
#include "srgb_reference.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu_test.h"

static void test_sizes_and_classes(void)
{
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_R8_UNORM), 1);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_B5G5R5A1_UNORM), 2);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_R16G16B16A16_FLOAT), 8);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_R32G32B32A32_FLOAT), 16);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_Z24_UNORM_S8_UINT), 4);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_A4B4G4R4_UNORM), 2);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(VGPU_FORMAT_A1B5G5R5_UNORM), 2);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(31), 0);
	VT_CHECK_EQ_INT(format_bytes_per_pixel(0xffffffff), 0);
	VT_CHECK(format_is_color(VGPU_FORMAT_R32_FLOAT));
	VT_CHECK(!format_is_color(VGPU_FORMAT_Z32_FLOAT));
	VT_CHECK(!format_is_color(VGPU_FORMAT_NONE));
	VT_CHECK(format_is_scanout(VGPU_FORMAT_B5G6R5_UNORM));
	VT_CHECK(!format_is_scanout(VGPU_FORMAT_R8G8B8A8_UNORM));
}

static void test_half_float(void)
{
	VT_CHECK_EQ_U64(format_float_to_half(1.0f), 0x3c00);
	VT_CHECK_EQ_U64(format_float_to_half(-2.0f), 0xc000);
	VT_CHECK_EQ_U64(format_float_to_half(65504.0f), 0x7bff);
	VT_CHECK_EQ_U64(format_float_to_half(65520.0f), 0x7c00);           /* rounds up to infinity */
	VT_CHECK_EQ_U64(format_float_to_half(1.0f / 16777216.0f), 0x0001); /* smallest subnormal */
	VT_CHECK_EQ_U64(format_float_to_half(1.0f / 33554432.0f), 0x0000); /* half of it: ties to even (0) */
	VT_CHECK_EQ_U64(format_float_to_half(1.0f + 1.0f / 2048.0f), 0x3c00); /* tie -> even */
	VT_CHECK_EQ_U64(format_float_to_half(1.0f + 3.0f / 2048.0f), 0x3c02); /* tie -> even (up) */
	VT_CHECK_EQ_U64(format_float_to_half(INFINITY), 0x7c00);
	VT_CHECK((format_float_to_half(NAN) & 0x7c00) == 0x7c00 && (format_float_to_half(NAN) & 0x3ff));
	VT_CHECK(format_half_to_float(0x3555) == 0.333251953125f);
	VT_CHECK(format_half_to_float(0x0001) == 1.0f / 16777216.0f);
	VT_CHECK(format_half_to_float(0xfc00) == -INFINITY);
	/* every finite half survives the round trip */
	int bad = 0;
	for (uint32_t h = 0; h < 0x10000; h++)
		if ((h & 0x7c00) != 0x7c00 && format_float_to_half(format_half_to_float((uint16_t)h)) != h)
			bad++;
	VT_CHECK_EQ_INT(bad, 0);
}

static void test_unorm_rounding_and_clamping(void)
{
	float rgba[4 * 3] = {0.5f, -1.0f, 2.0f, NAN, 1.0f / 62.0f, 0.25f, 0.75f, 1.0f, 0, 0, 0, 0};
	uint8_t out[12];
	format_pack_row(VGPU_FORMAT_R8G8B8A8_UNORM, rgba, out, 1);
	/* 0.5 * 255 = 127.5 -> 128 (nearest even), -1 -> 0, 2 -> 255, NaN -> 0 */
	VT_CHECK(out[0] == 128 && out[1] == 0 && out[2] == 255 && out[3] == 0);
	format_pack_row(VGPU_FORMAT_B4G4R4A4_UNORM, rgba + 4, out, 1);
	/* r = 1/62*15 = 0.24 -> 0; g = 3.75 -> 4; b = 11.25 -> 11; a = 15 */
	VT_CHECK_EQ_U64(out[0] | out[1] << 8, (15u << 12) | (0u << 8) | (4u << 4) | 11u);
	uint8_t in[2] = {0xff, 0x7f}; /* B5G5R5A1: b 31, g 31, r 31, a 0 */
	format_unpack_row(VGPU_FORMAT_B5G5R5A1_UNORM, in, rgba, 1);
	VT_CHECK(rgba[0] == 1.0f && rgba[1] == 1.0f && rgba[2] == 1.0f && rgba[3] == 0.0f);
	format_unpack_row(VGPU_FORMAT_R8G8_UNORM, in, rgba, 1);
	VT_CHECK(rgba[0] == 1.0f && rgba[1] == 127.0f / 255.0f && rgba[2] == 0.0f && rgba[3] == 1.0f);
}

static void test_every_8bit_value_survives_unorm8_formats(void)
{
	uint8_t in[256 * 4], out[256 * 4];
	float rgba[256 * 4];
	for (int i = 0; i < 256 * 4; i++)
		in[i] = (uint8_t)(i * 13);
	static const uint32_t formats[] = {VGPU_FORMAT_B8G8R8A8_UNORM, VGPU_FORMAT_R8G8B8A8_UNORM};
	for (int f = 0; f < 2; f++) {
		format_unpack_row(formats[f], in, rgba, 256);
		format_pack_row(formats[f], rgba, out, 256);
		VT_CHECK(memcmp(in, out, sizeof(in)) == 0);
		/* binary16 keeps 11 bits: UNORM8 through it is exact too */
		uint8_t half[256 * 8];
		format_pack_row(VGPU_FORMAT_R16G16B16A16_FLOAT, rgba, half, 256);
		format_unpack_row(VGPU_FORMAT_R16G16B16A16_FLOAT, half, rgba, 256);
		format_pack_row(formats[f], rgba, out, 256);
		VT_CHECK(memcmp(in, out, sizeof(in)) == 0);
	}
}

/* The GL-order 16-bit formats (1.1): hand-worked values, and every 16-bit pattern survives unpack + pack. */
static void test_gl_order_16bit_formats(void)
{
	float rgba[4];
	uint8_t in[2] = {0x34, 0x12}, out[2];
	format_unpack_row(VGPU_FORMAT_A4B4G4R4_UNORM, in, rgba, 1); /* 0x1234: R 1, G 2, B 3, A 4 */
	VT_CHECK(rgba[0] == 1 / 15.0f && rgba[1] == 2 / 15.0f && rgba[2] == 3 / 15.0f &&
	         rgba[3] == 4 / 15.0f);
	uint8_t five[2] = {0x43, 0x86}; /* 0x8643: R 16, G 25, B 1, A 1 */
	format_unpack_row(VGPU_FORMAT_A1B5G5R5_UNORM, five, rgba, 1);
	VT_CHECK(rgba[0] == 16 / 31.0f && rgba[1] == 25 / 31.0f && rgba[2] == 1 / 31.0f && rgba[3] == 1.0f);
	float pack[4] = {1.0f, 0.0f, 0.5f,
	                 0.4f}; /* 4 bits: 15, 0, 7.5 -> 8, 6; 5 bits: 31, 0, 15.5 -> 16, 0 */
	format_pack_row(VGPU_FORMAT_A4B4G4R4_UNORM, pack, out, 1);
	VT_CHECK_EQ_U64(out[0] | out[1] << 8, 15u << 12 | 0u << 8 | 8u << 4 | 6u);
	format_pack_row(VGPU_FORMAT_A1B5G5R5_UNORM, pack, out, 1);
	VT_CHECK_EQ_U64(out[0] | out[1] << 8, 31u << 11 | 0u << 6 | 16u << 1 | 0u);
	const uint32_t formats[2] = {VGPU_FORMAT_A4B4G4R4_UNORM, VGPU_FORMAT_A1B5G5R5_UNORM};
	unsigned bad = 0;
	for (int f = 0; f < 2; f++)
		for (uint32_t v = 0; v < 0x10000; v++) {
			in[0] = (uint8_t)v, in[1] = (uint8_t)(v >> 8);
			format_unpack_row(formats[f], in, rgba, 1);
			format_pack_row(formats[f], rgba, out, 1);
			bad += (uint32_t)(out[0] | out[1] << 8) != v;
		}
	VT_CHECK_EQ_INT(bad, 0);
}

/* sRGB (1.1): every code decodes to the standard's value, round trips to itself, and linear values encode
 * to the nearest code; alpha stays linear, X writes all ones, B and R swap places in the BGRA orders. */
static void test_srgb_transfer(void)
{
	const uint32_t *formats = srgb_reference_formats;
	unsigned bad = 0;
	for (int f = 0; f < 4; f++) {
		bool bgr = srgb_reference_bgr(formats[f]), alpha = srgb_reference_alpha(formats[f]);
		VT_CHECK(format_is_srgb(formats[f]) && format_is_color(formats[f]));
		VT_CHECK_EQ_INT(format_bytes_per_pixel(formats[f]), 4);
		for (uint32_t c = 0; c < 256; c++) {
			uint8_t in[4] = {(uint8_t)c, (uint8_t)(255 - c), (uint8_t)(c ^ 0x55), (uint8_t)c},
			        out[4];
			float rgba[4];
			format_unpack_row(formats[f], in, rgba, 1);
			bad += rgba[bgr ? 2 : 0] != (float)srgb_reference_decode(in[0] / 255.0);
			bad += rgba[1] != (float)srgb_reference_decode(in[1] / 255.0);
			bad += rgba[bgr ? 0 : 2] != (float)srgb_reference_decode(in[2] / 255.0);
			bad += rgba[3] != (alpha ? (float)(c / 255.0) : 1.0f);
			format_pack_row(formats[f], rgba, out, 1);
			bad += memcmp(out, in, 3) != 0 || out[3] != (alpha ? c : 255);
		}
	}
	for (uint32_t i = 0; i <= 8192; i++) {
		float l = (float)i / 8192.0f, rgba[4] = {l, l, l, l};
		uint8_t out[4];
		format_pack_row(VGPU_FORMAT_R8G8B8A8_SRGB, rgba, out, 1);
		double exact = srgb_reference_encode(l) * 255;
		bad += fabs(out[0] - exact) > 0.5 + 1e-9;
	}
	float extremes[4] = {-1.0f, NAN, 2.0f, 0.5f};
	uint8_t out[4];
	format_pack_row(VGPU_FORMAT_R8G8B8A8_SRGB, extremes, out, 1);
	VT_CHECK(out[0] == 0 && out[1] == 0 && out[2] == 255 && out[3] == 128);
	VT_CHECK_EQ_INT(bad, 0);
}

static const struct vt_case cases[] = {
        VT_CASE(test_srgb_transfer),
        VT_CASE(test_gl_order_16bit_formats),
        VT_CASE(test_sizes_and_classes),
        VT_CASE(test_half_float),
        VT_CASE(test_unorm_rounding_and_clamping),
        VT_CASE(test_every_8bit_value_survives_unorm8_formats),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
