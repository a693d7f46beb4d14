/* SPDX-License-Identifier: MIT */
/* Vertex fetch, primitive assembly, clipping, culling, scissor and draw-time validation: each topology,
 * indexed draws with every index size, base vertex and primitive restart, every vertex format, uniform
 * buffers, near-plane and w = 0 clipping against an independent homogeneous-coverage test, the guard band,
 * and the faults bad state must raise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

static const float white[4] = {1, 1, 1, 1};

static struct scene *basic_scene(uint32_t w, uint32_t h, uint32_t raster)
{
	struct scene *s = scene_create(2, w, h);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_framebuffer(s, raster);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_clear(&s->cb, 1, (float[4]){0, 0, 0, 0}, 1.0f, 0);
	return s;
}

static void put(float *data, int k, float x, float y, float z, float w)
{
	float v[8] = {x, y, z, w, 1, 1, 1, 1};
	memcpy(data + 8 * k, v, sizeof(v));
}

static bool lit(struct scene *s, int x, int y)
{
	return scene_pixel32(s, 0, (uint32_t)x, (uint32_t)y) != 0;
}

static unsigned count_lit(struct scene *s)
{
	unsigned n = 0;
	for (uint32_t y = 0; y < s->height; y++)
		for (uint32_t x = 0; x < s->width; x++)
			n += lit(s, (int)x, (int)y);
	return n;
}

static void test_points(void)
{
	struct scene *s = basic_scene(32, 32, GL);
	float data[16];
	put(data, 0, 4.5f, 6.5f, 0.5f, 1);   /* one pixel */
	put(data, 1, 20.5f, 20.5f, 0.5f, 1); /* a 3x3 square */
	scene_draw(s, VGPU_TOPOLOGY_POINTS, data, 1);
	vgpu_pkt_set_raster(&s->cb, GL, 3.0f, 1.0f);
	scene_draw(s, VGPU_TOPOLOGY_POINTS, data + 8, 1);
	scene_run(s);
	unsigned bad = 0;
	for (int y = 0; y < 32; y++)
		for (int x = 0; x < 32; x++) {
			bool expect = (x == 4 && y == 6) || (x >= 19 && x <= 21 && y >= 19 && y <= 21);
			bad += lit(s, x, y) != expect;
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* Lines, strips and loops along pixel-centre rows and columns: each covers the pixels from its first end
 * up to (not including) its last, one pixel wide; a loop closes back to its start. */
static void test_lines(void)
{
	struct scene *s = basic_scene(32, 32, GL);
	float data[5 * 8];
	put(data, 0, 2, 5.5f, 0.5f, 1), put(data, 1, 12, 5.5f, 0.5f, 1);
	scene_draw(s, VGPU_TOPOLOGY_LINES, data, 2);
	put(data, 0, 20.5f, 2, 0.5f, 1), put(data, 1, 20.5f, 9, 0.5f, 1), put(data, 2, 27, 9.5f, 0.5f, 1);
	scene_draw(s, VGPU_TOPOLOGY_LINE_STRIP, data, 3);
	put(data, 0, 3, 20.5f, 0.5f, 1), put(data, 1, 13, 20.5f, 0.5f, 1), put(data, 2, 13, 28.5f, 0.5f, 1);
	scene_draw(s, VGPU_TOPOLOGY_LINE_LOOP, data, 3);
	scene_run(s);
	unsigned bad = 0;
	for (int x = 0; x < 16; x++)
		if (lit(s, x, 5) != (x >= 2 && x < 12))
			bad++, fprintf(stderr, "# line: %d,5\n", x);
	for (int y = 0; y < 32; y++)
		if (lit(s, 20, y) != ((y >= 2 && y < 9) || y == 9))
			bad++, fprintf(stderr, "# strip: 20,%d\n", y);
	for (int x = 21; x < 32; x++)
		if (lit(s, x, 9) != (x < 27))
			bad++, fprintf(stderr, "# strip: %d,9\n", x);
	for (int x = 3; x < 13; x++)
		if (!lit(s, x, 20))
			bad++, fprintf(stderr, "# loop: %d,20\n", x); /* the loop's first edge */
	if (!lit(s, 8, 24) && !lit(s, 7, 24) && !lit(s, 9, 24))
		bad++, fprintf(stderr, "# loop: closing edge\n");
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* A strip and a fan covering rectangles exactly once (additive blending counts hits), compared with the
 * reference rasterizer's union of their triangles. */
static void test_strips_and_fans(void)
{
	struct scene *s = basic_scene(64, 32, GL);
	uint32_t add = VGPU_BLEND_ENABLE | VGPU_BLEND_ONE << 4 | VGPU_BLEND_ONE << 9 | VGPU_BLEND_ONE << 17 |
	               VGPU_BLEND_ONE << 22 | 0xfu << 27;
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){add}, (float[4]){0});
	float strip[8 * 8], fan[6 * 8];
	for (int k = 0; k < 8; k++) /* zig-zag: top row y = 2, bottom row y = 14, x = 2 + 8 * (k / 2) */
		put(strip, k, 2 + 8.0f * (float)(k / 2) + (k % 2 ? 1.5f : 0), k % 2 ? 14 : 2, 0.5f, 1);
	const float centre[2] = {48, 20}, ring[5][2] = {{36, 12}, {60, 12}, {60, 30}, {36, 30}, {36, 12}};
	put(fan, 0, centre[0], centre[1], 0.5f, 1);
	for (int k = 0; k < 5; k++)
		put(fan, k + 1, ring[k][0], ring[k][1], 0.5f, 1);
	for (int k = 0; k < 8; k++)
		strip[8 * k + 4] = strip[8 * k + 5] = strip[8 * k + 6] = strip[8 * k + 7] = 1.0f / 255.0f;
	for (int k = 0; k < 6; k++)
		fan[8 * k + 4] = fan[8 * k + 5] = fan[8 * k + 6] = fan[8 * k + 7] = 1.0f / 255.0f;
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLE_STRIP, strip, 8);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLE_FAN, fan, 6);
	scene_run(s);
	unsigned bad = 0;
	for (int y = 0; y < 32; y++)
		for (int x = 0; x < 64; x++) {
			unsigned hits = 0;
			for (int t = 0; t + 2 < 8; t++) {
				float v[3][2];
				for (int k = 0; k < 3; k++)
					v[k][0] = strip[8 * (t + k)], v[k][1] = strip[8 * (t + k) + 1];
				hits += ref_triangle_covers(v, x, y);
			}
			for (int t = 0; t < 4; t++) {
				float v[3][2] = {{centre[0], centre[1]},
				                 {ring[t][0], ring[t][1]},
				                 {ring[t + 1][0], ring[t + 1][1]}};
				hits += ref_triangle_covers(v, x, y);
			}
			bad += hits > 1 || *scene_pixel(s, 0, (uint32_t)x, (uint32_t)y) != hits;
		}
	VT_CHECK_EQ_INT(bad, 0);
	VT_CHECK(count_lit(s) > 400);
	scene_destroy(s);
}

/* A fan of 700 vertices (a polygon around a centre) and a strip of 700: both cross the 256-vertex batches
 * the pipeline shades at a time; each pixel is hit as often as the reference's triangles say (at most once).
 */
static void test_long_fan_and_strip(void)
{
	enum { N = 700 };
	static float fan[N * 8], strip[N * 8];
	put(fan, 0, 32, 32, 0.5f, 1);
	for (int k = 1; k < N; k++) {
		double angle = 2 * 3.14159265358979 * (k - 1) / (N - 2);
		put(fan, k, (float)(32 + 30 * cos(angle)), (float)(32 + 30 * sin(angle)), 0.5f, 1);
	}
	for (int k = 0; k < N; k++) /* a zig-zag band 700 steps long, folded into rows of the target */
		put(strip, k, 70 + (float)((k / 2) % 50) * 1.2f + (k % 2 ? 0.6f : 0),
		    (float)(4 + 12 * ((k / 2) / 50)) + (k % 2 ? 9.0f : 0), 0.5f, 1);
	for (int k = 0; k < N; k++)
		for (int c = 4; c < 8; c++)
			fan[8 * k + c] = strip[8 * k + c] = 1.0f / 255.0f;
	struct scene *s = basic_scene(140, 200, GL);
	uint32_t add = VGPU_BLEND_ENABLE | VGPU_BLEND_ONE << 4 | VGPU_BLEND_ONE << 9 | VGPU_BLEND_ONE << 17 |
	               VGPU_BLEND_ONE << 22 | 0xfu << 27;
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){add}, (float[4]){0});
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLE_FAN, fan, N);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLE_STRIP, strip, N);
	scene_run(s);
	unsigned bad = 0;
	for (int y = 0; y < 200; y++)
		for (int x = 0; x < 140; x++) {
			unsigned hits = 0;
			for (int t = 1; t + 1 < N; t++) {
				float v[3][2] = {{fan[0], fan[1]},
				                 {fan[8 * t], fan[8 * t + 1]},
				                 {fan[8 * t + 8], fan[8 * t + 9]}};
				hits += ref_triangle_covers(v, x, y);
			}
			for (int t = 0; t + 2 < N; t++) {
				float v[3][2];
				for (int k = 0; k < 3; k++)
					v[k][0] = strip[8 * (t + k)], v[k][1] = strip[8 * (t + k) + 1];
				hits += ref_triangle_covers(v, x, y);
			}
			bad += *scene_pixel(s, 0, (uint32_t)x, (uint32_t)y) != hits;
		}
	VT_CHECK_EQ_INT(bad, 0);
	VT_CHECK(count_lit(s) > 2500);
	scene_destroy(s);
}

/* The same quad from 8-, 16- and 32-bit indices with a base vertex; a strip with a restart; an index past
 * the buffer is BAD_STATE naming SET_INDEX_BUFFER. */
static void test_indexed_draws(void)
{
	for (uint32_t size = 1; size <= 4; size *= 2) {
		struct scene *s = basic_scene(16, 16, GL);
		float data[7 * 8];
		put(data, 0, 100, 100, 0.5f, 1),
		        put(data, 1, 100, 100, 0.5f, 1); /* skipped by the base vertex */
		put(data, 2, 2, 2, 0.5f, 1), put(data, 3, 14, 2, 0.5f, 1), put(data, 4, 2, 14, 0.5f, 1);
		put(data, 5, 14, 14, 0.5f, 1), put(data, 6, 100, 100, 0.5f, 1);
		uint32_t indices[6] = {0, 1, 2, 1, 3, 2};
		uint8_t raw[24];
		for (int i = 0; i < 6; i++)
			for (uint32_t b = 0; b < size; b++)
				raw[i * size + b] = (uint8_t)(indices[i] >> (8 * b));
		uint64_t ib = scene_alloc(s, 6 * size, raw);
		uint64_t vb = scene_alloc(s, sizeof(data), data);
		vgpu_pkt_set_vertex_buffer(&s->cb, 0, vb, sizeof(data), 32);
		vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		vgpu_pkt_set_index_buffer(&s->cb, ib, 6 * size, size);
		vgpu_pkt_draw_indexed(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 6, 2, 1);
		scene_run(s);
		unsigned bad = 0;
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 16; x++)
				bad += lit(s, x, y) != (x >= 2 && x < 14 && y >= 2 && y < 14);
		VT_CHECK_EQ_INT(bad, 0);
		/* indices 3..8 of 6: the triangle from indices 3..5 is drawn, then the draw ends at index 6
		 */
		vgpu_pkt_clear(&s->cb, 1, (float[4]){0, 0, 0, 0}, 1.0f, 0);
		vgpu_pkt_draw_indexed(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 3, 6, 2, 1);
		VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_INDEX_BUFFER);
		float second[3][2] = {{14, 2}, {14, 14}, {2, 14}};
		bad = 0;
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 16; x++)
				bad += lit(s, x, y) != ref_triangle_covers(second, x, y);
		VT_CHECK_EQ_INT(bad, 0);
		vgpu_pkt_draw_indexed(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 7, 0, 0,
		                      1); /* nothing to draw: fine */
		scene_run(s);
		scene_destroy(s);
	}
	/* strip 0 1 2 | restart | 3 4 5: two separate triangles, none between them */
	struct scene *s = basic_scene(32, 16, GL);
	float data[6 * 8];
	put(data, 0, 1, 1, 0.5f, 1), put(data, 1, 9, 1, 0.5f, 1), put(data, 2, 1, 9, 0.5f, 1);
	put(data, 3, 20, 1, 0.5f, 1), put(data, 4, 28, 1, 0.5f, 1), put(data, 5, 20, 9, 0.5f, 1);
	uint16_t indices[7] = {0, 1, 2, 0xffff, 3, 4, 5};
	uint64_t ib = scene_alloc(s, sizeof(indices), indices), vb = scene_alloc(s, sizeof(data), data);
	vgpu_pkt_set_vertex_buffer(&s->cb, 0, vb, sizeof(data), 32);
	vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_index_buffer(&s->cb, ib, sizeof(indices), 2);
	vgpu_pkt_draw_indexed(&s->cb, VGPU_TOPOLOGY_TRIANGLE_STRIP | VGPU_DRAW_PRIMITIVE_RESTART, 0, 7, 0, 1);
	scene_run(s);
	float a[3][2] = {{1, 1}, {9, 1}, {1, 9}}, b[3][2] = {{20, 1}, {28, 1}, {20, 9}};
	unsigned bad = 0;
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 32; x++)
			bad += lit(s, x, y) != (ref_triangle_covers(a, x, y) || ref_triangle_covers(b, x, y));
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static const char vs_attr_bits[] =
        ".stage vertex\n"
        "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
        "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
        "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
        "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
        "end\n";
static const char fs_flat_bits[] =
        ".stage fragment\n"
        "ld.var.flat r0, v0.x\nld.var.flat r1, v0.y\nld.var.flat r2, v0.z\nld.var.flat r3, v0.w\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, r2\nst.out color0.w, r3\n"
        "end\n";

static uint32_t fbits(double f)
{
	float v = (float)f;
	uint32_t u;
	memcpy(&u, &v, 4);
	return u;
}

/* Every vertex format with three and four components, as the shader sees them (bit patterns carried through
 * flat varyings into a float target): UNORM c / (2^n - 1), SNORM max(c / (2^(n-1) - 1), -1), integers as
 * integers, missing components (0, 0, 0, 1), and a vertex past the buffer (0, 0, 0, 1). */
static void test_vertex_formats(void)
{
	const uint8_t raw[8] = {0x80, 0x3f, 0x01, 0x7b, 0x00, 0x3c, 0x00, 0xc0}; /* finite as halves */
	unsigned bad = 0;
	for (uint32_t type = 0; type <= VGPU_VTYPE_FLOAT16; type++) {
		struct scene *s = scene_create(1, 4, 1);
		scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
		scene_framebuffer(s, GL);
		scene_shader(s, vs_attr_bits);
		scene_shader(s, fs_flat_bits);
		float pos[2][4] = {{0.5f, 0.5f, 0.5f, 1}, {1.5f, 0.5f, 0.5f, 1}};
		uint64_t pvb = scene_alloc(s, sizeof(pos), pos);
		uint8_t attr[16];
		memcpy(attr, raw, 8), memcpy(attr + 8, raw, 8);
		uint64_t avb = scene_alloc(s, sizeof(attr), attr);
		vgpu_pkt_set_vertex_buffer(&s->cb, 0, pvb, sizeof(pos), 16);
		vgpu_pkt_set_vertex_buffer(&s->cb, 1, avb, 8,
		                           0); /* stride 0: every vertex reads the same bytes */
		vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		unsigned size = type == 0 || type == 9 || type == 10 ? 4 : type <= 4 ? 1 : 2;
		unsigned count = 8 / size < 4 ? 8 / size : 4;
		if (count == 4 && 4 * size > 8)
			count = 2;
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 1, 0, VGPU_VFMT(type, count));
		vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_POINTS, 0, 1, 1);
		/* the second point reads past the 8-byte buffer (offset 8): defaults */
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 1, 8, VGPU_VFMT(type, count));
		vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_POINTS, 1, 1, 1);
		scene_run(s);
		bool integer = type == 3 || type == 4 || type == 7 || type == 8 || type == 9 || type == 10;
		uint32_t expect[4] = {0, 0, 0, integer ? 1u : fbits(1.0)};
		for (unsigned c = 0; c < count; c++) {
			const uint8_t *p = raw + c * size;
			uint32_t u = p[0] | (size > 1 ? p[1] << 8 : 0) |
			             (size > 2 ? (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0);
			int32_t i = size == 1 ? (int8_t)u : size == 2 ? (int16_t)u : (int32_t)u;
			switch (type) {
			case 1:
				expect[c] = fbits(u / 255.0);
				break;
			case 2:
				expect[c] = fbits(fmax(i / 127.0, -1.0));
				break;
			case 5:
				expect[c] = fbits(u / 65535.0);
				break;
			case 6:
				expect[c] = fbits(fmax(i / 32767.0, -1.0));
				break;
			case 4:
			case 8:
				expect[c] = (uint32_t)i;
				break;
			case 11: {
				int e = (u >> 10) & 31, m = u & 1023;
				double h = e ? ldexp(1024 + m, e - 25) : ldexp(m, -24);
				expect[c] = fbits(u & 0x8000 ? -h : h);
				break;
			}
			default:
				expect[c] = u;
				break; /* FLOAT32 bits, UINT8/16/32, SINT32 */
			}
		}
		for (unsigned c = 0; c < 4; c++) {
			uint32_t got, past;
			memcpy(&got, scene_pixel(s, 0, 0, 0) + 4 * c, 4);
			memcpy(&past, scene_pixel(s, 0, 1, 0) + 4 * c, 4);
			uint32_t fallback = c == 3 ? (integer ? 1u : fbits(1.0)) : 0;
			if (got != expect[c] || past != fallback) {
				bad++;
				fprintf(stderr,
				        "# type %u component %u: 0x%x (past the buffer 0x%x), expected "
				        "0x%x\n",
				        type, c, got, past, expect[c]);
			}
		}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

static const char vs_ubo_offset[] =
        ".stage vertex\n"
        "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
        "mov r8, 0\nld.ubo r4, ubo3[r8]\nld.ubo r5, ubo3[r8 + 4]\nld.ubo r6, ubo3[r8 + 65532]\n"
        "fadd r0, r0, r4\nfadd r1, r1, r5\nfadd r0, r0, r6\n"
        "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
        "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
        "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
        "end\n";

/* A uniform buffer moves the rectangle by (5, 3); a load past its size reads 0. */
static void test_uniform_buffer(void)
{
	struct scene *s = basic_scene(24, 24, GL);
	scene_shader(s, vs_ubo_offset);
	float offset[2] = {5, 3};
	vgpu_pkt_set_uniform_buffer(&s->cb, 3, scene_alloc(s, 8, offset), 8);
	scene_rect(s, 2, 2, 10, 10, 0.5f, white);
	scene_run(s);
	unsigned bad = 0;
	for (int y = 0; y < 24; y++)
		for (int x = 0; x < 24; x++)
			bad += lit(s, x, y) != (x >= 7 && x < 15 && y >= 5 && y < 13);
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* Coverage of a clip-space triangle at a pixel centre, the homogeneous way (no clipping): the point is
 * inside when the barycentrics b, solving sum b_i (x_i - px w_i) = sum b_i (y_i - py w_i) = 0, share one
 * sign and sum b_i w_i > 0. Returns -1 when the pixel is too close to an edge to call. */
static int homogeneous_covers(const float v[3][4], double px, double py)
{
	double a[3], b[3];
	for (int i = 0; i < 3; i++)
		a[i] = v[i][0] - px * v[i][3], b[i] = v[i][1] - py * v[i][3];
	double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
	double w = c[0] * v[0][3] + c[1] * v[1][3] + c[2] * v[2][3];
	if (w < 0)
		for (int i = 0; i < 3; i++)
			c[i] = -c[i];
	double norm = fabs(c[0]) + fabs(c[1]) + fabs(c[2]);
	for (int i = 0; i < 3; i++)
		if (fabs(c[i]) < 1e-3 * norm)
			return -1;
	return c[0] > 0 && c[1] > 0 && c[2] > 0;
}

/* Triangles with a vertex behind the eye (w < 0) are clipped at w = 0, not dropped; with DEPTH_CLIP a ramp
 * crossing z = -w and z = w keeps only the part in between. */
static void test_clipping(void)
{
	const float tris[3][3][4] = {
	        {{10, 10, 0.5f, 1}, {50, 12, 0.5f, 1}, {20, -30, 0.5f, -1}},
	        {{30, 40, 0.5f, 1}, {-40, 40, 0.5f, -2}, {60, 50, 0.5f, 2}},
	        {{5, 5, 0.5f, 0.5f}, {60, 10, 0.5f, 1}, {30, 60, 0.5f, 4}},
	};
	unsigned bad = 0, covered = 0;
	for (int t = 0; t < 3; t++) {
		struct scene *s = basic_scene(64, 64, GL);
		float data[24];
		for (int k = 0; k < 3; k++)
			put(data, k, tris[t][k][0], tris[t][k][1], tris[t][k][2], tris[t][k][3]);
		scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
		scene_run(s);
		for (int y = 0; y < 64; y++)
			for (int x = 0; x < 64; x++) {
				int expect = homogeneous_covers(tris[t], x + 0.5, y + 0.5);
				if (expect < 0)
					continue;
				bad += lit(s, x, y) != (expect == 1);
				covered += expect == 1;
			}
		scene_destroy(s);
	}
	VT_CHECK(covered > 500);
	VT_CHECK_EQ_INT(bad, 0);

	struct scene *s = basic_scene(64, 4, GL | VGPU_RASTER_DEPTH_CLIP);
	scene_rect_depth_ramp(s, 0, 0, 64, 4, -2.0f, 2.0f, white); /* z = -2 + 4 (x + 0.5) / 64 */
	scene_run(s);
	bad = 0;
	for (int x = 0; x < 64; x++) {
		double z = -2 + 4 * (x + 0.5) / 64;
		bad += lit(s, x, 1) != (fabs(z) <= 1);
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* A triangle with vertices a hundred thousand pixels away covers the whole target (guard band clipping),
 * and culling removes exactly the faces asked for. */
static void test_guard_band_and_culling(void)
{
	struct scene *s = basic_scene(40, 30, GL);
	float data[24];
	put(data, 0, -1e5f, -1e5f, 0.5f, 1), put(data, 1, 1e5f, -1e5f, 0.5f, 1),
	        put(data, 2, 0, 1e5f, 0.5f, 1);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	scene_run(s);
	VT_CHECK_EQ_INT(count_lit(s), 40 * 30);
	scene_destroy(s);

	/* (x1 - x0)(y2 - y0) - (x2 - x0)(y1 - y0) > 0: counter-clockwise */
	float ccw[24], cw[24];
	put(ccw, 0, 2, 2, 0.5f, 1), put(ccw, 1, 20, 2, 0.5f, 1), put(ccw, 2, 2, 20, 0.5f, 1);
	put(cw, 0, 2, 2, 0.5f, 1), put(cw, 1, 2, 20, 0.5f, 1), put(cw, 2, 20, 2, 0.5f, 1);
	for (uint32_t cull = 0; cull < 4; cull++) {
		for (int front_ccw = 0; front_ccw < 2; front_ccw++) {
			for (int which = 0; which < 2; which++) {
				uint32_t raster = GL | cull | (front_ccw ? VGPU_RASTER_FRONT_CCW : 0);
				s = basic_scene(24, 24, raster);
				scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, which ? cw : ccw, 3);
				scene_run(s);
				bool front = (which == 0) == (front_ccw == 1);
				bool drawn = !((cull & 1) && front) && !((cull & 2) && !front);
				VT_CHECK_EQ_INT(count_lit(s) > 0, drawn);
				scene_destroy(s);
			}
		}
	}
}

static const char fs_forever[] = ".stage fragment\nloop\nendloop\nst.out color0.x, 1.0\nend\n";
static const char fs_two_targets[] = ".stage fragment\nst.out color0.x, 1.0\nst.out color1.x, 1.0\nend\n";
static const char vs_ubo[] = ".stage vertex\nmov r0, 0\nld.ubo r1, ubo2[r0]\nst.out pos.x, r1\nend\n";

/* Draw-time validation and faults during a draw; the GPU serves the next packet after each. */
static void test_bad_state_faults(void)
{
	struct scene *s = scene_create(2, 16, 16);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	float data[24];
	put(data, 0, 0, 0, 0.5f, 1), put(data, 1, 16, 0, 0.5f, 1), put(data, 2, 0, 16, 0.5f, 1);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_SHADER);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_RENDER_TARGETS);
	scene_framebuffer(s, GL);
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, 0); /* disabled, but the shader reads it */
	vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 3, 1);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_VERTEX_ATTRIB);
	scene_shader(s, fs_two_targets);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_RENDER_TARGETS);
	scene_shader(s, vs_ubo);
	scene_shader(s, scene_fs_color);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_UNIFORM_BUFFER);
	/* an endless fragment loop runs out of its instruction budget */
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_forever);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_SHADER_BUDGET), 1);
	/* a render target in unmapped memory */
	struct vgpu_pkt_surface nowhere = {0x6000000000ull, 64, VGPU_FORMAT_R8G8B8A8_UNORM};
	vgpu_pkt_set_render_targets(&s->cb, 16, 16, 1, &nowhere, NULL);
	scene_shader(s, scene_fs_color);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_MMU_NOT_MAPPED), 0x6000000000ull);
	/* malformed state packets leave the old state */
	struct vgpu_pkt_surface tiny = {SCENE_VA, 4, VGPU_FORMAT_R8G8B8A8_UNORM}; /* pitch below 16 * 4 */
	vgpu_pkt_set_render_targets(&s->cb, 16, 16, 1, &tiny, NULL);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_SURFACE), 4);
	uint32_t junk[8] = {1, 2, 3};
	uint64_t bad_shader = scene_alloc(s, sizeof(junk), junk);
	vgpu_pkt_set_shader(&s->cb, VGPU_SHADER_STAGE_FRAGMENT, bad_shader, sizeof(junk));
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_SHADER_INVALID), 0);
	FX_CHECK_ALIVE(s->fx, 9);
	scene_destroy(s);
}

/* A small watchdog budget ends a large draw with WATCHDOG. */
static void test_watchdog(void)
{
	struct scene *s = basic_scene(512, 512, GL);
	scene_run(s);
	vgpu_reg_write(s->fx->gpu, VGPU_REG_WATCHDOG, 1); /* 65536 units */
	scene_rect(s, 0, 0, 512, 512, 0.5f, white);       /* 262144 pixels in one DRAW packet */
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_WATCHDOG), 0);
	FX_CHECK_ALIVE(s->fx, 3);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_points),
	        VT_CASE(test_lines),
	        VT_CASE(test_strips_and_fans),
	        VT_CASE(test_long_fan_and_strip),
	        VT_CASE(test_indexed_draws),
	        VT_CASE(test_vertex_formats),
	        VT_CASE(test_uniform_buffer),
	        VT_CASE(test_clipping),
	        VT_CASE(test_guard_band_and_culling),
	        VT_CASE(test_bad_state_faults),
	        VT_CASE(test_watchdog),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
