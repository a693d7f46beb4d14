/* SPDX-License-Identifier: MIT */
/* The texture unit: every texture format decoded (checked against a decoder written here from the format
 * table of spec 9.1), the three wrap modes, bilinear filtering, mip level selection from derivatives with
 * bias and LOD clamps, cube faces, depth comparison, and an unmapped texture page faulting the draw. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

static const char fs_cube[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\nld.var.smooth r2, v0.z\n"
        "tex.cube.lod r4, t0, s0, r0, 0.0\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

static const char fs_shadow[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\nmov r2, 0.5\n"
        "tex.2d.shadow r4, t0, s0, r0\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

static void out_pixel(struct scene *s, uint32_t x, uint32_t y, float rgba[4])
{
	memcpy(rgba, scene_pixel(s, 0, x, y), 16);
}

static double half(uint16_t h)
{
	int e = (h >> 10) & 31, m = h & 1023;
	double v = e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);
	return h & 0x8000 ? -v : v;
}

/* The spec's table 9.1, decoded the plain way. */
static void decode(uint32_t format, const uint8_t *p, double out[4])
{
	double r = 0, g = 0, b = 0, a = 1;
	uint32_t v = p[0] | p[1] << 8;
	float f[4];
	switch (format) {
	case 1:
		b = p[0] / 255.0, g = p[1] / 255.0, r = p[2] / 255.0, a = p[3] / 255.0;
		break;
	case 2:
		b = p[0] / 255.0, g = p[1] / 255.0, r = p[2] / 255.0;
		break;
	case 3:
		r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0, a = p[3] / 255.0;
		break;
	case 4:
		r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
		break;
	case 5:
		b = (v & 31) / 31.0, g = ((v >> 5) & 63) / 63.0, r = (v >> 11) / 31.0;
		break;
	case 6:
		b = (v & 31) / 31.0, g = ((v >> 5) & 31) / 31.0, r = ((v >> 10) & 31) / 31.0, a = v >> 15;
		break;
	case 7:
		b = (v & 15) / 15.0, g = ((v >> 4) & 15) / 15.0, r = ((v >> 8) & 15) / 15.0,
		a = (v >> 12) / 15.0;
		break;
	case 8:
		r = p[0] / 255.0;
		break;
	case 9:
		r = p[0] / 255.0, g = p[1] / 255.0;
		break;
	case 10:
		r = half((uint16_t)(p[0] | p[1] << 8)), g = half((uint16_t)(p[2] | p[3] << 8));
		b = half((uint16_t)(p[4] | p[5] << 8)), a = half((uint16_t)(p[6] | p[7] << 8));
		break;
	case 11:
		memcpy(f, p, 4), r = f[0];
		break;
	case 12:
		memcpy(f, p, 16), r = f[0], g = f[1], b = f[2], a = f[3];
		break;
	case 32:
		r = v / 65535.0;
		break;
	case 33:
		r = (p[0] | p[1] << 8 | p[2] << 16) / 16777215.0;
		break;
	case 34:
		memcpy(f, p, 4), r = f[0];
		break;
	}
	out[0] = r, out[1] = g, out[2] = b, out[3] = a;
}

static unsigned bpp_of(uint32_t format)
{
	static const uint8_t bpp[] = {0, 4, 4, 4, 4, 2, 2, 2, 1, 2, 8, 4, 16};
	return format >= 32 ? (format == 32 ? 2 : 4) : bpp[format];
}

/* A 5x3 texture (odd width: rows are padded to 4 bytes) in each format, sampled at texel centres. */
static void test_every_format(void)
{
	const uint32_t formats[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 32, 33, 34};
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		uint32_t format = formats[i], bpp = bpp_of(format), pitch = (5 * bpp + 3) & ~3u;
		uint8_t texels[3 * 80];
		unsigned seed = 5 + (unsigned)i;
		for (size_t k = 0; k < sizeof(texels); k++) {
			seed = seed * 1103515245u + 12345u;
			texels[k] = (uint8_t)(seed >> 16);
		}
		for (uint32_t y = 0; y < 3; y++)
			for (uint32_t x = 0; x < 5; x++) {
				uint8_t *p = texels + y * pitch + x * bpp;
				if (format == 10) /* finite halves: clear the top exponent bit */
					for (int c = 0; c < 4; c++)
						p[2 * c + 1] &= 0xbf;
				if (format == 11 || format == 12 || format == 34)
					for (unsigned c = 0; c < bpp / 4; c++) {
						float f = (float)(p[4 * c] % 200) / 64.0f - 1.0f;
						memcpy(p + 4 * c, &f, 4);
					}
			}
		struct scene *s = scene_texture_target(5, 3, scene_fs_tex2d);
		uint64_t va = scene_alloc(s, sizeof(texels), texels);
		vgpu_pkt_set_texture(&s->cb, 0, va, format, 5, 3, 1, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
		scene_coord_rect(s, 0, 0, 1, 1);
		scene_run(s);
		for (uint32_t y = 0; y < 3; y++)
			for (uint32_t x = 0; x < 5; x++) {
				double expect[4];
				float got[4];
				decode(format, texels + y * pitch + x * bpp, expect);
				out_pixel(s, x, y, got);
				for (int c = 0; c < 4; c++)
					if (fabs(got[c] - expect[c]) > 1e-6 * (1 + fabs(expect[c]))) {
						bad++;
						fprintf(stderr,
						        "# format %u texel %u,%u channel %d: %g, expected "
						        "%g\n",
						        format, x, y, c, got[c], expect[c]);
					}
			}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

static int wrap(int i, int size, unsigned mode)
{
	if (mode == VGPU_WRAP_CLAMP_TO_EDGE)
		return i < 0 ? 0 : i >= size ? size - 1 : i;
	int period = mode == VGPU_WRAP_REPEAT ? size : 2 * size;
	int m = ((i % period) + period) % period;
	return m < size ? m : 2 * size - 1 - m;
}

/* s from -2 to 2 over 32 pixels on a 4x1 texture, nearest: texel floor(4 s), wrapped. */
static void test_wrap_modes(void)
{
	unsigned bad = 0;
	for (unsigned mode = 0; mode < 3; mode++) {
		struct scene *s = scene_texture_target(32, 1, scene_fs_tex2d);
		uint8_t texels[4] = {10, 20, 30, 40};
		uint64_t va = scene_alloc(s, 4, texels);
		vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_R8_UNORM, 4, 1, 1, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&s->cb, 0, mode | mode << 2, 0, 0, 0);
		scene_coord_rect(s, -2, 0.5f, 2, 0.5f);
		scene_run(s);
		for (uint32_t x = 0; x < 32; x++) {
			double sc = -2 + (x + 0.5) * 4 / 32;
			float got[4];
			out_pixel(s, x, 0, got);
			bad += fabs(got[0] - texels[wrap((int)floor(sc * 4), 4, mode)] / 255.0) > 1e-6;
		}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* Bilinear on a 2x2 float texture, clamped, sampled over 8x8 pixels. Tolerance 1e-5. */
static void test_bilinear(void)
{
	struct scene *s = scene_texture_target(8, 8, scene_fs_tex2d);
	float texels[2][2][4] = {{{0, 1, 0, 1}, {1, 0, 0, 1}}, {{0, 0, 1, 0}, {1, 1, 1, 0}}};
	uint64_t va = scene_alloc(s, sizeof(texels), texels);
	vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_R32G32B32A32_FLOAT, 2, 2, 1, VGPU_TEXTURE_2D);
	uint32_t clamp = VGPU_WRAP_CLAMP_TO_EDGE | VGPU_WRAP_CLAMP_TO_EDGE << 2;
	vgpu_pkt_set_sampler(&s->cb, 0, clamp | VGPU_SAMPLER_MIN_LINEAR | VGPU_SAMPLER_MAG_LINEAR, 0, 0, 0);
	scene_coord_rect(s, 0, 0, 1, 1);
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 8; y++)
		for (uint32_t x = 0; x < 8; x++) {
			double u = (x + 0.5) / 8 * 2 - 0.5, v = (y + 0.5) / 8 * 2 - 0.5;
			u = u < 0 ? 0 : u > 1 ? 1 : u, v = v < 0 ? 0 : v > 1 ? 1 : v; /* clamped taps */
			float got[4];
			out_pixel(s, x, y, got);
			for (int c = 0; c < 4; c++) {
				double e = (1 - u) * (1 - v) * texels[0][0][c] +
				           u * (1 - v) * texels[0][1][c] + (1 - u) * v * texels[1][0][c] +
				           u * v * texels[1][1][c];
				bad += fabs(got[c] - e) > 1e-5;
			}
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* A 32x32 R32F texture with 6 levels, level l holding the value l. Texture coordinates spanning 2^k over the
 * 32-pixel target give LOD k; then sampler bias and the LOD clamps, and linear mip filtering half-way. */
static void test_mip_selection(void)
{
	float texels[32 * 32 * 2];
	size_t n = 0;
	for (uint32_t l = 0, size = 32; l < 6; l++, size /= 2)
		for (uint32_t i = 0; i < size * size; i++)
			texels[n++] = (float)l;
	struct {
		float span, bias, min_lod, max_lod;
		uint32_t mip;
		float expect;
	} cases[] = {
	        {1, 0, 0, 15, 1, 0},  {2, 0, 0, 15, 1, 1},  {4, 0, 0, 15, 1, 2},  {8, 0, 0, 15, 1, 3},
	        {16, 0, 0, 15, 1, 4}, {32, 0, 0, 15, 1, 5}, {64, 0, 0, 15, 1, 5}, {4, 1, 0, 15, 1, 3},
	        {4, -1, 0, 15, 1, 1}, {16, 0, 0, 2, 1, 2},  {1, 0, 3, 15, 1, 3},  {4, 0.5f, 0, 15, 2, 2.5f},
	        {8, 0, 0, 15, 0, 0},
	};
	unsigned bad = 0;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct scene *s = scene_texture_target(32, 32, scene_fs_tex2d);
		uint64_t va = scene_alloc(s, n * 4, texels);
		vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_R32_FLOAT, 32, 32, 6, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&s->cb, 0, cases[c].mip << 8, cases[c].bias, cases[c].min_lod,
		                     cases[c].max_lod);
		scene_coord_rect(s, 0, 0, cases[c].span, cases[c].span);
		scene_run(s);
		for (uint32_t y = 0; y < 32; y++)
			for (uint32_t x = 0; x < 32; x++) {
				float got[4];
				out_pixel(s, x, y, got);
				if (fabsf(got[0] - cases[c].expect) > 1e-3f) {
					bad++;
					if (x == 0 && y == 0)
						fprintf(stderr, "# case %zu: level %g, expected %g\n", c,
						        got[0], cases[c].expect);
				}
			}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* Six faces of a 2x2 cube map, each holding its face number; one rectangle per major direction. */
static void test_cube_faces(void)
{
	struct scene *s = scene_texture_target(6, 1, fs_cube);
	float texels[6][4];
	for (int f = 0; f < 6; f++)
		for (int i = 0; i < 4; i++)
			texels[f][i] = (float)f;
	uint64_t va = scene_alloc(s, sizeof(texels), texels);
	vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_R32_FLOAT, 2, 2, 1, VGPU_TEXTURE_CUBE);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	const float dir[6][3] = {{1, 0.2f, 0.1f},   {-1, 0.3f, -0.2f}, {0.1f, 1, 0.4f},
	                         {-0.2f, -1, 0.1f}, {0.3f, -0.1f, 1},  {0.2f, 0.1f, -1}};
	for (int f = 0; f < 6; f++) {
		float data[48];
		float corner[6][2] = {{(float)f, 0},     {(float)f + 1, 0}, {(float)f, 1},
		                      {(float)f + 1, 0}, {(float)f + 1, 1}, {(float)f, 1}};
		for (int k = 0; k < 6; k++) {
			float v[8] = {corner[k][0], corner[k][1], 0.5f,      1,
			              dir[f][0],    dir[f][1],    dir[f][2], 0};
			memcpy(data + 8 * k, v, sizeof(v));
		}
		scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 6);
	}
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t f = 0; f < 6; f++) {
		float got[4];
		out_pixel(s, f, 0, got);
		bad += got[0] != (float)f;
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

/* LEQUAL comparison of the reference 0.5 with depth texels 0.3 and 0.7. */
static void test_shadow_compare(void)
{
	struct scene *s = scene_texture_target(2, 1, fs_shadow);
	float depth[2] = {0.3f, 0.7f};
	uint64_t va = scene_alloc(s, sizeof(depth), depth);
	vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_Z32_FLOAT, 2, 1, 1, VGPU_TEXTURE_2D);
	vgpu_pkt_set_sampler(&s->cb, 0, VGPU_SAMPLER_COMPARE | VGPU_COMPARE_LEQUAL << 11, 0, 0, 0);
	scene_coord_rect(s, 0, 0, 1, 1);
	scene_run(s);
	float a[4], b[4];
	out_pixel(s, 0, 0, a);
	out_pixel(s, 1, 0, b);
	VT_CHECK(a[0] == 0.0f && a[3] == 1.0f);
	VT_CHECK(b[0] == 1.0f && b[1] == 1.0f && b[2] == 1.0f);
	scene_destroy(s);
}

/* A texture whose second page is not mapped: sampling it faults with the MMU's record. */
static void test_unmapped_texture_page_faults(void)
{
	struct scene *s = scene_texture_target(64, 64, scene_fs_tex2d);
	uint64_t va = 0x7000000000ull - 0x1000; /* the first page mapped, the next not */
	fx_map(s->fx, va, FX_DATA_PA, 1, false);
	vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_B8G8R8A8_UNORM, 64, 64, 1, VGPU_TEXTURE_2D);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	scene_coord_rect(s, 0, 0, 1, 1);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_MMU_NOT_MAPPED), va + 0x1000);
	FX_CHECK_ALIVE(s->fx, 5);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_every_format),
	        VT_CASE(test_wrap_modes),
	        VT_CASE(test_bilinear),
	        VT_CASE(test_mip_selection),
	        VT_CASE(test_cube_faces),
	        VT_CASE(test_shadow_compare),
	        VT_CASE(test_unmapped_texture_page_faults),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
