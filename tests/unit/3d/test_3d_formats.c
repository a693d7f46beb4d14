/* SPDX-License-Identifier: MIT */
/* The pixel formats of version 1.1 (spec 9.1) as render targets and through the 2D engine: GL's packed
 * A4B4G4R4 and A1B5G5R5, blended over a cleared value; BLIT between them and the 1.0 orders bit for bit;
 * sRGB targets blending in linear space and BLIT decoding and encoding; 1 vs 3 render threads. Expected
 * pixels: the spec's conversions (9.2) evaluated here in double precision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "srgb_reference.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER
#define W  16
#define H  8

/* channel widths and positions (R, G, B, A) of the packed formats, from table 9.1 */
struct packed_layout {
	uint32_t format;
	unsigned bits[4], shift[4];
};

static const struct packed_layout layouts[] = {
        {VGPU_FORMAT_A4B4G4R4_UNORM, {4, 4, 4, 4}, {12, 8, 4, 0}},
        {VGPU_FORMAT_A1B5G5R5_UNORM, {5, 5, 5, 1}, {11, 6, 1, 0}},
        {VGPU_FORMAT_B4G4R4A4_UNORM, {4, 4, 4, 4}, {8, 4, 0, 12}},
        {VGPU_FORMAT_B5G5R5A1_UNORM, {5, 5, 5, 1}, {10, 5, 0, 15}},
};

static double unpacked(const struct packed_layout *l, uint32_t v, unsigned c)
{
	uint32_t max = (1u << l->bits[c]) - 1;
	return (double)(v >> l->shift[c] & max) / max;
}

static const float clear_color[4] = {0.2f, 0.6f, 1.0f, 0.4f};
static const float src_color[4] = {0.9f, 0.1f, 0.45f, 0.7f};

/* Clear, then blend src over it with SRC_ALPHA, ONE_MINUS_SRC_ALPHA on the left half. */
static struct scene *render_blend(unsigned threads, uint32_t format)
{
	struct scene *s = scene_create(threads, W, H);
	scene_add_target(s, format);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_clear(&s->cb, 1, clear_color, 0, 0);
	uint32_t f = VGPU_BLEND_SRC_ALPHA, g = VGPU_BLEND_ONE_MINUS_SRC_ALPHA;
	uint32_t word = VGPU_BLEND_ENABLE | f << 4 | g << 9 | f << 17 | g << 22 | 0xfu << 27;
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){word, 0, 0, 0}, (float[4]){0});
	scene_rect(s, 0, 0, W / 2, H, 0.5f, src_color);
	scene_run(s);
	return s;
}

/* Quantized value v of channel c is within half a step (plus rounding slack) of the exact x. */
static bool near(const struct packed_layout *l, uint32_t v, unsigned c, double x)
{
	uint32_t max = (1u << l->bits[c]) - 1;
	double q = (double)(v >> l->shift[c] & max);
	x = x < 0 ? 0 : x > 1 ? 1 : x;
	return fabs(q - x * max) <= 0.5 + 1e-4;
}

static void test_gl_order_targets_blend(void)
{
	unsigned bad = 0;
	for (int i = 0; i < 2; i++) {
		const struct packed_layout *l = &layouts[i];
		struct scene *s = render_blend(2, l->format);
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++) {
				const uint8_t *p = scene_pixel(s, 0, x, y);
				uint32_t v = p[0] | p[1] << 8;
				for (unsigned c = 0; c < 4; c++) {
					/* the destination as stored by CLEAR: clear colour quantized (9.2) */
					uint32_t max = (1u << l->bits[c]) - 1;
					double dst = nearbyint(clear_color[c] * max) / max;
					double a = src_color[3];
					double expect = x < W / 2 ? src_color[c] * a + dst * (1 - a) : dst;
					if (!near(l, v, c, expect) && bad++ < 5)
						fprintf(stderr,
						        "# format %u pixel %u,%u channel %u: 0x%04x\n",
						        l->format, x, y, c, v);
				}
			}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* BLIT converts through float RGBA (9.2): between two formats of the same channel widths every pixel
 * value maps exactly, channel for channel. A 256x256 surface holds every 16-bit value once. */
static void test_blit_between_orders(void)
{
	unsigned bad = 0;
	for (int i = 0; i < 2; i++) {
		const struct packed_layout *gl = &layouts[i], *old = &layouts[i + 2];
		struct scene *s = scene_create(1, 1, 1);
		uint16_t values[256 * 256];
		for (uint32_t v = 0; v < 0x10000; v++)
			values[v] = (uint16_t)v;
		uint64_t src = scene_alloc(s, sizeof(values), values),
		         dst = scene_alloc(s, sizeof(values), NULL);
		uint64_t back = scene_alloc(s, sizeof(values), NULL);
		struct vgpu_pkt_surface a = {src, 512, old->format}, b = {dst, 512, gl->format},
		                        c = {back, 512, old->format};
		vgpu_pkt_blit(&s->cb, &a, 0, 0, 256, 256, &b, 0, 0, 256, 256);
		vgpu_pkt_blit(&s->cb, &b, 0, 0, 256, 256, &c, 0, 0, 256, 256);
		scene_run(s);
		const uint16_t *converted = (const uint16_t *)scene_host(s, dst);
		const uint16_t *returned = (const uint16_t *)scene_host(s, back);
		for (uint32_t v = 0; v < 0x10000; v++) {
			for (unsigned ch = 0; ch < 4; ch++)
				bad += unpacked(gl, converted[v], ch) != unpacked(old, v, ch);
			bad += returned[v] != v;
		}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* The blend above on sRGB targets: CLEAR encodes, blending decodes the destination and works on linear
 * values, the write encodes (spec 9.2). Byte order R, G, B or B, G, R; alpha linear, X all ones. */
static void test_srgb_targets_blend_in_linear(void)
{
	const uint32_t *formats = srgb_reference_formats;
	unsigned bad = 0;
	for (int f = 0; f < 4; f++) {
		bool bgr = srgb_reference_bgr(formats[f]), alpha = srgb_reference_alpha(formats[f]);
		struct scene *s = render_blend(2, formats[f]);
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++) {
				const uint8_t *p = scene_pixel(s, 0, x, y);
				for (unsigned c = 0; c < 4; c++) {
					unsigned byte = c == 3 ? 3 : bgr ? 2 - c : c;
					double stored = c == 3 ? nearbyint(clear_color[3] * 255) / 255
					                       : srgb_reference_decode(
					                                 nearbyint(srgb_reference_encode(
					                                                   clear_color[c]) *
					                                           255) /
					                                 255);
					double dst = alpha || c < 3 ? stored : 1.0;
					double a = src_color[3];
					double linear = x < W / 2 ? src_color[c] * a + dst * (1 - a) : dst;
					double expect = c == 3 ? (alpha ? linear : 1.0) * 255
					                       : srgb_reference_encode(linear) * 255;
					if (fabs(p[byte] - expect) > 0.5 + 1e-4 && bad++ < 5)
						fprintf(stderr,
						        "# format %u pixel %u,%u channel %u: %u, expected "
						        "%.4f\n",
						        formats[f], x, y, c, p[byte], expect);
				}
			}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* BLIT from sRGB to UNORM stores the decoded value, from UNORM to sRGB the encoded one. */
static void test_srgb_blit(void)
{
	struct scene *s = scene_create(1, 1, 1);
	uint8_t codes[256 * 4];
	for (int i = 0; i < 256 * 4; i++)
		codes[i] = (uint8_t)(i / 4);
	uint64_t src = scene_alloc(s, sizeof(codes), codes), linear = scene_alloc(s, sizeof(codes), NULL);
	uint64_t encoded = scene_alloc(s, sizeof(codes), NULL);
	struct vgpu_pkt_surface a = {src, 1024, VGPU_FORMAT_R8G8B8A8_SRGB},
	                        b = {linear, 1024, VGPU_FORMAT_R8G8B8A8_UNORM},
	                        c = {encoded, 1024, VGPU_FORMAT_B8G8R8A8_SRGB};
	vgpu_pkt_blit(&s->cb, &a, 0, 0, 256, 1, &b, 0, 0, 256, 1);
	vgpu_pkt_blit(&s->cb, &a, 0, 0, 256, 1, &c, 0, 0, 256, 1);
	scene_run(s);
	const uint8_t *l = scene_host(s, linear), *e = scene_host(s, encoded);
	unsigned bad = 0;
	for (int i = 0; i < 256; i++) {
		double expect = srgb_reference_decode(i / 255.0) * 255;
		bad += fabs(l[4 * i] - expect) > 0.5 + 1e-4 || l[4 * i + 3] != i;
		bad += e[4 * i] != i || e[4 * i + 1] != i || e[4 * i + 2] != i ||
		       e[4 * i + 3] != i; /* round trip */
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	unsigned differ = 0;
	const uint32_t formats[3] = {VGPU_FORMAT_A4B4G4R4_UNORM, VGPU_FORMAT_A1B5G5R5_UNORM,
	                             VGPU_FORMAT_B8G8R8A8_SRGB};
	for (int i = 0; i < 3; i++) {
		struct scene *one = render_blend(1, formats[i]), *three = render_blend(3, formats[i]);
		differ += memcmp(scene_pixel(one, 0, 0, 0), scene_pixel(three, 0, 0, 0),
		                 (size_t)W * H * scene_bytes_per_pixel(formats[i])) != 0;
		scene_destroy(one);
		scene_destroy(three);
	}
	VT_CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_gl_order_targets_blend),       VT_CASE(test_blit_between_orders),
	        VT_CASE(test_srgb_targets_blend_in_linear), VT_CASE(test_srgb_blit),
	        VT_CASE(test_thread_counts_agree),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
