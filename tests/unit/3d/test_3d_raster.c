/* SPDX-License-Identifier: MIT */
/* Clears, triangle coverage against the reference rasterizer, shared edges, interpolation, thread counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "scene.h"
#include "vgpu_test.h"

#define GL_CENTRES VGPU_RASTER_HALF_PIXEL_CENTER

static void clear_color(struct scene *s, unsigned targets, float r, float g, float b, float a, float depth,
                        uint32_t stencil)
{
	vgpu_pkt_clear(&s->cb, targets, (float[4]){r, g, b, a}, depth, stencil);
}

static void test_clear_formats(void)
{
	struct scene *s = scene_create(2, 70, 33);
	scene_add_target(s, VGPU_FORMAT_B8G8R8A8_UNORM);
	scene_add_target(s, VGPU_FORMAT_R32_FLOAT);
	scene_add_target(s, VGPU_FORMAT_B5G6R5_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	scene_framebuffer(s, 0);
	clear_color(s, 0x3f, 1.0f, 0.5f, 0.25f, 0.0f, 0.75f, 0x5a);
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 33; y++)
		for (uint32_t x = 0; x < 70; x++) {
			/* 0.5 * 255 = 127.5 rounds to even 128; 0.25 * 255 = 63.75 -> 64 */
			bad += scene_pixel32(s, 0, x, y) != 0x00ff8040u;
			float f;
			memcpy(&f, scene_pixel(s, 1, x, y), 4);
			bad += f != 1.0f;
			const uint8_t *p = scene_pixel(s, 2, x, y);
			/* R 31, G 0.5 * 63 = 31.5 -> 32, B 0.25 * 31 = 7.75 -> 8 */
			bad += (uint32_t)(p[0] | p[1] << 8) != (31u << 11 | 32u << 5 | 8u);
			/* 0.75 * (2^24 - 1) = 12582911.25 -> 12582911 */
			bad += scene_pixel32(s, 4, x, y) != (0x5au << 24 | 12582911u);
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static void test_clear_scissor_and_stencil_only(void)
{
	struct scene *s = scene_create(3, 100, 90);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	scene_framebuffer(s, 0);
	clear_color(s, 0x31, 0, 0, 0, 0, 1.0f, 7);
	vgpu_pkt_set_scissor(&s->cb, 10, 20, 75, 81);
	vgpu_pkt_set_raster(&s->cb, VGPU_RASTER_SCISSOR, 1, 1);
	clear_color(s, VGPU_CLEAR_COLOR(0) | VGPU_CLEAR_STENCIL, 1, 1, 1, 1, 0.0f, 9);
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 90; y++)
		for (uint32_t x = 0; x < 100; x++) {
			bool in = x >= 10 && x < 75 && y >= 20 && y < 81;
			bad += scene_pixel32(s, 0, x, y) != (in ? 0xffffffffu : 0u);
			/* depth untouched by the stencil-only clear */
			bad += scene_pixel32(s, 4, x, y) != ((in ? 9u : 7u) << 24 | 0xffffffu);
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static float frand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (float)((*seed >> 8) & 0xffff) / 65536.0f;
}

static void vertex(float *v, float x, float y, float z, float r, float g, float b)
{
	float data[8] = {x, y, z, 1, r, g, b, 1};
	memcpy(v, data, sizeof(data));
}

static void test_triangles_match_reference(void)
{
	struct scene *s = scene_create(2, 64, 48);
	scene_add_target(s, VGPU_FORMAT_R8_UNORM);
	scene_framebuffer(s, GL_CENTRES);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	unsigned seed = 7, bad = 0;
	for (int i = 0; i < 60; i++) {
		float v[3][2], data[24];
		for (int k = 0; k < 3; k++) {
			/* some vertices outside the target, some on exact pixel centres and edges */
			v[k][0] = i % 4 == 0 ? floorf(frand(&seed) * 64) + 0.5f : frand(&seed) * 90 - 13;
			v[k][1] = i % 4 == 0 ? floorf(frand(&seed) * 48) : frand(&seed) * 70 - 11;
			vertex(data + 8 * k, v[k][0], v[k][1], 0.5f, 1, 1, 1);
		}
		clear_color(s, 1, 0, 0, 0, 0, 0, 0);
		scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
		scene_run(s);
		for (int y = 0; y < 48; y++)
			for (int x = 0; x < 64; x++)
				bad += (*scene_pixel(s, 0, (uint32_t)x, (uint32_t)y) == 255) !=
				       ref_triangle_covers(v, x, y);
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* A jittered grid of triangles covering [8, 120) x [8, 88), drawn with additive blending: every pixel
 * inside is hit exactly once (value 1), everything outside never. Tiles are crossed by many edges. */
static void draw_mesh(struct scene *s, unsigned seed)
{
	enum { COLS = 9, ROWS = 7 };
	float gx[ROWS + 1][COLS + 1], gy[ROWS + 1][COLS + 1];
	for (int j = 0; j <= ROWS; j++)
		for (int i = 0; i <= COLS; i++) {
			bool border_x = i == 0 || i == COLS, border_y = j == 0 || j == ROWS;
			/* Interior vertices on half-pixel steps, so many edges run exactly through pixel
			 * centres. */
			gx[j][i] = 8 + (float)(i * 112 / COLS) +
			           (border_x ? 0 : floorf(frand(&seed) * 16 - 8) * 0.5f);
			gy[j][i] = 8 + (float)(j * 80 / ROWS) +
			           (border_y ? 0 : floorf(frand(&seed) * 16 - 8) * 0.5f);
		}
	static float data[COLS * ROWS * 6 * 8];
	float unit = 1.0f / 255.0f;
	int n = 0;
	for (int j = 0; j < ROWS; j++)
		for (int i = 0; i < COLS; i++) {
			int corner[6][2] = {{i, j},     {i + 1, j},     {i, j + 1},
			                    {i + 1, j}, {i + 1, j + 1}, {i, j + 1}};
			for (int k = 0; k < 6; k++, n++)
				vertex(data + 8 * n, gx[corner[k][1]][corner[k][0]],
				       gy[corner[k][1]][corner[k][0]], 0.5f, unit, unit * (float)(i + 1),
				       unit * (float)(j + 1));
		}
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, (uint32_t)n);
}

static void additive_blend(struct scene *s)
{
	uint32_t add = VGPU_BLEND_ENABLE | VGPU_BLEND_ONE << 4 | VGPU_BLEND_ONE << 9 | VGPU_BLEND_ONE << 17 |
	               VGPU_BLEND_ONE << 22 | 0xfu << 27;
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){add, add, add, add}, (float[4]){0, 0, 0, 0});
}

static void test_shared_edges_hit_once(void)
{
	for (unsigned seed = 1; seed <= 4; seed++) {
		struct scene *s = scene_create(2, 130, 100);
		scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
		scene_framebuffer(s, GL_CENTRES);
		scene_shader(s, scene_vs_passthrough);
		scene_shader(s, scene_fs_color);
		additive_blend(s);
		clear_color(s, 1, 0, 0, 0, 0, 0, 0);
		draw_mesh(s, seed);
		scene_run(s);
		unsigned bad = 0;
		for (uint32_t y = 0; y < 100; y++)
			for (uint32_t x = 0; x < 130; x++) {
				bool inside = x >= 8 && x < 120 && y >= 8 && y < 88;
				bad += *scene_pixel(s, 0, x, y) != (inside ? 1 : 0);
			}
		VT_CHECK_EQ_INT(bad, 0);
		scene_destroy(s);
	}
}

/* Gouraud: the colour at a pixel centre is the barycentric mix of the vertex colours (w = 1, so perspective
 * and screen-space weights agree). Tolerance: 1 unit of the 8-bit target (float rounding before packing). */
static void test_gouraud_interpolation(void)
{
	struct scene *s = scene_create(2, 64, 64);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_framebuffer(s, GL_CENTRES);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	float v[3][2] = {{2, 3}, {61, 10}, {20, 60}}, data[24];
	float color[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
	for (int k = 0; k < 3; k++)
		vertex(data + 8 * k, v[k][0], v[k][1], 0, color[k][0], color[k][1], color[k][2]);
	clear_color(s, 1, 0, 0, 0, 0, 0, 0);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
	scene_run(s);
	unsigned bad = 0, covered = 0;
	double area = (v[1][0] - v[0][0]) * (v[2][1] - v[0][1]) - (v[2][0] - v[0][0]) * (v[1][1] - v[0][1]);
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++) {
			if (!ref_triangle_covers(v, x, y))
				continue;
			covered++;
			double px = x + 0.5, py = y + 0.5;
			double b1 = ((px - v[0][0]) * (v[2][1] - v[0][1]) -
			             (v[2][0] - v[0][0]) * (py - v[0][1])) /
			            area;
			double b2 = ((v[1][0] - v[0][0]) * (py - v[0][1]) -
			             (px - v[0][0]) * (v[1][1] - v[0][1])) /
			            area;
			double expect[3] = {1 - b1 - b2, b1, b2};
			const uint8_t *p = scene_pixel(s, 0, (uint32_t)x, (uint32_t)y);
			for (int c = 0; c < 3; c++)
				bad += fabs(p[c] - expect[c] * 255.0) > 1.0;
		}
	VT_CHECK(covered > 1000);
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static void render_mixed(struct scene *s)
{
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z32_FLOAT);
	scene_framebuffer(s, GL_CENTRES);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_set_depth_stencil(
	        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4});
	clear_color(s, 0x11, 0.1f, 0.2f, 0.3f, 1, 1.0f, 0);
	unsigned seed = 99;
	static float data[300 * 8];
	for (int i = 0; i < 300; i++)
		vertex(data + 8 * i, frand(&seed) * 300 - 20, frand(&seed) * 200 - 20, frand(&seed),
		       frand(&seed), frand(&seed), frand(&seed));
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 300);
	additive_blend(s);
	draw_mesh(s, 3);
	scene_run(s);
}

static void test_thread_counts_give_identical_images(void)
{
	struct scene *one = scene_create(1, 260, 170), *many = scene_create(3, 260, 170);
	render_mixed(one);
	render_mixed(many);
	size_t bytes = 260 * 170 * 4;
	VT_CHECK(memcmp(scene_host(one, one->color[0].va), scene_host(many, many->color[0].va), bytes) == 0);
	VT_CHECK(memcmp(scene_host(one, one->depth.va), scene_host(many, many->depth.va), bytes) == 0);
	scene_destroy(one);
	scene_destroy(many);
}

/* Render-target translations are cached from draw to draw like the TLB's: after the driver moves the
 * target's pages and invalidates, the next clear and draw land in the new pages. */
static void test_remapped_target_after_invalidate(void)
{
	struct scene *s = scene_create(2, 64, 64);
	uint64_t va = scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_framebuffer(s, GL_CENTRES);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	clear_color(s, 1, 1, 0, 0, 1, 0, 0);
	scene_run(s);
	uint64_t other = scene_alloc(s, 64 * 64 * 4, NULL);
	uint64_t other_pa = FX_DATA_PA + (other - SCENE_VA);
	fx_map(s->fx, va, other_pa, 4, true); /* the target's VA now names the other pages */
	vgpu_pkt_mmu_invalidate(&s->cb);
	clear_color(s, 1, 0, 1, 0, 1, 0, 0);
	scene_rect(s, 0, 0, 8, 8, 0.5f, (float[4]){0, 0, 1, 1});
	scene_run(s);
	VT_CHECK_EQ_U64(scene_pixel32(s, 0, 20, 20), 0xff0000ffu); /* the old pages keep the first clear */
	const uint8_t *moved = scene_host(s, other);
	VT_CHECK_EQ_U64(moved[(20 * 64 + 20) * 4 + 1], 0xff); /* green in the new pages */
	VT_CHECK_EQ_U64(moved[(2 * 64 + 2) * 4 + 2], 0xff);   /* and the draw's blue */
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_clear_formats),
	        VT_CASE(test_clear_scissor_and_stencil_only),
	        VT_CASE(test_triangles_match_reference),
	        VT_CASE(test_shared_edges_hit_once),
	        VT_CASE(test_gouraud_interpolation),
	        VT_CASE(test_thread_counts_give_identical_images),
	        VT_CASE(test_remapped_target_after_invalidate),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
