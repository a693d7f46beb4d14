/* SPDX-License-Identifier: MIT */
/* The occlusion counter (spec 10.8.1, version 1.1): differences of OCCLUSION_COUNT values against exact
 * counts of covered pixels, with the depth test, the stencil test and discard rejecting some and colour
 * writes masked off; CLEAR not counting; points counting; the counter across snapshots (and version 2 blobs
 * loading with 0), reset, bad addresses, and 1 vs 3 render threads. Counts are areas of the rectangles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/engine3d.h"
#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

static const float white[4] = {1, 1, 1, 1};

/* Discards where v0.x < 0.5. */
static const char fs_discard[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\n"
        "flt r1, r0, 0.5\n"
        "discardc r1\n"
        "st.out color0.x, r0\nst.out color0.y, 1.0\nst.out color0.z, 0.0\nst.out color0.w, 1.0\n"
        "end\n";

enum { MARKS = 8 };

static void mark(struct scene *s, uint64_t counters, unsigned index)
{
	vgpu_pkt_occlusion_count(&s->cb, counters + 8 * index);
}

static uint64_t counter(struct scene *s, uint64_t counters, unsigned index)
{
	uint64_t v;
	memcpy(&v, scene_host(s, counters + 8 * index), 8);
	return v;
}

/* The sequence of draws; mark k is written before step k. */
static struct scene *render(unsigned threads, uint64_t *counters_va)
{
	struct scene *s = scene_create(threads, 64, 64);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	uint64_t counters = scene_alloc(s, 8 * MARKS, NULL);
	*counters_va = counters;
	uint32_t less = VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4;
	mark(s, counters, 0);
	vgpu_pkt_clear(&s->cb, 0x31, (float[4]){0, 0, 0, 0}, 0.5f, 0); /* CLEAR does not count */
	mark(s, counters, 1);
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){less});
	scene_rect(s, 0, 0, 40, 30, 0.25f, white); /* 1200 pass */
	mark(s, counters, 2);
	scene_rect(s, 20, 10, 60, 50, 0.4f, white); /* 1600 minus the 20x20 under the first: 1200 */
	mark(s, counters, 3);
	/* stencil: write 1 into 16x16 (depth ALWAYS, 256 pass), then test EQUAL 1 over everything (256 pass)
	 */
	uint32_t always = VGPU_DEPTH_TEST | VGPU_COMPARE_ALWAYS << 4;
	uint32_t replace =
	        VGPU_STENCIL_ENABLE | VGPU_COMPARE_ALWAYS << 1 | VGPU_STENCIL_OP_REPLACE << 10 | 1u << 16;
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){always, replace, 0xffff, replace, 0xffff});
	scene_rect(s, 0, 0, 16, 16, 0.1f, white);
	uint32_t equal = VGPU_STENCIL_ENABLE | VGPU_COMPARE_EQUAL << 1 | 1u << 16;
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){always, equal, 0xffff, equal, 0xffff});
	scene_rect(s, 0, 0, 64, 64, 0.1f, white);
	mark(s, counters, 4);
	/* discard: the left half (v0.x = 0) is discarded, the right half (1) kept: 32 x 8 = 256; colour
	 * writes masked off still count */
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){0});
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){0, 0, 0, 0}, (float[4]){0});
	scene_shader(s, fs_discard);
	scene_rect(s, 0, 56, 32, 64, 0.5f, (const float[4]){0, 0, 0, 1});
	scene_rect(s, 32, 56, 64, 64, 0.5f, white);
	mark(s, counters, 5);
	/* points count too: three 2x2 points, one of them outside the framebuffer */
	vgpu_pkt_set_raster(&s->cb, GL, 2.0f, 1.0f);
	float points[24] = {10, 10, 0.5f, 1, 1,   1,   1,    1, 30, 40, 0.5f, 1,
	                    1,  1,  1,    1, -10, -10, 0.5f, 1, 1,  1,  1,    1};
	scene_draw(s, VGPU_TOPOLOGY_POINTS, points, 3);
	mark(s, counters, 6);
	scene_run(s);
	return s;
}

static void test_counts_against_exact_coverage(void)
{
	uint64_t c;
	struct scene *s = render(2, &c);
	const uint64_t expect[MARKS - 1] = {0, 0, 1200, 1200, 512, 256, 8};
	VT_CHECK_EQ_U64(counter(s, c, 0), 0); /* from reset */
	for (unsigned k = 1; k < MARKS - 1; k++) {
		uint64_t delta = counter(s, c, k) - counter(s, c, k - 1);
		if (delta != expect[k])
			fprintf(stderr, "# step %u: %llu samples, expected %llu\n", k,
			        (unsigned long long)delta, (unsigned long long)expect[k]);
		VT_CHECK_EQ_U64(delta, expect[k]);
	}
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	uint64_t c1, c3;
	struct scene *one = render(1, &c1), *three = render(3, &c3);
	for (unsigned k = 0; k < MARKS - 1; k++)
		VT_CHECK_EQ_U64(counter(one, c1, k), counter(three, c3, k));
	VT_CHECK(memcmp(scene_pixel(one, 0, 0, 0), scene_pixel(three, 0, 0, 0), 64 * 64 * 4) == 0);
	scene_destroy(one);
	scene_destroy(three);
}

static void test_bad_addresses_fault(void)
{
	struct scene *s = scene_create(1, 4, 4);
	uint64_t va = scene_alloc(s, 16, NULL);
	vgpu_pkt_occlusion_count(&s->cb, va + 4);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_MMU_BAD_ADDRESS), va + 4);
	vgpu_pkt_occlusion_count(&s->cb, 0x7000000000ull);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_MMU_NOT_MAPPED), 0x7000000000ull);
	fx_map(s->fx, 0x7000000000ull, FX_DATA_PA, 1, false);
	vgpu_pkt_occlusion_count(&s->cb, 0x7000000000ull);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_MMU_READ_ONLY), 0x7000000000ull);
	vgpu_pkt_raw(&s->cb, VGPU_PKT_HEADER(VGPU_PKT_OCCLUSION_COUNT, 3), (uint32_t[3]){0}, 3);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_LENGTH),
	                VGPU_PKT_HEADER(VGPU_PKT_OCCLUSION_COUNT, 3));
	scene_destroy(s);
}

/* Drop the 1.1 packets from a saved 3D list of len_3d bytes and the counter (the last 8 bytes before the
 * list's length) from the registers part: a version 2 blob. */
static size_t as_version_2(uint8_t *blob, size_t size, size_t len_3d)
{
	size_t regs_end = size - 4 - len_3d;
	uint8_t *out = malloc(size);
	size_t n = regs_end - 8; /* without the counter */
	memcpy(out, blob, n);
	uint32_t two = 2;
	memcpy(out + 4, &two, 4);
	size_t list = n + 4, o = list;
	for (size_t pos = regs_end + 4; pos < size;) {
		uint32_t header;
		memcpy(&header, blob + pos, 4);
		size_t bytes = 4 + 4 * (size_t)VGPU_PKT_LENGTH(header);
		uint32_t op = VGPU_PKT_OPCODE(header);
		if (op != VGPU_PKT_SET_DEPTH_BIAS && op != VGPU_PKT_SET_POINT_SPRITE)
			memcpy(out + o, blob + pos, bytes), o += bytes;
		pos += bytes;
	}
	uint32_t len = (uint32_t)(o - list);
	memcpy(out + n, &len, 4);
	memcpy(blob, out, o);
	free(out);
	return o;
}

/* The counter survives a snapshot into another GPU; a version 2 blob loads with it at 0; reset zeroes it. */
static void test_snapshot_and_reset(void)
{
	uint64_t c;
	struct scene *s = render(1, &c);
	uint64_t total = counter(s, c, MARKS - 2);
	struct vgpu *gpu = s->fx->gpu;
	vgpu_pause(gpu);
	size_t size = vgpu_state_size(gpu), len_3d = engine3d_state_save(gpu->engine3d, NULL, 0);
	uint8_t *blob = malloc(size);
	VT_CHECK_EQ_INT(vgpu_state_save(gpu, blob, size), 0);
	vgpu_resume(gpu);

	struct scene *t = scene_create(1, 4, 4);
	char error[200];
	VT_CHECK_EQ_INT(vgpu_state_load(t->fx->gpu, blob, size, error, sizeof(error)), 0);
	uint64_t va = scene_alloc(t, 8, NULL);
	vgpu_pkt_occlusion_count(&t->cb, va);
	scene_run(t);
	VT_CHECK_EQ_U64(counter(t, va, 0), total);

	size_t size2 = as_version_2(blob, size, len_3d);
	int loaded = vgpu_state_load(t->fx->gpu, blob, size2, error, sizeof(error));
	if (loaded != 0)
		fprintf(stderr, "# %s\n", error);
	VT_CHECK_EQ_INT(loaded, 0);
	vgpu_pkt_occlusion_count(&t->cb, va);
	scene_run(t);
	VT_CHECK_EQ_U64(counter(t, va, 0), 0);

	uint32_t future = 4; /* a later version is refused with a message */
	memcpy(blob + 4, &future, 4);
	VT_CHECK_EQ_INT(vgpu_state_load(t->fx->gpu, blob, size2, error, sizeof(error)), -1);
	VT_CHECK(strstr(error, "version") != NULL);
	free(blob);
	scene_destroy(t);

	VT_CHECK_EQ_U64(engine3d_samples_passed(gpu->engine3d), total);
	vgpu_reg_write(gpu, VGPU_REG_RESET, VGPU_RESET_MAGIC);
	VT_CHECK_EQ_U64(engine3d_samples_passed(gpu->engine3d), 0);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_counts_against_exact_coverage),
	        VT_CASE(test_thread_counts_agree),
	        VT_CASE(test_bad_addresses_fault),
	        VT_CASE(test_snapshot_and_reset),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
