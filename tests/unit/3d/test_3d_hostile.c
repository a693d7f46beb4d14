/* SPDX-License-Identifier: MIT */
/* Hostile 3D state (issue 18, items 1, 2 and 8): textures as large as the spec allows over page tables that
 * map a huge range onto one page, level-of-detail values far outside any level, and surfaces whose maps would
 * cover more than a packet may. Each faulted or crashed the host before it was fixed; now each gives the
 * spec's result or fault, within the watchdog and a bounded amount of host memory. Expected texel values come
 * from the layout rule of spec 10.7 evaluated here. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "scene.h"
#include "vgpu_test.h"

#define ALIAS_VA (8ull << 30) /* from here to the end of the VA space every page is one page of VRAM */

static const char fs_tex2d_lod[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\nmov r8, 3000000000.0\n"
        "tex.2d.lod r4, t0, s0, r0, r8\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

/* Every fragment sampling at (s, t). */
static void constant_coord_rect(struct scene *s, float sc, float tc)
{
	scene_coord_rect(s, sc, tc, sc, tc);
}

static void out_pixel(struct scene *s, uint32_t x, uint32_t y, float rgba[4])
{
	memcpy(rgba, scene_pixel(s, 0, x, y), 16);
}

/* Page tables of the scene's context mapping every page from ALIAS_VA up to 512 GiB onto one page of VRAM
 * (a root entry per GiB -> one level-1 table -> one leaf table -> the page), which is returned. */
static uint8_t *alias_everything(struct scene *s)
{
	uint64_t va = scene_alloc(s, 5 * VGPU_PAGE_SIZE, NULL);
	va = (va + VGPU_PAGE_SIZE - 1) & ~(uint64_t)(VGPU_PAGE_SIZE - 1);
	uint64_t pa = FX_DATA_PA + (va - SCENE_VA);
	uint64_t l1 = pa, leaf = pa + VGPU_PAGE_SIZE, page = pa + 2 * VGPU_PAGE_SIZE;
	uint8_t *root = fx_ptr(s->fx, s->fx->root);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t to_leaf = leaf | VGPU_PTE_VALID, to_page = page | VGPU_PTE_VALID;
		memcpy(fx_ptr(s->fx, l1) + 8 * i, &to_leaf, 8);
		memcpy(fx_ptr(s->fx, leaf) + 8 * i, &to_page, 8);
		if (i >= ALIAS_VA >> 30) {
			uint64_t to_l1 = l1 | VGPU_PTE_VALID;
			memcpy(root + 8 * i, &to_l1, 8);
		}
	}
	return fx_ptr(s->fx, page);
}

/* Item 1: one face of 16384 x 16384 texels of 16 bytes is 4 GiB, which wrapped to 0 in 32 bits; the texture
 * covered nothing and sampling read past the host's page table. Texel (i, j) lies at j * 262144 + i * 16
 * (spec 10.7), which is byte (i * 16) % 4096 of the one page every VA maps to. */
static void test_huge_texture_is_laid_out_in_64_bits(void)
{
	struct scene *s = scene_texture_target(2, 2, scene_fs_tex2d);
	float *page = (float *)alias_everything(s);
	for (unsigned k = 0; k < 256; k++)
		for (unsigned c = 0; c < 4; c++)
			page[4 * k + c] = (float)(1000 * c + k);
	vgpu_pkt_set_texture(&s->cb, 0, ALIAS_VA, VGPU_FORMAT_R32G32B32A32_FLOAT, 16384, 16384, 1,
	                     VGPU_TEXTURE_2D);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	const uint32_t i = 16000, j = 16300;
	constant_coord_rect(s, ((float)i + 0.5f) / 16384.0f, ((float)j + 0.5f) / 16384.0f);
	scene_run(s);
	float got[4];
	out_pixel(s, 1, 1, got);
	for (unsigned c = 0; c < 4; c++)
		VT_CHECK_EQ_INT((long long)got[c], 1000 * c + i % 256);
	FX_CHECK_ALIVE(s->fx, 7);
	scene_destroy(s);
}

/* Item 2: LOD, bias and the LOD clamps far outside any level (3e9, infinities) select level 0 or the last
 * one, as a value just past them would. A 4x4 R32F texture with 3 levels, level l holding l, over a 2x2
 * target with coordinates 0..1 (implicit LOD 1, so a bias adds to a finite value). */
static void test_lod_far_outside_the_levels_saturates(void)
{
	float texels[16 + 4 + 1];
	for (unsigned n = 0; n < 21; n++)
		texels[n] = n < 16 ? 0.0f : n < 20 ? 1.0f : 2.0f;
	const float big = 3e9f, inf = INFINITY;
	struct {
		const char *fs;
		uint32_t mip;
		float bias, min_lod, max_lod, expect;
	} cases[] = {
	        {scene_fs_tex2d, 2, big, 0, big, 2},     {scene_fs_tex2d, 1, big, 0, big, 2},
	        {scene_fs_tex2d, 2, 0, big, big, 2},     {scene_fs_tex2d, 1, 0, big, big, 2},
	        {scene_fs_tex2d, 2, -big, -big, big, 0}, {scene_fs_tex2d, 1, -big, -big, -big, 0},
	        {scene_fs_tex2d, 2, inf, 0, inf, 2},     {scene_fs_tex2d, 2, -inf, -inf, inf, 0},
	        {fs_tex2d_lod, 2, 0, -inf, inf, 2},      {fs_tex2d_lod, 1, 0, -inf, inf, 2},
	        {fs_tex2d_lod, 2, -big, -big, big, 0},
	};
	unsigned bad = 0;
	for (size_t c = 0; c < VT_COUNT(cases); c++) {
		struct scene *s = scene_texture_target(2, 2, cases[c].fs);
		uint64_t va = scene_alloc(s, sizeof(texels), texels);
		vgpu_pkt_set_texture(&s->cb, 0, va, VGPU_FORMAT_R32_FLOAT, 4, 4, 3, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&s->cb, 0, cases[c].mip << 8 | VGPU_SAMPLER_MIN_LINEAR, cases[c].bias,
		                     cases[c].min_lod, cases[c].max_lod);
		scene_coord_rect(s, 0, 0, 1, 1);
		scene_run(s);
		float got[4];
		out_pixel(s, 0, 0, got);
		if (got[0] != cases[c].expect) {
			bad++;
			fprintf(stderr, "# case %zu: level %g, expected %g\n", c, got[0], cases[c].expect);
		}
		scene_destroy(s);
	}
	VT_CHECK_EQ_INT(bad, 0);
}

static long max_rss_kib(void)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_maxrss;
}

/* Item 8: sixteen cube maps of 16384 x 16384 texels of 16 bytes with every level (32 GiB each) over the
 * aliasing tables: their maps would need 2 GiB of host tables and minutes of translation. A packet's maps may
 * cover 2^21 pages (spec 8.3): BAD_STATE naming SET_TEXTURE, at once, and host memory stays small. */
static void test_surface_maps_are_bounded_in_host_memory(void)
{
	char fs[4096];
	size_t n = (size_t)snprintf(fs, sizeof(fs),
	                            ".stage fragment\nld.var.smooth r0, v0.x\n"
	                            "ld.var.smooth r1, v0.y\nld.var.smooth r2, v0.z\n");
	for (unsigned t = 0; t < 16; t++)
		n += (size_t)snprintf(fs + n, sizeof(fs) - n, "tex.cube.lod r%u, t%u, s0, r0, 0.0\n",
		                      4 + 4 * (t % 4), t);
	snprintf(fs + n, sizeof(fs) - n, "st.out color0.x, r4\nend\n");
	struct scene *s = scene_texture_target(1, 1, fs);
	alias_everything(s);
	for (unsigned t = 0; t < 16; t++)
		vgpu_pkt_set_texture(&s->cb, t, ALIAS_VA, VGPU_FORMAT_R32G32B32A32_FLOAT, 16384, 16384, 15,
		                     VGPU_TEXTURE_CUBE);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	long before = max_rss_kib();
	constant_coord_rect(s, 0.5f, 0.5f);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_TEXTURE);
	long grown_mib = (max_rss_kib() - before) / 1024;
	if (grown_mib > 128)
		vt_fail(__FILE__, __LINE__, "the draw grew the process by %ld MiB", grown_mib);
	FX_CHECK_ALIVE(s->fx, 9);
	scene_destroy(s);
}

/* Item 8: building maps is work the watchdog counts (spec 5.5: 16 units per page). A 16384 x 16384 RGBA8
 * texture is 2^18 pages, 2^22 units: one point drawn with it exceeds a budget of 2^16 units. */
static void test_surface_maps_are_charged_to_the_watchdog(void)
{
	struct scene *s = scene_texture_target(1, 1, scene_fs_tex2d);
	alias_everything(s);
	vgpu_reg_write(s->fx->gpu, VGPU_REG_WATCHDOG, 1);
	vgpu_pkt_set_texture(&s->cb, 0, ALIAS_VA, VGPU_FORMAT_R8G8B8A8_UNORM, 16384, 16384, 1,
	                     VGPU_TEXTURE_2D);
	vgpu_pkt_set_sampler(&s->cb, 0, 0, 0, 0, 0);
	constant_coord_rect(s, 0.5f, 0.5f);
	scene_run_fault(s, VGPU_FAULT_WATCHDOG);
	vgpu_reg_write(s->fx->gpu, VGPU_REG_WATCHDOG, VGPU_WATCHDOG_DEFAULT);
	FX_CHECK_ALIVE(s->fx, 11);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_huge_texture_is_laid_out_in_64_bits),
	        VT_CASE(test_lod_far_outside_the_levels_saturates),
	        VT_CASE(test_surface_maps_are_bounded_in_host_memory),
	        VT_CASE(test_surface_maps_are_charged_to_the_watchdog),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
