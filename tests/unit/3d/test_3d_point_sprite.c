/* SPDX-License-Identifier: MIT */
/* Point sprite coordinates (spec 10.4.1, version 1.1): points of several sizes (1 to the clamp at 64) at
 * fractional positions, both origins, both pixel-centre conventions, smooth, noperspective and flat reads of
 * the replaced slot, other slots untouched, triangles ignoring the mask, perspective (w != 1) points, the
 * reserved bits, and 1 vs 3 render threads. Expected s and t come from the spec's formulas evaluated here in
 * double precision; coverage from the square and the top-left rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER
#define W  96
#define H  80

/* var0 = var1 = a1 */
static const char vs_two_varyings[] =
        ".stage vertex\n"
        "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
        "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
        "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
        "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
        "st.out var1.x, r4\nst.out var1.y, r5\nst.out var1.z, r6\nst.out var1.w, r7\n"
        "end\n";

/* color0 = v1 (s smooth, t noperspective, z and w smooth); color1 = (v1.x flat, v1.w flat, v0.x, v0.w) */
static const char fs_sprite[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v1.x\nld.var.noperspective r1, v1.y\n"
        "ld.var.smooth r2, v1.z\nld.var.smooth r3, v1.w\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, r2\nst.out color0.w, r3\n"
        "ld.var.flat r4, v1.x\nld.var.flat r5, v1.w\n"
        "ld.var.smooth r6, v0.x\nld.var.smooth r7, v0.w\n"
        "st.out color1.x, r4\nst.out color1.y, r5\nst.out color1.z, r6\nst.out color1.w, r7\n"
        "end\n";

struct sprite_point {
	float x, y, size, w; /* window position, point size, clip w (x, y, z scaled by it) */
};

static const struct sprite_point points[] = {
        {10.25f, 10.75f, 1, 1},   {30.5f, 12.0f, 4, 1},   {55.125f, 14.625f, 7, 1},
        {20.0f, 40.0f, 13.5f, 2}, {60.0f, 50.0f, 100, 1}, /* clamped to 64 */
};
#define POINTS (sizeof(points) / sizeof(points[0]))

static float clamped_size(float size)
{
	return size < 1 ? 1 : size > 64 ? 64 : size;
}

/* One point per target (they overlap otherwise), drawn with its own size. */
static struct scene *render_point(unsigned threads, const struct sprite_point *p, uint32_t raster,
                                  uint32_t sprite)
{
	struct scene *s = scene_create(threads, W, H);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, raster);
	vgpu_pkt_set_raster(&s->cb, raster, p->size, 1.0f);
	scene_shader(s, vs_two_varyings);
	scene_shader(s, fs_sprite);
	vgpu_pkt_set_point_sprite(&s->cb, sprite & 0xffff, sprite & ~0xffffu);
	float v[8] = {p->x * p->w, p->y * p->w, 0.5f * p->w, p->w, 0.25f, 0.5f, 0.75f, 0.125f};
	scene_draw(s, VGPU_TOPOLOGY_POINTS, v, 1);
	scene_run(s);
	return s;
}

static void check_point(struct scene *s, const struct sprite_point *p, uint32_t raster, bool lower_left,
                        unsigned *bad)
{
	double size = clamped_size(p->size), half = size / 2, centre = raster & GL ? 0.5 : 0.0;
	unsigned covered = 0;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			double fx = x + centre, fy = y + centre;
			/* top-left rule: left and top edges inside, right and bottom outside */
			bool inside = fx >= p->x - half && fx < p->x + half && fy >= p->y - half &&
			              fy < p->y + half;
			float c0[4], c1[4];
			memcpy(c0, scene_pixel(s, 0, x, y), 16);
			memcpy(c1, scene_pixel(s, 1, x, y), 16);
			bool drawn = c0[3] == 1.0f;
			if (drawn != inside) {
				if ((*bad)++ < 5)
					fprintf(stderr, "# point %.3f,%.3f size %g: pixel %u,%u drawn %d\n",
					        p->x, p->y, size, x, y, drawn);
				continue;
			}
			if (!inside)
				continue;
			covered++;
			double es = 0.5 + (fx - p->x) / size;
			double et = lower_left ? 0.5 - (fy - p->y) / size : 0.5 + (fy - p->y) / size;
			bool ok = fabs(c0[0] - es) <= 1e-6 && fabs(c0[1] - et) <= 1e-6 && c0[2] == 0.0f &&
			          c1[0] == 0.0f && c1[1] == 1.0f && c1[2] == 0.25f && c1[3] == 0.125f;
			if (!ok && (*bad)++ < 5)
				fprintf(stderr,
				        "# point size %g pixel %u,%u: s %.9g t %.9g (expected %.9g %.9g)\n",
				        size, x, y, c0[0], c0[1], es, et);
		}
	if (covered == 0)
		(*bad)++;
}

static void test_sizes_origins_and_centres(void)
{
	unsigned bad = 0;
	for (unsigned lower_left = 0; lower_left < 2; lower_left++)
		for (unsigned gl = 0; gl < 2; gl++)
			for (size_t i = 0; i < POINTS; i++) {
				uint32_t raster = gl ? GL : 0;
				uint32_t sprite =
				        1u << 1 | (lower_left ? VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT : 0);
				struct scene *s = render_point(2, &points[i], raster, sprite);
				check_point(s, &points[i], raster, lower_left, &bad);
				scene_destroy(s);
			}
	VT_CHECK_EQ_INT(bad, 0);
}

/* Without the slot in the mask, or for a triangle, the vertex shader's values arrive. */
static void test_unmasked_slots_and_triangles(void)
{
	struct scene *s = render_point(1, &points[2], GL, 1u << 0 | 1u << 5); /* v0 and an unread slot */
	float c0[4], c1[4];
	memcpy(c0, scene_pixel(s, 0, 55, 14), 16);
	memcpy(c1, scene_pixel(s, 1, 55, 14), 16);
	VT_CHECK(c0[0] == 0.25f && c0[1] == 0.5f && c0[2] == 0.75f && c0[3] == 0.125f); /* v1 untouched */
	VT_CHECK(c1[2] != 0.25f || c1[3] != 0.125f); /* v0 replaced: its x is s, its w 1 */
	VT_CHECK(c1[3] == 1.0f);
	scene_destroy(s);

	s = scene_create(1, 8, 8);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, vs_two_varyings);
	scene_shader(s, fs_sprite);
	vgpu_pkt_set_point_sprite(&s->cb, 0xffff, VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT);
	scene_rect(s, 0, 0, 8, 8, 0.5f, (const float[4]){0.25f, 0.5f, 0.75f, 0.125f});
	float line[16] = {0, 6.5f, 0.5f, 1, 0.25f, 0.5f, 0.75f, 0.125f,
	                  8, 6.5f, 0.5f, 1, 0.25f, 0.5f, 0.75f, 0.125f};
	scene_draw(s, VGPU_TOPOLOGY_LINES, line, 2);
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 8; y++)
		for (uint32_t x = 0; x < 8; x++) {
			memcpy(c0, scene_pixel(s, 0, x, y), 16);
			bad += c0[0] != 0.25f || c0[1] != 0.5f || c0[2] != 0.75f || c0[3] != 0.125f;
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static void test_reserved_bits_fault(void)
{
	struct scene *s = scene_create(1, 4, 4);
	for (unsigned bit = 17; bit < 32; bit += 7) {
		vgpu_pkt_set_point_sprite(&s->cb, 1, 1u << bit);
		VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_PACKET_FIELD), 0);
	}
	vgpu_pkt_set_point_sprite(&s->cb, 0xffff, VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT);
	scene_run(s);
	scene_destroy(s);
}

static void test_thread_counts_agree(void)
{
	unsigned differ = 0;
	for (size_t i = 0; i < POINTS; i++) {
		struct scene *one = render_point(1, &points[i], GL, 2),
		             *three = render_point(3, &points[i], GL, 2);
		for (unsigned t = 0; t < 2; t++)
			differ += memcmp(scene_pixel(one, t, 0, 0), scene_pixel(three, t, 0, 0),
			                 (size_t)W * H * 16) != 0;
		scene_destroy(one);
		scene_destroy(three);
	}
	VT_CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case tests[] = {
	        VT_CASE(test_sizes_origins_and_centres),
	        VT_CASE(test_unmasked_slots_and_triangles),
	        VT_CASE(test_reserved_bits_fault),
	        VT_CASE(test_thread_counts_agree),
	};
	return vt_main(tests, VT_COUNT(tests), argc, argv);
}
