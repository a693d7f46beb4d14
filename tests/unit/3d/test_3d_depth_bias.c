/* SPDX-License-Identifier: MIT */
/* Depth bias (spec 10.5.1, version 1.1): slope and units in every depth format, slopes along x and along y,
 * negative factors, the clamp both ways, the [0, 1] clamp after the bias, Z32_FLOAT's exponent-dependent
 * units, points and lines unbiased, bad fields, and 1 vs 3 render threads. The expected depth is computed
 * here from the plane of the vertices and the spec's formula, quantized the way table 9.1 stores it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

#define GL    VGPU_RASTER_HALF_PIXEL_CENTER
#define W     64
#define H     16
#define DEPTH (VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_ALWAYS << 4)

static const uint32_t formats[3] = {VGPU_FORMAT_Z16_UNORM, VGPU_FORMAT_Z24_UNORM_S8_UINT,
                                    VGPU_FORMAT_Z32_FLOAT};

static double stored_depth(struct scene *s, uint32_t format, uint32_t x, uint32_t y)
{
	uint32_t raw = scene_pixel32(s, 4, x, y);
	float f;
	switch (format) {
	case VGPU_FORMAT_Z16_UNORM:
		return (raw & 0xffff) / 65535.0;
	case VGPU_FORMAT_Z24_UNORM_S8_UINT:
		return (raw & 0xffffff) / 16777215.0;
	default:
		memcpy(&f, &raw, 4);
		return f;
	}
}

/* One unit of the stored value: the comparison tolerance for interpolated depths. */
static double step(uint32_t format)
{
	return format == VGPU_FORMAT_Z16_UNORM           ? 1 / 65535.0
	       : format == VGPU_FORMAT_Z24_UNORM_S8_UINT ? 1 / 16777215.0
	                                                 : 1e-6;
}

static struct scene *bias_scene(unsigned threads, uint32_t format)
{
	struct scene *s = scene_create(threads, W, H);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, format);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_clear(&s->cb, 0x11, (float[4]){0, 0, 0, 0}, 0.0f, 0);
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){DEPTH});
	return s;
}

/* The whole target as two triangles of the plane z = z0 + a x + b y (window units). */
static void plane_rect(struct scene *s, double z0, double a, double b)
{
	const float corner[6][2] = {{0, 0}, {W, 0}, {0, H}, {W, 0}, {W, H}, {0, H}};
	float data[6 * 8];
	for (int k = 0; k < 6; k++) {
		float v[8] = {corner[k][0],
		              corner[k][1],
		              (float)(z0 + a * corner[k][0] + b * corner[k][1]),
		              1,
		              1,
		              1,
		              1,
		              1};
		memcpy(data + 8 * k, v, sizeof(v));
	}
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 6);
}

struct slope_case {
	double z0, a, b;            /* the plane */
	float units, factor, clamp; /* SET_DEPTH_BIAS */
};

/* Slopes chosen as powers of two so the plane is exact at the vertices; offsets thousands of steps wide. */
static const struct slope_case slope_cases[] = {
        {0.25, 1.0 / 128, 0, 0, 32, 0},        /* slope along x: o = 32 / 128 = 0.25 */
        {0.25, 1.0 / 256, 1.0 / 64, 0, 16, 0}, /* along y dominates: o = 16 / 64 = 0.25 */
        {0.5, -1.0 / 128, 0, 0, 16, 0},        /* a falling plane: m = |dz/dx| */
        {0.75, 1.0 / 256, 0, 0, -64, 0},       /* negative factor: o = -0.25 */
        {0.25, 1.0 / 128, 0, 0, 32, 0.0625f},  /* positive clamp: o = min(0.25, 0.0625) */
        {0.75, 1.0 / 256, 0, 0, -64, -0.125f}, /* negative clamp: o = max(-0.25, -0.125) */
        {0.5, 1.0 / 128, 0, 0, 64, 0},         /* past 1: clamped to [0, 1] after the bias */
        {0.25, 1.0 / 128, 0, 3000, 32, 0.0f},  /* units and slope together */
        {0.25, 1.0 / 128, 0, 0, 0, 0},         /* no bias at all: 1.0 behaviour */
};

static double resolvable(uint32_t format, double largest)
{
	if (format == VGPU_FORMAT_Z16_UNORM)
		return 1 / 65535.0;
	if (format == VGPU_FORMAT_Z24_UNORM_S8_UINT)
		return 1 / 16777215.0;
	int e;
	frexp(largest, &e); /* largest = f * 2^e, 0.5 <= f < 1: the binary exponent is e - 1 */
	return ldexp(1.0, e - 1 - 23);
}

static void test_slope_units_and_clamp(void)
{
	unsigned bad = 0;
	for (int f = 0; f < 3; f++)
		for (size_t i = 0; i < sizeof(slope_cases) / sizeof(slope_cases[0]); i++) {
			const struct slope_case *c = &slope_cases[i];
			struct scene *s = bias_scene(2, formats[f]);
			vgpu_pkt_set_depth_bias(&s->cb, c->units, c->factor, c->clamp);
			plane_rect(s, c->z0, c->a, c->b);
			scene_run(s);
			double m = fmax(fabs(c->a), fabs(c->b));
			/* both triangles reach the largest |z| of the plane at some corner */
			double corners[4] = {c->z0, c->z0 + c->a * W, c->z0 + c->b * H,
			                     c->z0 + c->a * W + c->b * H};
			double largest = 0;
			for (int k = 0; k < 4; k++)
				largest = fmax(largest, fabs(corners[k]));
			double o = (float)(m * c->factor + resolvable(formats[f], largest) * c->units);
			if (c->clamp > 0)
				o = fmin(o, c->clamp);
			else if (c->clamp < 0)
				o = fmax(o, c->clamp);
			for (uint32_t y = 0; y < H; y++)
				for (uint32_t x = 0; x < W; x++) {
					double z = c->z0 + c->a * (x + 0.5) + c->b * (y + 0.5) + o;
					z = z < 0 ? 0 : z > 1 ? 1 : z;
					double got = stored_depth(s, formats[f], x, y);
					if (fabs(got - z) > step(formats[f]) * 1.01) {
						if (bad++ < 5)
							fprintf(stderr,
							        "# format %u case %zu pixel %u,%u: %.9g, "
							        "expected %.9g\n",
							        formats[f], i, x, y, got, z);
					}
				}
			scene_destroy(s);
		}
	VT_CHECK_EQ_INT(bad, 0);
}

/* A flat triangle (m = 0): units alone, exactly. UNORM: `units` steps of the stored integer. Z32_FLOAT: units
 * times 2^(e - 23), e the exponent of the depth (0.25: e = -2; 0.75: e = -1). */
static void test_units_exactly(void)
{
	const struct {
		uint32_t format;
		double z;
		float units;
		uint32_t expect; /* stored bits */
	} cases[] = {
	        {VGPU_FORMAT_Z16_UNORM, 0.25, 1, 16384 + 1}, /* 0.25 * 65535 = 16383.75 -> 16384 */
	        {VGPU_FORMAT_Z16_UNORM, 0.25, -3, 16384 - 3},
	        {VGPU_FORMAT_Z24_UNORM_S8_UINT, 0.25, 2, 4194304 + 2}, /* 0.25 * (2^24 - 1) -> 4194304 */
	        {VGPU_FORMAT_Z24_UNORM_S8_UINT, 0.25, -1, 4194304 - 1},
	        {VGPU_FORMAT_Z32_FLOAT, 0.25, 4, 0x3e800000u + 4 * 1}, /* 0.25 + 4 * 2^-25: 4 ulps of 0.25 */
	        {VGPU_FORMAT_Z32_FLOAT, 0.75, 4, 0x3f400000u + 4 * 1}, /* 0.75 + 4 * 2^-24: 4 ulps of 0.75 */
	        {VGPU_FORMAT_Z32_FLOAT, 0.75, -2, 0x3f400000u - 2},
	};
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene *s = bias_scene(1, cases[i].format);
		vgpu_pkt_set_depth_bias(&s->cb, cases[i].units, 1000.0f, 0);
		plane_rect(s, cases[i].z, 0, 0);
		scene_run(s);
		uint32_t mask = cases[i].format == VGPU_FORMAT_Z16_UNORM           ? 0xffff
		                : cases[i].format == VGPU_FORMAT_Z24_UNORM_S8_UINT ? 0xffffff
		                                                                   : ~0u;
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++)
				bad += (scene_pixel32(s, 4, x, y) & mask) != cases[i].expect;
		if (bad)
			fprintf(stderr, "# case %zu: 0x%x, expected 0x%x\n", i,
			        scene_pixel32(s, 4, 0, 0) & mask, cases[i].expect);
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* Points and lines are not biased; a depth bias without a depth buffer is harmless. */
static void test_points_and_lines_unbiased(void)
{
	struct scene *s = bias_scene(1, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	vgpu_pkt_set_depth_bias(&s->cb, 100000, 100, 0);
	float point[8] = {4.5f, 4.5f, 0.25f, 1, 1, 1, 1, 1};
	scene_draw(s, VGPU_TOPOLOGY_POINTS, point, 1);
	float line[16] = {10, 8.5f, 0.25f, 1, 1, 1, 1, 1, 30, 8.5f, 0.25f, 1, 1, 1, 1, 1};
	scene_draw(s, VGPU_TOPOLOGY_LINES, line, 2);
	scene_run(s);
	VT_CHECK_EQ_U64(scene_pixel32(s, 4, 4, 4) & 0xffffff, 4194304);
	VT_CHECK_EQ_U64(scene_pixel32(s, 4, 20, 8) & 0xffffff, 4194304);
	scene_destroy(s);

	s = scene_create(1, W, H);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_set_depth_bias(&s->cb, 5, 5, 0);
	plane_rect(s, 0.5, 1.0 / 128, 0);
	scene_run(s);
	VT_CHECK_EQ_U64(scene_pixel32(s, 0, 3, 3), 0xffffffffu);
	scene_destroy(s);
}

static void test_bad_fields_fault(void)
{
	struct scene *s = scene_create(1, 4, 4);
	for (unsigned field = 0; field < 3; field++) {
		float v[3] = {0, 0, 0};
		v[field] = field == 1 ? INFINITY : NAN;
		vgpu_pkt_set_depth_bias(&s->cb, v[0], v[1], v[2]);
		VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_FIELD), field);
	}
	vgpu_pkt_raw(&s->cb, VGPU_PKT_HEADER(VGPU_PKT_SET_DEPTH_BIAS, 2), (uint32_t[2]){0, 0}, 2);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_LENGTH),
	                VGPU_PKT_HEADER(VGPU_PKT_SET_DEPTH_BIAS, 2));
	vgpu_pkt_set_depth_bias(&s->cb, -1e30f, 1e30f, -0.0f);
	scene_run(s);
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	unsigned differ = 0;
	for (int f = 0; f < 3; f++) {
		struct scene *one = bias_scene(1, formats[f]), *three = bias_scene(3, formats[f]);
		struct scene *both[2] = {one, three};
		for (int k = 0; k < 2; k++) {
			vgpu_pkt_set_depth_bias(&both[k]->cb, 7, -3.5f, 0);
			float tri[24] = {1, 1, 0.3f, 1, 1, 1,  1,    1, 63, 4, 0.9f, 1,
			                 1, 1, 1,    1, 9, 15, 0.6f, 1, 1,  1, 1,    1};
			scene_draw(both[k], VGPU_TOPOLOGY_TRIANGLES, tri, 3);
			scene_run(both[k]);
		}
		differ += memcmp(scene_pixel(one, 4, 0, 0), scene_pixel(three, 4, 0, 0), (size_t)W * H * 4) !=
		          0;
		scene_destroy(one);
		scene_destroy(three);
	}
	VT_CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_slope_units_and_clamp),     VT_CASE(test_units_exactly),
	        VT_CASE(test_points_and_lines_unbiased), VT_CASE(test_bad_fields_fault),
	        VT_CASE(test_thread_counts_agree),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
