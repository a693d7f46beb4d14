/* SPDX-License-Identifier: MIT */
/* Texture swizzle (spec 10.7, version 1.1): every selector on every result channel, for every family of
 * texture formats (8-bit RGBA on the whole-warp path and the general one, packed 16-bit, R8, R8G8, half and
 * single floats, depth sampled plainly and compared), the GL presets, the fields that fault, and images that
 * are the same with 1 and 3 render threads. Expected values: the texel decoded here from table 9.1, then the
 * selector's rule applied here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

/* One 1x1 texel per format, and its RGBA decoded by hand from table 9.1 (missing channels 0, 0, 1). */
struct texel_case {
	uint32_t format, sampler_flags;
	uint8_t bytes[16];
	double rgba[4];
	const char *fs;
};

static const struct texel_case cases[] = {
        /* R8G8B8A8 nearest without mipmaps: the whole-warp path */
        {VGPU_FORMAT_R8G8B8A8_UNORM, 0, {51, 102, 204, 255}, {0.2, 0.4, 0.8, 1.0}, scene_fs_tex2d},
        /* B8G8R8A8 with a mip filter: the lane-by-lane path */
        {VGPU_FORMAT_B8G8R8A8_UNORM, 1u << 8, {204, 102, 51, 0}, {0.2, 0.4, 0.8, 0.0}, scene_fs_tex2d},
        /* B4G4R4A4 0x3c96: B 6, G 9, R 12, A 3 */
        {VGPU_FORMAT_B4G4R4A4_UNORM,
         0,
         {0x96, 0x3c},
         {12 / 15.0, 9 / 15.0, 6 / 15.0, 3 / 15.0},
         scene_fs_tex2d},
        {VGPU_FORMAT_R8_UNORM, 0, {153}, {0.6, 0, 0, 1}, scene_fs_tex2d},
        {VGPU_FORMAT_R8G8_UNORM, 0, {51, 255}, {0.2, 1.0, 0, 1}, scene_fs_tex2d},
        /* halves 0.25, -2, 0.75, 0.5 */
        {VGPU_FORMAT_R16G16B16A16_FLOAT,
         0,
         {0x00, 0x34, 0x00, 0xc0, 0x00, 0x3a, 0x00, 0x38},
         {0.25, -2, 0.75, 0.5},
         scene_fs_tex2d},
        /* floats 0.125, 3, -1, 0.0625 */
        {VGPU_FORMAT_R32G32B32A32_FLOAT,
         0,
         {0, 0, 0, 0x3e, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0xbf, 0, 0, 0x80, 0x3d},
         {0.125, 3, -1, 0.0625},
         scene_fs_tex2d},
        /* Z16 0x4000 sampled plainly: (d, 0, 0, 1) */
        {VGPU_FORMAT_Z16_UNORM, 0, {0x00, 0x40}, {16384 / 65535.0, 0, 0, 1}, scene_fs_tex2d},
        /* Z32F 0.25 compared LEQUAL with 0.5 (fails: 0.5 > 0.25): (0, 0, 0, 1) */
        {VGPU_FORMAT_Z32_FLOAT,
         VGPU_SAMPLER_COMPARE | VGPU_COMPARE_LEQUAL << 11,
         {0, 0, 0x80, 0x3e},
         {0, 0, 0, 1},
         scene_fs_shadow},
        /* Z32F 0.75 compared LEQUAL with 0.5 (passes): (1, 1, 1, 1) */
        {VGPU_FORMAT_Z32_FLOAT,
         VGPU_SAMPLER_COMPARE | VGPU_COMPARE_LEQUAL << 11,
         {0, 0, 0x40, 0x3f},
         {1, 1, 1, 1},
         scene_fs_shadow},
};

#define SELECTORS 7 /* identity, R, G, B, A, 0, 1 */

static double selected(const double rgba[4], unsigned channel, unsigned selector)
{
	switch (selector) {
	case VGPU_SWIZZLE_IDENTITY:
		return rgba[channel];
	case VGPU_SWIZZLE_0:
		return 0.0;
	case VGPU_SWIZZLE_1:
		return 1.0;
	default:
		return rgba[selector - VGPU_SWIZZLE_R];
	}
}

/* Pixel (c * SELECTORS + sel, 0) samples with selector sel on channel c and identity elsewhere. A 1x1 texture
 * samples its texel everywhere. */
static struct scene *render_case(const struct texel_case *tc, unsigned threads)
{
	struct scene *s = scene_create(threads, 4 * SELECTORS, 1);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, tc->fs);
	uint64_t va = scene_alloc(s, 16, tc->bytes);
	vgpu_pkt_set_sampler(&s->cb, 0, tc->sampler_flags, 0, 0, 0);
	for (unsigned c = 0; c < 4; c++)
		for (unsigned sel = 0; sel < SELECTORS; sel++) {
			uint32_t swizzle = sel << (3 * c);
			vgpu_pkt_set_texture_swizzled(&s->cb, 0, va, tc->format, 1, 1, 1, VGPU_TEXTURE_2D,
			                              swizzle);
			float x = (float)(c * SELECTORS + sel);
			scene_rect(s, x, 0, x + 1, 1, 0.5f, (const float[4]){0.5f, 0.5f, 0, 0});
		}
	scene_run(s);
	return s;
}

static void test_every_selector_on_every_family(void)
{
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene *s = render_case(&cases[i], 2);
		for (unsigned c = 0; c < 4; c++)
			for (unsigned sel = 0; sel < SELECTORS; sel++) {
				float got[4];
				memcpy(got, scene_pixel(s, 0, c * SELECTORS + sel, 0), 16);
				for (unsigned k = 0; k < 4; k++) {
					double expect = selected(cases[i].rgba, k, k == c ? sel : 0);
					/* the constants are exact; sampled values within float rounding */
					double tolerance = k == c && sel >= VGPU_SWIZZLE_0 ? 0.0 : 1e-6;
					if (fabs(got[k] - expect) > tolerance) {
						bad++;
						fprintf(stderr,
						        "# case %zu channel %u selector %u: [%u] %g, "
						        "expected %g\n",
						        i, c, sel, k, got[k], expect);
					}
				}
			}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* GL's presets from the spec's text: LUMINANCE, ALPHA, LUMINANCE_ALPHA and the depth texture (d, d, d, 1). */
static void test_gl_presets(void)
{
	const struct {
		uint32_t format, swizzle;
		uint8_t bytes[4];
		float expect[4];
	} presets[] = {
	        {VGPU_FORMAT_R8_UNORM, VGPU_SWIZZLE(1, 1, 1, 6), {51}, {0.2f, 0.2f, 0.2f, 1}},
	        {VGPU_FORMAT_R8_UNORM, VGPU_SWIZZLE(5, 5, 5, 1), {51}, {0, 0, 0, 0.2f}},
	        {VGPU_FORMAT_R8G8_UNORM, VGPU_SWIZZLE(1, 1, 1, 2), {51, 102}, {0.2f, 0.2f, 0.2f, 0.4f}},
	        {VGPU_FORMAT_Z16_UNORM, VGPU_SWIZZLE(1, 1, 1, 0), {0xff, 0xff}, {1, 1, 1, 1}},
	};
	struct scene *s = scene_create(1, 4, 1);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_tex2d);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t va = scene_alloc(s, 4, presets[i].bytes);
		vgpu_pkt_set_texture_swizzled(&s->cb, 0, va, presets[i].format, 1, 1, 1, VGPU_TEXTURE_2D,
		                              presets[i].swizzle);
		scene_rect(s, (float)i, 0, (float)i + 1, 1, 0.5f, (const float[4]){0.5f, 0.5f, 0, 0});
	}
	scene_run(s);
	unsigned bad = 0;
	for (unsigned i = 0; i < 4; i++) {
		float got[4];
		memcpy(got, scene_pixel(s, 0, i, 0), 16);
		for (unsigned k = 0; k < 4; k++)
			bad += fabsf(got[k] - presets[i].expect[k]) > 1e-6f;
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* Selector 7 in any channel and the reserved bits 31:28 fault with field 5 and leave the slot as it was. */
static void test_bad_swizzle_faults(void)
{
	struct scene *s = scene_create(1, 1, 1);
	uint64_t va = scene_alloc(s, 4, NULL);
	for (unsigned c = 0; c < 4; c++) {
		vgpu_pkt_set_texture_swizzled(&s->cb, 0, va, VGPU_FORMAT_R8_UNORM, 1, 1, 1, VGPU_TEXTURE_2D,
		                              7u << (3 * c));
		VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_FIELD), 5);
	}
	uint32_t payload[6] = {
	        0, (uint32_t)va, (uint32_t)(va >> 32), VGPU_FORMAT_R8_UNORM, VGPU_XY(1, 1), 1u | 1u << 28};
	vgpu_pkt_raw(&s->cb, VGPU_PKT_HEADER(VGPU_PKT_SET_TEXTURE, 6), payload, 6);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_FIELD), 5);
	/* every valid selector is accepted */
	vgpu_pkt_set_texture_swizzled(&s->cb, 0, va, VGPU_FORMAT_R8_UNORM, 1, 1, 1, VGPU_TEXTURE_2D,
	                              VGPU_SWIZZLE(6, 5, 4, 3));
	scene_run(s);
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	unsigned differ = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene *one = render_case(&cases[i], 1), *three = render_case(&cases[i], 3);
		differ += memcmp(scene_pixel(one, 0, 0, 0), scene_pixel(three, 0, 0, 0),
		                 4 * SELECTORS * 16) != 0;
		scene_destroy(one);
		scene_destroy(three);
	}
	VT_CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_every_selector_on_every_family),
	        VT_CASE(test_gl_presets),
	        VT_CASE(test_bad_swizzle_faults),
	        VT_CASE(test_thread_counts_agree),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
