/* SPDX-License-Identifier: MIT */
/* Per-fragment operations and fragment-shader features: every depth function on every depth format, every
 * stencil op on each path, every blend factor and equation with the constant colour, write masks, multiple
 * render targets, discard, divergent loops, derivatives, and the three interpolation modes. Expected values
 * come from the formulas of the spec, evaluated here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "scene.h"
#include "vgpu_test.h"

#define GL VGPU_RASTER_HALF_PIXEL_CENTER

static const float white[4] = {1, 1, 1, 1};

static bool compare(unsigned func, double a, double b)
{
	switch (func) {
	case 0:
		return false;
	case 1:
		return a < b;
	case 2:
		return a == b;
	case 3:
		return a <= b;
	case 4:
		return a > b;
	case 5:
		return a != b;
	case 6:
		return a >= b;
	default:
		return true;
	}
}

static double quantize(uint32_t format, double z)
{
	if (format == VGPU_FORMAT_Z32_FLOAT)
		return (float)z;
	double max = format == VGPU_FORMAT_Z16_UNORM ? 65535.0 : 16777215.0;
	return nearbyint(z * max);
}

static double stored_depth(struct scene *s, uint32_t format, uint32_t x, uint32_t y)
{
	uint32_t raw = scene_pixel32(s, 4, x, y);
	float f;
	switch (format) {
	case VGPU_FORMAT_Z16_UNORM:
		return raw & 0xffff;
	case VGPU_FORMAT_Z24_UNORM_S8_UINT:
		return raw & 0xffffff;
	default:
		memcpy(&f, &raw, 4);
		return f;
	}
}

/* Depth ramp z = (x + 0.5) / 64 against a buffer cleared to 0.5; tolerance: one unit of the format (the
 * interpolated depth is a float sum). */
static void test_depth_functions(void)
{
	const uint32_t formats[3] = {VGPU_FORMAT_Z16_UNORM, VGPU_FORMAT_Z24_UNORM_S8_UINT,
	                             VGPU_FORMAT_Z32_FLOAT};
	unsigned bad = 0;
	for (int f = 0; f < 3; f++) {
		for (unsigned func = 0; func < 8; func++) {
			struct scene *s = scene_create(2, 64, 4);
			scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
			scene_add_depth(s, formats[f]);
			scene_framebuffer(s, GL);
			scene_shader(s, scene_vs_passthrough);
			scene_shader(s, scene_fs_color);
			vgpu_pkt_clear(&s->cb, 0x11, (float[4]){0, 0, 0, 0}, 0.5f, 0);
			vgpu_pkt_set_depth_stencil(
			        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | func << 4});
			scene_rect_depth_ramp(s, 0, 0, 64, 4, 0.0f, 1.0f, white);
			scene_run(s);
			double tolerance = formats[f] == VGPU_FORMAT_Z32_FLOAT ? 1e-6 : 1.0;
			for (uint32_t y = 0; y < 4; y++)
				for (uint32_t x = 0; x < 64; x++) {
					double z = (x + 0.5) / 64.0;
					bool pass = compare(func, quantize(formats[f], z),
					                    quantize(formats[f], 0.5));
					bad += (scene_pixel32(s, 0, x, y) == 0xffffffffu) != pass;
					double expect = quantize(formats[f], pass ? z : 0.5);
					bad += fabs(stored_depth(s, formats[f], x, y) - expect) > tolerance;
				}
			scene_destroy(s);
		}
	}
	VT_CHECK_EQ_INT(bad, 0);
}

static uint32_t stencil_op(unsigned op, uint32_t s, uint32_t ref)
{
	switch (op) {
	case 0:
		return s;
	case 1:
		return 0;
	case 2:
		return ref;
	case 3:
		return s == 255 ? 255 : s + 1;
	case 4:
		return s == 0 ? 0 : s - 1;
	case 5:
		return 255 - s;
	case 6:
		return (s + 1) % 256;
	default:
		return (s + 255) % 256;
	}
}

/* Each op on each path (stencil fail, depth fail, pass), for front faces and with a partial write mask. */
static void test_stencil_ops(void)
{
	const uint32_t initial[2] = {0x85, 0xff}, ref = 0x3c;
	unsigned bad = 0;
	for (unsigned op = 0; op < 8; op++) {
		for (unsigned path = 0; path < 3; path++) {
			for (unsigned k = 0; k < 2; k++) {
				struct scene *s = scene_create(1, 8, 8);
				scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
				scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
				scene_framebuffer(s, GL);
				scene_shader(s, scene_vs_passthrough);
				scene_shader(s, scene_fs_color);
				vgpu_pkt_clear(&s->cb, 0x31, (float[4]){0, 0, 0, 0}, 0.5f, initial[k]);
				unsigned func = path == 0 ? VGPU_COMPARE_NEVER : VGPU_COMPARE_ALWAYS;
				uint32_t write_mask = k ? 0x0f : 0xff;
				uint32_t face = VGPU_STENCIL_ENABLE | func << 1 | op << 4 | op << 7 |
				                op << 10 | ref << 16;
				vgpu_pkt_set_depth_stencil(
				        &s->cb,
				        (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_COMPARE_LESS << 4, face,
				                      0xff | write_mask << 8, face, 0xff | write_mask << 8});
				scene_rect(s, 0, 0, 8, 8, path == 1 ? 0.9f : 0.1f, white);
				scene_run(s);
				uint32_t result = stencil_op(op, initial[k], ref);
				uint32_t expect = (initial[k] & ~write_mask) | (result & write_mask);
				for (uint32_t y = 0; y < 8; y++)
					for (uint32_t x = 0; x < 8; x++) {
						bad += scene_pixel32(s, 4, x, y) >> 24 != expect;
						bad += (scene_pixel32(s, 0, x, y) != 0) != (path == 2);
					}
				scene_destroy(s);
			}
		}
	}
	VT_CHECK_EQ_INT(bad, 0);
}

/* Front and back faces use their own stencil state: a clockwise and a counter-clockwise triangle. */
static void test_stencil_back_faces(void)
{
	struct scene *s = scene_create(2, 16, 16);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	scene_framebuffer(s, GL | VGPU_RASTER_FRONT_CCW);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_clear(&s->cb, 0x31, (float[4]){0, 0, 0, 0}, 1.0f, 10);
	uint32_t front = VGPU_STENCIL_ENABLE | VGPU_COMPARE_ALWAYS << 1 | VGPU_STENCIL_OP_INCR << 10;
	uint32_t back = VGPU_STENCIL_ENABLE | VGPU_COMPARE_ALWAYS << 1 | VGPU_STENCIL_OP_ZERO << 10;
	vgpu_pkt_set_depth_stencil(&s->cb, (uint32_t[5]){0, front, 0xffff, back, 0xffff});
	/* Counter-clockwise means a positive signed area (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0) of the
	 * window coordinates, as in gallium: triangle b is front-facing, triangle a (area < 0) back-facing.
	 */
	float cw[24] = {0, 0, 0.5f, 1, 1, 1, 1, 1, 0, 16, 0.5f, 1, 1, 1, 1, 1, 8, 0, 0.5f, 1, 1, 1, 1, 1};
	float ccw[24] = {16, 0, 0.5f, 1, 1, 1, 1, 1, 16, 16, 0.5f, 1, 1, 1, 1, 1, 8, 16, 0.5f, 1, 1, 1, 1, 1};
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, cw, 3);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, ccw, 3);
	scene_run(s);
	float a[3][2] = {{0, 0}, {0, 16}, {8, 0}}, b[3][2] = {{16, 0}, {16, 16}, {8, 16}};
	unsigned bad = 0;
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 16; x++) {
			uint32_t expect = ref_triangle_covers(b, x, y)   ? 11
			                  : ref_triangle_covers(a, x, y) ? 0
			                                                 : 10;
			bad += scene_pixel32(s, 4, (uint32_t)x, (uint32_t)y) >> 24 != expect;
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static double factor(unsigned f, int c, const double *src, const double *dst, const double *cc)
{
	switch (f) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return src[c];
	case 3:
		return 1 - src[c];
	case 4:
		return dst[c];
	case 5:
		return 1 - dst[c];
	case 6:
		return src[3];
	case 7:
		return 1 - src[3];
	case 8:
		return dst[3];
	case 9:
		return 1 - dst[3];
	case 10:
		return cc[c];
	case 11:
		return 1 - cc[c];
	case 12:
		return cc[3];
	case 13:
		return 1 - cc[3];
	default:
		return c == 3 ? 1 : fmin(src[3], 1 - dst[3]);
	}
}

static double equation(unsigned eq, double s, double sf, double d, double df)
{
	switch (eq) {
	case 0:
		return s * sf + d * df;
	case 1:
		return s * sf - d * df;
	case 2:
		return d * df - s * sf;
	case 3:
		return fmin(s, d);
	default:
		return fmax(s, d);
	}
}

/* Every (source, destination) factor pair with ADD, and every equation with a few pairs, each into its own
 * pixel of an RGBA8 target. Tolerance: 1 unit (float blending, then round to nearest). */
static void test_blend_factors_and_equations(void)
{
	const float src[4] = {0.9f, 0.3f, 0.5f, 0.7f}, dst[4] = {0.2f, 0.4f, 0.6f, 0.8f};
	const float cc[4] = {0.25f, 0.5f, 0.75f, 0.1f};
	struct {
		unsigned eq, sf, df;
	} combos[15 * 15 + 5 * 4];
	unsigned n = 0;
	for (unsigned sf = 0; sf < 15; sf++)
		for (unsigned df = 0; df < 15; df++)
			combos[n].eq = 0, combos[n].sf = sf, combos[n].df = df, n++;
	const unsigned pairs[4][2] = {{1, 1}, {6, 7}, {2, 4}, {10, 13}};
	for (unsigned eq = 0; eq < 5; eq++)
		for (unsigned p = 0; p < 4; p++)
			combos[n].eq = eq, combos[n].sf = pairs[p][0], combos[n].df = pairs[p][1], n++;

	struct scene *s = scene_create(2, 16, 16);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_clear(&s->cb, 1, dst, 1.0f, 0);
	scene_run(s);
	for (unsigned i = 0; i < n; i++) {
		/* alpha uses the same factors (factors 2..5 mean the alpha channel there) and the equation */
		uint32_t word = VGPU_BLEND_ENABLE | combos[i].eq << 1 | combos[i].sf << 4 |
		                combos[i].df << 9 | combos[i].eq << 14 | combos[i].sf << 17 |
		                combos[i].df << 22 | 0xfu << 27;
		vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){word, 0, 0, 0}, cc);
		scene_rect(s, (float)(i % 16), (float)(i / 16), (float)(i % 16 + 1), (float)(i / 16 + 1),
		           0.5f, src);
		if (i % 64 == 63 || i == n - 1)
			scene_run(s);
	}
	unsigned bad = 0;
	double d[4], sv[4], c[4];
	for (int k = 0; k < 4; k++)
		d[k] = nearbyint(dst[k] * 255.0) / 255.0, sv[k] = src[k], c[k] = cc[k];
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = scene_pixel(s, 0, i % 16, i / 16);
		for (int k = 0; k < 4; k++) {
			double r = equation(combos[i].eq, sv[k], factor(combos[i].sf, k, sv, d, c), d[k],
			                    factor(combos[i].df, k, sv, d, c));
			r = r < 0 ? 0 : r > 1 ? 1 : r;
			if (fabs(p[k] - r * 255.0) > 1.0) {
				bad++;
				fprintf(stderr,
				        "# combo %u (eq %u sf %u df %u) channel %d: %u, expected %.2f\n", i,
				        combos[i].eq, combos[i].sf, combos[i].df, k, p[k], r * 255.0);
			}
		}
	}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static const char fs_mrt[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, 0.0\nst.out color0.w, 1.0\n"
        "mov r2, sr.fragcoord.x\nmov r3, sr.fragcoord.y\nfmul r3, r3, 100.0\nfadd r2, r2, r3\n"
        "st.out color1.x, r2\n"
        "end\n";

/* Two targets of different formats, the first with a write mask (red and alpha only). */
static void test_mrt_and_write_mask(void)
{
	struct scene *s = scene_create(2, 40, 30);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_target(s, VGPU_FORMAT_R32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_mrt);
	vgpu_pkt_clear(&s->cb, 3, (float[4]){0.0f, 0.0f, 1.0f, 0.0f}, 1.0f, 0);
	uint32_t mask_ra = (1u | 8u) << 27, all = 0xfu << 27;
	vgpu_pkt_set_blend(&s->cb, (uint32_t[4]){mask_ra, all, 0, 0}, (float[4]){0});
	scene_rect(s, 0, 0, 40, 30, 0.5f, (float[4]){1.0f, 1.0f, 0.0f, 1.0f});
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 30; y++)
		for (uint32_t x = 0; x < 40; x++) {
			bad += scene_pixel32(s, 0, x, y) !=
			       0xffff0000u + 0xffu; /* R written, G kept 0, B kept 1 */
			float f;
			memcpy(&f, scene_pixel(s, 1, x, y), 4);
			bad += f != (float)(x + 0.5) + (float)(y + 0.5) * 100.0f;
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static const char fs_discard_loop[] =
        ".stage fragment\n"
        "mov r0, sr.fragcoord.x\n"
        "flt r1, r0, 10.0\n"
        "discardc r1\n"
        "f2i r2, r0\n"
        "and r2, r2, 7\n"        /* n = x mod 8 */
        "mov r3, 0\nmov r4, 0\n" /* i, sum */
        "loop\n"
        "  ult r5, r3, r2\n"
        "  not r5, r5\n"
        "  breakc r5\n"
        "  iadd r3, r3, 1\n"
        "  iadd r4, r4, r3\n"
        "endloop\n"
        "u2f r4, r4\n"
        "fmul r4, r4, 0.00392156886\n" /* sum / 255 */
        "st.out color0.x, r4\nst.out color0.y, 1.0\nst.out color0.z, 0.0\nst.out color0.w, 1.0\n"
        "end\n";

/* Discard left of x = 10; elsewhere a loop whose trip count depends on the pixel: red = n(n+1)/2 / 255. */
static void test_discard_and_divergent_loop(void)
{
	struct scene *s = scene_create(2, 48, 20);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_discard_loop);
	vgpu_pkt_clear(&s->cb, 0x11, (float[4]){0, 0, 1, 1}, 1.0f, 0);
	vgpu_pkt_set_depth_stencil(
	        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4});
	scene_rect(s, 0, 0, 48, 20, 0.25f, white);
	scene_run(s);
	unsigned bad = 0;
	for (uint32_t y = 0; y < 20; y++)
		for (uint32_t x = 0; x < 48; x++) {
			uint32_t n = x % 8, sum = n * (n + 1) / 2;
			uint32_t expect = x < 10 ? 0xffff0000u : 0xff00ff00u | sum;
			bad += scene_pixel32(s, 0, x, y) != expect;
			float depth;
			memcpy(&depth, scene_pixel(s, 4, x, y), 4);
			bad += depth != (x < 10 ? 1.0f : 0.25f); /* discarded fragments leave depth alone */
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static const char fs_derivatives[] =
        ".stage fragment\n"
        "mov r0, sr.fragcoord.x\nmov r1, sr.fragcoord.y\n"
        "fmul r2, r0, 3.0\nffma r2, r1, 5.0, r2\n" /* f = 3x + 5y */
        "fmul r3, r0, r0\n"                        /* g = x^2 */
        "ddx r4, r2\nddy r5, r2\nddx.fine r6, r3\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r0\n"
        "end\n";

/* Quad derivatives on a triangle edge too: helper lanes run, so partial quads still see 3 and 5. */
static void test_derivatives(void)
{
	struct scene *s = scene_create(2, 32, 32);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, GL);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_derivatives);
	float tri[24] = {1, 1, 0.5f, 1, 0, 0, 0, 0, 31, 3, 0.5f, 1, 0, 0, 0, 0, 5, 30, 0.5f, 1, 0, 0, 0, 0};
	float v[3][2] = {{1, 1}, {31, 3}, {5, 30}};
	vgpu_pkt_clear(&s->cb, 1, (float[4]){-1, -1, -1, -1}, 1.0f, 0);
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, tri, 3);
	scene_run(s);
	unsigned bad = 0;
	for (int y = 0; y < 32; y++)
		for (int x = 0; x < 32; x++) {
			float out[4];
			memcpy(out, scene_pixel(s, 0, (uint32_t)x, (uint32_t)y), 16);
			if (!ref_triangle_covers(v, x, y)) {
				bad += out[0] != -1.0f;
				continue;
			}
			/* fine ddx of x^2 in the quad's row: (x1^2 - x0^2) = 2 * x0 + 1 with x0 the even
			 * column centre */
			double x0 = (x & ~1) + 0.5;
			bad += out[0] != 3.0f || out[1] != 5.0f || fabs(out[2] - (2 * x0 + 1)) > 1e-3;
		}
	VT_CHECK_EQ_INT(bad, 0);
	scene_destroy(s);
}

static const char fs_interpolation[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.noperspective r1, v0.x\nld.var.flat r2, v0.x\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, r2\nst.out color0.w, 1.0\n"
        "end\n";

/* A triangle with different w per vertex: smooth follows the perspective-correct weights, noperspective the
 * screen-space ones, flat the provoking (last, or first with PROVOKING_FIRST) vertex. Tolerance 1e-4. */
static void test_interpolation_modes(void)
{
	for (int first = 0; first < 2; first++) {
		struct scene *s = scene_create(2, 40, 40);
		scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
		scene_framebuffer(s, GL | (first ? VGPU_RASTER_PROVOKING_FIRST : 0));
		scene_shader(s, scene_vs_passthrough);
		scene_shader(s, fs_interpolation);
		const float win[3][2] = {{2, 2}, {38, 6}, {8, 37}}, w[3] = {1.0f, 4.0f, 2.0f};
		const float value[3] = {10.0f, 20.0f, 40.0f};
		float data[24];
		for (int k = 0; k < 3; k++) {
			float v[8] = {
			        win[k][0] * w[k], win[k][1] * w[k], 0.5f * w[k], w[k], value[k], 0, 0, 0};
			memcpy(data + 8 * k, v, sizeof(v));
		}
		scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 3);
		scene_run(s);
		unsigned bad = 0;
		double area = (win[1][0] - win[0][0]) * (win[2][1] - win[0][1]) -
		              (win[2][0] - win[0][0]) * (win[1][1] - win[0][1]);
		for (int y = 0; y < 40; y++)
			for (int x = 0; x < 40; x++) {
				if (!ref_triangle_covers(win, x, y))
					continue;
				double px = x + 0.5, py = y + 0.5;
				double l1 = ((px - win[0][0]) * (win[2][1] - win[0][1]) -
				             (win[2][0] - win[0][0]) * (py - win[0][1])) /
				            area;
				double l2 = ((win[1][0] - win[0][0]) * (py - win[0][1]) -
				             (px - win[0][0]) * (win[1][1] - win[0][1])) /
				            area;
				double l[3] = {1 - l1 - l2, l1, l2}, sum = 0, smooth = 0, linear = 0;
				for (int k = 0; k < 3; k++)
					sum += l[k] / w[k];
				for (int k = 0; k < 3; k++)
					smooth += value[k] * l[k] / w[k] / sum, linear += value[k] * l[k];
				float out[4];
				memcpy(out, scene_pixel(s, 0, (uint32_t)x, (uint32_t)y), 16);
				bad += fabs(out[0] - smooth) > 1e-4 * 40 || fabs(out[1] - linear) > 1e-4 * 40;
				bad += out[2] != value[first ? 0 : 2];
			}
		VT_CHECK_EQ_INT(bad, 0);
		scene_destroy(s);
	}
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_depth_functions),    VT_CASE(test_stencil_ops),
	        VT_CASE(test_stencil_back_faces), VT_CASE(test_blend_factors_and_equations),
	        VT_CASE(test_mrt_and_write_mask), VT_CASE(test_discard_and_divergent_loop),
	        VT_CASE(test_derivatives),        VT_CASE(test_interpolation_modes),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
