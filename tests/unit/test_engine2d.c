/* SPDX-License-Identifier: MIT */
/* The 2D engine: FILL, COPY and BLIT against pixels computed here independently, and every surface check. */
#include <stdlib.h>
#include <string.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

#define SURF_VA    0x100000000ull
#define SURF_PA    (FX_DATA_PA + 0x100000)
#define SURF_PAGES 512 /* 2 MiB */
#define SYS_VA     0x200000000ull

static struct fixture *fx_2d(void)
{
	struct fixture *fx = fx_create();
	uint32_t words[8];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 8);
	fx_map(fx, SURF_VA, SURF_PA, SURF_PAGES, true);
	fx_map(fx, SYS_VA, FX_SYSMEM_PA(0), 256, true);
	fx_emit_context(fx, &cb, 1);
	fx_submit(fx, &cb);
	return fx;
}

static void run(struct fixture *fx, void (*emit)(struct vgpu_cmdbuf *cb, const void *arg), const void *arg)
{
	uint32_t words[64];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
	emit(&cb, arg);
	fx_submit(fx, &cb);
}

struct fill_args {
	struct vgpu_pkt_surface dst;
	uint32_t x, y, w, h, value;
};

static void emit_fill(struct vgpu_cmdbuf *cb, const void *arg)
{
	const struct fill_args *a = arg;
	vgpu_pkt_fill(cb, &a->dst, a->x, a->y, a->w, a->h, a->value);
}

static void fill(struct fixture *fx, struct vgpu_pkt_surface dst, uint32_t x, uint32_t y, uint32_t w,
                 uint32_t h, uint32_t value)
{
	struct fill_args a = {dst, x, y, w, h, value};
	run(fx, emit_fill, &a);
}

/* Check every byte of a width x height surface at pa: inside the rectangle the pattern, outside `background`.
 */
static void check_fill(struct fixture *fx, uint64_t pa, uint32_t pitch, unsigned bpp, uint32_t rows,
                       uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t value, uint8_t background)
{
	int bad = 0;
	for (uint32_t r = 0; r < rows && !bad; r++)
		for (uint32_t b = 0; b < pitch && !bad; b++) {
			uint8_t actual = *fx_ptr(fx, pa + (uint64_t)r * pitch + b);
			uint32_t px = b / bpp;
			bool inside = r >= y && r < y + h && px >= x && px < x + w;
			uint8_t expected = inside ? (uint8_t)(value >> (8 * ((b % bpp) % 4))) : background;
			if (actual != expected) {
				vt_fail(__FILE__, __LINE__, "byte %u of row %u is 0x%02x, expected 0x%02x", b,
				        r, actual, expected);
				bad = 1;
			}
		}
}

static void test_fill_every_pixel_size(void)
{
	struct fixture *fx = fx_2d();
	static const struct {
		uint32_t format;
		unsigned bpp;
	} formats[] = {{VGPU_FORMAT_R8_UNORM, 1},
	               {VGPU_FORMAT_B5G6R5_UNORM, 2},
	               {VGPU_FORMAT_B8G8R8A8_UNORM, 4},
	               {VGPU_FORMAT_R16G16B16A16_FLOAT, 8},
	               {VGPU_FORMAT_R32G32B32A32_FLOAT, 16}};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		uint32_t pitch = 64 * formats[i].bpp + 12;
		memset(fx_ptr(fx, SURF_PA), 0xee, (size_t)pitch * 40);
		struct vgpu_pkt_surface dst = {SURF_VA, pitch, formats[i].format};
		fill(fx, dst, 3, 5, 50, 30, 0x44332211);
		FX_EXPECT_NO_FAULT(fx);
		check_fill(fx, SURF_PA, pitch, formats[i].bpp, 40, 3, 5, 50, 30, 0x44332211, 0xee);
	}
	fx_destroy(fx);
}

static void test_fill_packed_rows_across_pages_and_sysmem(void)
{
	struct fixture *fx = fx_2d();
	/* Packed rows (pitch == width * bpp) spanning many pages, VRAM then system memory. */
	memset(fx_ptr(fx, SURF_PA), 0, 1 << 20);
	struct vgpu_pkt_surface dst = {SURF_VA, 1024 * 4, VGPU_FORMAT_B8G8R8X8_UNORM};
	fill(fx, dst, 0, 0, 1024, 200, 0x00ff8000);
	check_fill(fx, SURF_PA, 4096, 4, 201, 0, 0, 1024, 200, 0x00ff8000, 0);
	struct vgpu_pkt_surface sys = {SYS_VA + 2, 300, VGPU_FORMAT_B5G6R5_UNORM};
	fill(fx, sys, 1, 1, 100, 100, 0xf81f);
	check_fill(fx, FX_SYSMEM_PA(2), 300, 2, 101, 1, 1, 100, 100, 0xf81f, 0);
	/* A zero-sized fill writes nothing and is no fault. */
	fill(fx, dst, 10, 10, 0, 5, 0x12345678);
	VT_CHECK_EQ_U64(fx_read32(fx, SURF_PA + 10 * 4096 + 40), 0x00ff8000);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

struct copy_args {
	struct vgpu_pkt_surface src, dst;
	uint32_t sx, sy, dx, dy, w, h;
};

static void emit_copy(struct vgpu_cmdbuf *cb, const void *arg)
{
	const struct copy_args *a = arg;
	vgpu_pkt_copy(cb, &a->src, a->sx, a->sy, &a->dst, a->dx, a->dy, a->w, a->h);
}

static void pattern(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static void test_copy_between_surfaces(void)
{
	struct fixture *fx = fx_2d();
	uint32_t pitch = 512;
	uint8_t *expected = malloc(64 * 1024);
	pattern(fx_ptr(fx, SURF_PA), 64 * 1024, 1);
	memset(fx_ptr(fx, FX_SYSMEM_PA(0)), 0x5a, 128 * 1024);
	memcpy(expected, fx_ptr(fx, FX_SYSMEM_PA(0)), 64 * 1024);
	/* VRAM -> system memory, 4-byte pixels, with offsets */
	for (uint32_t r = 0; r < 20; r++)
		memcpy(expected + (7 + r) * 1024 + 9 * 4,
		       fx_ptr(fx, SURF_PA + (uint64_t)(3 + r) * pitch + 5 * 4), 30 * 4);
	struct copy_args a = {{SURF_VA, pitch, VGPU_FORMAT_R8G8B8A8_UNORM},
	                      {SYS_VA, 1024, VGPU_FORMAT_B8G8R8A8_UNORM},
	                      5,
	                      3,
	                      9,
	                      7,
	                      30,
	                      20};
	run(fx, emit_copy, &a);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK(memcmp(fx_ptr(fx, FX_SYSMEM_PA(0)), expected, 64 * 1024) == 0);
	/* system memory -> system memory */
	struct copy_args b = {{SYS_VA, 1024, VGPU_FORMAT_B8G8R8A8_UNORM},
	                      {SYS_VA + 65536, 1024, VGPU_FORMAT_B8G8R8A8_UNORM},
	                      0,
	                      0,
	                      0,
	                      0,
	                      256,
	                      64};
	run(fx, emit_copy, &b);
	VT_CHECK(memcmp(fx_ptr(fx, FX_SYSMEM_PA(0)), fx_ptr(fx, FX_SYSMEM_PA(65536)), 65536) == 0);
	/* different bytes per pixel */
	b.dst.format = VGPU_FORMAT_B5G6R5_UNORM;
	run(fx, emit_copy, &b);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_SURFACE), 7);
	free(expected);
	fx_destroy(fx);
}

static void test_overlapping_copy_reads_source_first(void)
{
	struct fixture *fx = fx_2d();
	uint32_t pitch = 256;
	size_t bytes = (size_t)pitch * 64;
	uint8_t *before = malloc(bytes), *expected = malloc(bytes);
	struct {
		uint32_t sx, sy, dx, dy;
		uint32_t dst_pitch;
	} cases[] = {{0, 0, 3, 2, 256},
	             {3, 2, 0, 0, 256},
	             {0, 5, 0, 4, 256},
	             {4, 0, 0, 0, 256},
	             {0, 0, 1, 1, 128}};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		pattern(fx_ptr(fx, SURF_PA), bytes, (unsigned)c);
		memcpy(before, fx_ptr(fx, SURF_PA), bytes);
		memcpy(expected, before, bytes);
		uint32_t dp = cases[c].dst_pitch;
		for (uint32_t r = 0; r < 20; r++)
			memcpy(expected + (cases[c].dy + r) * dp + cases[c].dx * 4,
			       before + (cases[c].sy + r) * pitch + cases[c].sx * 4, 24 * 4);
		struct copy_args a = {{SURF_VA, pitch, VGPU_FORMAT_B8G8R8A8_UNORM},
		                      {SURF_VA, dp, VGPU_FORMAT_B8G8R8A8_UNORM},
		                      cases[c].sx,
		                      cases[c].sy,
		                      cases[c].dx,
		                      cases[c].dy,
		                      24,
		                      20};
		run(fx, emit_copy, &a);
		FX_EXPECT_NO_FAULT(fx);
		VT_CHECK(memcmp(fx_ptr(fx, SURF_PA), expected, bytes) == 0);
	}
	free(before);
	free(expected);
	fx_destroy(fx);
}

struct blit_args {
	struct vgpu_pkt_surface src, dst;
	uint32_t sx, sy, sw, sh, dx, dy, dw, dh;
};

static void emit_blit(struct vgpu_cmdbuf *cb, const void *arg)
{
	const struct blit_args *a = arg;
	vgpu_pkt_blit(cb, &a->src, a->sx, a->sy, a->sw, a->sh, &a->dst, a->dx, a->dy, a->dw, a->dh);
}

static void test_blit_converts_formats(void)
{
	struct fixture *fx = fx_2d();
	/* ARGB8888 pixels -> RGB565 (bits truncated by rounding per spec 9.2) and -> ABGR8888 (exact). */
	uint32_t src_pixels[4] = {0xff000000, 0xffffffff, 0x80ff8000, 0x00204060};
	memcpy(fx_ptr(fx, SURF_PA), src_pixels, sizeof(src_pixels));
	struct blit_args a = {{SURF_VA, 16, VGPU_FORMAT_B8G8R8A8_UNORM},
	                      {SURF_VA + 0x1000, 8, VGPU_FORMAT_B5G6R5_UNORM},
	                      0,
	                      0,
	                      4,
	                      1,
	                      0,
	                      0,
	                      4,
	                      1};
	run(fx, emit_blit, &a);
	FX_EXPECT_NO_FAULT(fx);
	/* r=0x20 -> round(32/255*31)=4, g=0x40 -> round(64/255*63)=16, b=0x60 -> round(96/255*31)=12 */
	uint16_t expected565[4] = {0x0000, 0xffff, (31 << 11) | (32 << 5) | 0, (4 << 11) | (16 << 5) | 12};
	VT_CHECK(memcmp(fx_ptr(fx, SURF_PA + 0x1000), expected565, 8) == 0);

	a.dst.format = VGPU_FORMAT_R8G8B8A8_UNORM;
	a.dst.pitch = 16;
	run(fx, emit_blit, &a);
	uint8_t expected_abgr[16] = {0,    0,    0, 0xff, 0xff, 0xff, 0xff, 0xff,
	                             0xff, 0x80, 0, 0x80, 0x20, 0x40, 0x60, 0};
	VT_CHECK(memcmp(fx_ptr(fx, SURF_PA + 0x1000), expected_abgr, 16) == 0);

	/* to XRGB: X written as 0xff; to a float format: exact unorm values */
	a.dst.format = VGPU_FORMAT_B8G8R8X8_UNORM;
	run(fx, emit_blit, &a);
	VT_CHECK_EQ_U64(fx_read32(fx, SURF_PA + 0x100c), 0xff204060);
	a.dst.format = VGPU_FORMAT_R32G32B32A32_FLOAT;
	a.dst.pitch = 64;
	run(fx, emit_blit, &a);
	float rgba[4];
	memcpy(rgba, fx_ptr(fx, SURF_PA + 0x1000 + 32), 16);
	VT_CHECK(rgba[0] == 1.0f && rgba[1] == 128.0f / 255.0f && rgba[2] == 0.0f &&
	         rgba[3] == 128.0f / 255.0f);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_blit_scales_with_nearest_sampling(void)
{
	struct fixture *fx = fx_2d();
	/* 4x2 source of distinct R8 values, scaled to 6x3 and to 2x1. */
	uint8_t src[8] = {10, 11, 12, 13, 20, 21, 22, 23};
	memcpy(fx_ptr(fx, SURF_PA), src, 8);
	struct blit_args a = {{SURF_VA, 4, VGPU_FORMAT_R8_UNORM},
	                      {SURF_VA + 0x1000, 6, VGPU_FORMAT_R8_UNORM},
	                      0,
	                      0,
	                      4,
	                      2,
	                      0,
	                      0,
	                      6,
	                      3};
	run(fx, emit_blit, &a);
	/* x: floor((i + .5) * 4 / 6) = 0,1,1,2,3,3; y: floor((j + .5) * 2 / 3) = 0,1,1 */
	uint8_t up[18] = {10, 11, 11, 12, 13, 13, 20, 21, 21, 22, 23, 23, 20, 21, 21, 22, 23, 23};
	VT_CHECK(memcmp(fx_ptr(fx, SURF_PA + 0x1000), up, 18) == 0);
	a.dw = 2, a.dh = 1;
	run(fx, emit_blit, &a);
	/* x: floor((i + .5) * 2) = 1, 3; y: floor(.5 * 2) = 1 */
	uint8_t down[2] = {21, 23};
	VT_CHECK(memcmp(fx_ptr(fx, SURF_PA + 0x1000), down, 2) == 0);
	/* different format and size at once: R8 -> R8G8 */
	a.dst.format = VGPU_FORMAT_R8G8_UNORM;
	a.dst.pitch = 12;
	a.dw = 6, a.dh = 3;
	run(fx, emit_blit, &a);
	VT_CHECK_EQ_U64(*fx_ptr(fx, SURF_PA + 0x1000 + 12 + 2 * 3), 22); /* row 1, x floor(3.5 * 4 / 6) = 2 */
	VT_CHECK_EQ_U64(*fx_ptr(fx, SURF_PA + 0x1000 + 12 + 2 * 3 + 1), 0);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_surface_checks(void)
{
	struct fixture *fx = fx_2d();
	struct vgpu_pkt_surface good = {SURF_VA, 256, VGPU_FORMAT_B8G8R8A8_UNORM};
	struct {
		struct vgpu_pkt_surface dst;
		uint32_t x, y, w, h;
		uint32_t type;
		uint64_t addr;
	} cases[] = {
	        {{SURF_VA, 256, VGPU_FORMAT_NONE}, 0, 0, 1, 1, VGPU_FAULT_BAD_SURFACE, 3},
	        {{SURF_VA, 256, VGPU_FORMAT_Z16_UNORM}, 0, 0, 1, 1, VGPU_FAULT_BAD_SURFACE, 3},
	        {{SURF_VA, 256, 99}, 0, 0, 1, 1, VGPU_FAULT_BAD_SURFACE, 3},
	        {{SURF_VA, (1u << 18) + 4, VGPU_FORMAT_R8_UNORM}, 0, 0, 1, 1, VGPU_FAULT_BAD_SURFACE, 2},
	        {good, 60, 0, 5, 1, VGPU_FAULT_BAD_SURFACE, 2}, /* (x + w) * bpp > pitch */
	        {good, 16380, 0, 5, 1, VGPU_FAULT_BAD_SURFACE, 5},
	        {good, 0, 16000, 1, 385, VGPU_FAULT_BAD_SURFACE, 5},
	        {{1ull << 39, 256, VGPU_FORMAT_R8_UNORM}, 0, 0, 1, 1, VGPU_FAULT_MMU_BAD_ADDRESS, 1ull << 39},
	        {{~0ull - 255, 256, VGPU_FORMAT_R8_UNORM},
	         0,
	         3,
	         1,
	         1,
	         VGPU_FAULT_MMU_BAD_ADDRESS,
	         ~0ull - 255},
	        {{SURF_VA + SURF_PAGES * 4096ull - 256, 256, VGPU_FORMAT_R8_UNORM},
	         0,
	         0,
	         1,
	         2,
	         VGPU_FAULT_MMU_NOT_MAPPED,
	         SURF_VA + SURF_PAGES * 4096ull},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fill(fx, cases[i].dst, cases[i].x, cases[i].y, cases[i].w, cases[i].h, 1);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, cases[i].type), cases[i].addr);
		VT_CHECK_EQ_U64(
		        vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO),
		        VGPU_PKT_FILL | (VGPU_ENGINE_2D << 12) |
		                (cases[i].type == VGPU_FAULT_MMU_NOT_MAPPED ? VGPU_FAULT_INFO_WRITE : 0));
	}
	/* BLIT flags must be 0 */
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	vgpu_pkt_blit(&cb, &good, 0, 0, 1, 1, &good, 1, 1, 1, 1);
	words[13] = 1;
	fx_submit(fx, &cb);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_PACKET_FIELD), 12);
	/* a source on a read-only page can be read; a destination there cannot be written */
	fx_map(fx, SURF_VA + 0x100000, SURF_PA, 1, false);
	struct vgpu_pkt_surface ro = {SURF_VA + 0x100000, 256, VGPU_FORMAT_B8G8R8A8_UNORM};
	struct copy_args c = {ro, good, 0, 0, 0, 4, 8, 2};
	run(fx, emit_copy, &c);
	FX_EXPECT_NO_FAULT(fx);
	c.src = good, c.dst = ro, c.dy = 0;
	run(fx, emit_copy, &c);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_MMU_READ_ONLY), SURF_VA + 0x100000);
	FX_CHECK_ALIVE(fx, 3);
	fx_destroy(fx);
}

static void test_large_fill_charges_the_watchdog(void)
{
	struct fixture *fx = fx_2d();
	vgpu_reg_write(fx->gpu, VGPU_REG_WATCHDOG, 1); /* 65536 pixels per ring packet */
	struct vgpu_pkt_surface dst = {SURF_VA, 1024, VGPU_FORMAT_R8_UNORM};
	memset(fx_ptr(fx, SURF_PA), 0, 1024 * 100);
	fill(fx, dst, 0, 0, 1024, 64, 9); /* 65536 pixels + the packet itself */
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_WATCHDOG), 0);
	VT_CHECK_EQ_U64(*fx_ptr(fx, SURF_PA), 0); /* checked before writing */
	fill(fx, dst, 0, 0, 1024, 63, 9);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(*fx_ptr(fx, SURF_PA + 1024 * 62 + 1023), 9);
	fx_destroy(fx);
}

static const struct vt_case cases[] = {
        VT_CASE(test_fill_every_pixel_size), VT_CASE(test_fill_packed_rows_across_pages_and_sysmem),
        VT_CASE(test_copy_between_surfaces), VT_CASE(test_overlapping_copy_reads_source_first),
        VT_CASE(test_blit_converts_formats), VT_CASE(test_blit_scales_with_nearest_sampling),
        VT_CASE(test_surface_checks),        VT_CASE(test_large_fill_charges_the_watchdog),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
