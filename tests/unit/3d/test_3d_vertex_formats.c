/* SPDX-License-Identifier: MIT */
/* Scaled vertex formats and 16.16 fixed point (spec 9.3, version 1.1): every integer type converted to
 * float at its extremes (-128, 255, -32768, 65535, INT32_MIN, UINT32_MAX, and the values above 2^24 that
 * round to even), FIXED32 at its extremes and finest step, the missing w as 1.0, the formats that fault, and
 * 1 vs 3 render threads. The expected floats are written out here as literals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

/* a0 = position, a1 = the attribute under test, passed flat to colour target 0 (floats) */
static const char vs_attrib[] = ".stage vertex\n"
                                "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
                                "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
                                "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
                                "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
                                "end\n";

static const char fs_flat[] =
        ".stage fragment\n"
        "ld.var.flat r0, v0.x\nld.var.flat r1, v0.y\n"
        "ld.var.flat r2, v0.z\nld.var.flat r3, v0.w\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, r2\nst.out color0.w, r3\n"
        "end\n";

struct vertex_case {
	uint32_t format;   /* VGPU_VFMT(...) | flags */
	uint8_t bytes[16]; /* the attribute's data, little-endian */
	float expect[4];
};

static const struct vertex_case cases[] = {
        {VGPU_VFMT(VGPU_VTYPE_SINT8, 4) | VGPU_VFMT_SCALED, {0x80, 0x7f, 0x00, 0xff}, {-128, 127, 0, -1}},
        {VGPU_VFMT(VGPU_VTYPE_UINT8, 3) | VGPU_VFMT_SCALED, {0xff, 0x00, 0x07}, {255, 0, 7, 1}},
        {VGPU_VFMT(VGPU_VTYPE_SINT16, 2) | VGPU_VFMT_SCALED, {0x00, 0x80, 0xff, 0x7f}, {-32768, 32767, 0, 1}},
        {VGPU_VFMT(VGPU_VTYPE_UINT16, 4) | VGPU_VFMT_SCALED,
         {0xff, 0xff, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00},
         {65535, 0, 32768, 1}},
        /* INT32_MIN, INT32_MAX (-> 2^31), 2^24 + 1 (-> 2^24, even), -(2^24 + 3) (-> -(2^24 + 4), even) */
        {VGPU_VFMT(VGPU_VTYPE_SINT32, 4) | VGPU_VFMT_SCALED,
         {0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0x01, 0xfd, 0xff, 0xff, 0xfe},
         {-2147483648.0f, 2147483648.0f, 16777216.0f, -16777220.0f}},
        /* UINT32_MAX (-> 2^32), 2^24 + 3 (-> 2^24 + 4), 1 */
        {VGPU_VFMT(VGPU_VTYPE_UINT32, 3) | VGPU_VFMT_SCALED,
         {0xff, 0xff, 0xff, 0xff, 0x03, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00},
         {4294967296.0f, 16777220.0f, 1, 1}},
        /* 1.5, -1.0, the finest step 2^-16, -2^-16 */
        {VGPU_VFMT(VGPU_VTYPE_FIXED32, 4),
         {0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff},
         {1.5f, -1.0f, 1.0f / 65536, -1.0f / 65536}},
        /* the extremes: 0x7fffffff (-> 2^31 / 2^16 = 32768), INT32_MIN -> -32768; w missing */
        {VGPU_VFMT(VGPU_VTYPE_FIXED32, 2),
         {0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x80},
         {32768, -32768, 0, 1}},
        /* without SCALED an integer stays an integer (1.0 behaviour): 200 and the integer w 1 as bits */
        {VGPU_VFMT(VGPU_VTYPE_UINT8, 1), {200}, {0, 0, 0, 0}},
};

#define CASES (sizeof(cases) / sizeof(cases[0]))

/* One point per case at pixel (i, 0). */
static struct scene *render(unsigned threads)
{
	struct scene *s = scene_create(threads, CASES, 1);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, vs_attrib);
	scene_shader(s, fs_flat);
	for (unsigned i = 0; i < CASES; i++) {
		float pos[4] = {(float)i + 0.5f, 0.5f, 0.5f, 1};
		uint64_t pos_va = scene_alloc(s, sizeof(pos), pos);
		uint64_t data_va = scene_alloc(s, 16, cases[i].bytes);
		vgpu_pkt_set_vertex_buffer(&s->cb, 0, pos_va, sizeof(pos), 16);
		vgpu_pkt_set_vertex_buffer(&s->cb, 1, data_va, 16, 16);
		vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 1, 0, cases[i].format);
		vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_POINTS, 0, 1, 1);
	}
	scene_run(s);
	return s;
}

static void test_scaled_and_fixed_extremes(void)
{
	struct scene *s = render(2);
	unsigned bad = 0;
	for (unsigned i = 0; i + 1 < CASES; i++) {
		float got[4];
		memcpy(got, scene_pixel(s, 0, i, 0), 16);
		for (unsigned c = 0; c < 4; c++)
			if (got[c] != cases[i].expect[c]) {
				bad++;
				fprintf(stderr, "# case %u component %u: %.9g, expected %.9g\n", i, c, got[c],
				        cases[i].expect[c]);
			}
	}
	uint32_t raw[4];
	memcpy(raw, scene_pixel(s, 0, CASES - 1, 0), 16);
	VT_CHECK(raw[0] == 200 && raw[1] == 0 && raw[2] == 0 && raw[3] == 1);
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* SCALED on a non-integer type and unknown types or bits fault with field 3; a disabled attribute's SCALED
 * is ignored like its type. */
static void test_bad_formats_fault(void)
{
	const uint32_t bad_formats[] = {
	        VGPU_VFMT(VGPU_VTYPE_FLOAT32, 1) | VGPU_VFMT_SCALED,
	        VGPU_VFMT(VGPU_VTYPE_UNORM8, 4) | VGPU_VFMT_SCALED,
	        VGPU_VFMT(VGPU_VTYPE_SNORM16, 2) | VGPU_VFMT_SCALED,
	        VGPU_VFMT(VGPU_VTYPE_FLOAT16, 2) | VGPU_VFMT_SCALED,
	        VGPU_VFMT(VGPU_VTYPE_FIXED32, 2) | VGPU_VFMT_SCALED,
	        VGPU_VFMT(13, 1),
	        VGPU_VFMT(VGPU_VTYPE_SINT8, 1) | 1u << 10,
	        VGPU_VFMT(VGPU_VTYPE_SINT8, 1) | 1u << 6,
	};
	struct scene *s = scene_create(1, 1, 1);
	for (size_t i = 0; i < sizeof(bad_formats) / sizeof(bad_formats[0]); i++) {
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 0, bad_formats[i]);
		VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_FIELD), 3);
	}
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 0, VGPU_VTYPE_FLOAT32 | VGPU_VFMT_SCALED);
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 0, VGPU_VFMT(VGPU_VTYPE_SINT32, 4) | VGPU_VFMT_SCALED);
	scene_run(s);
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	struct scene *one = render(1), *three = render(3);
	VT_CHECK(memcmp(scene_pixel(one, 0, 0, 0), scene_pixel(three, 0, 0, 0), CASES * 16) == 0);
	scene_destroy(one);
	scene_destroy(three);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_scaled_and_fixed_extremes),
	        VT_CASE(test_bad_formats_fault),
	        VT_CASE(test_thread_counts_agree),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
