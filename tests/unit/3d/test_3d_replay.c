/* SPDX-License-Identifier: MIT */
/* Capture a 3D scene, replay it with vgpu-replay's code writing every draw's targets as PNG, and compare the
 * PNGs with the targets the live GPU rendered: colour as RGB bytes, depth as grey round(255 d). The scene
 * uses hardware 1.1 packets too (an sRGB target, whose PNG holds its encoded bytes; depth bias; the occlusion
 * counter), which the replay runs like any other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "scene.h"
#include "vgpu_test.h"
#include "vt_png.h"

static void test_replay_writes_every_draw(void)
{
	char dir[] = "/tmp/vgpu-3d-replay-XXXXXX", capture[128], path[200], error[400];
	VT_CHECK(mkdtemp(dir) != NULL);
	snprintf(capture, sizeof(capture), "%s/capture", dir);
	struct scene *s = scene_create(2, 70, 50);
	VT_CHECK_EQ_INT(vgpu_capture_start(s->fx->gpu, capture, error, sizeof(error)), 0);
	scene_add_target(s, VGPU_FORMAT_B8G8R8A8_SRGB);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	scene_framebuffer(s, VGPU_RASTER_HALF_PIXEL_CENTER);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, scene_fs_color);
	vgpu_pkt_set_depth_stencil(
	        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4});
	vgpu_pkt_clear(&s->cb, 0x31, (float[4]){0.1f, 0.2f, 0.3f, 1}, 1.0f, 0);
	float tri[24] = {3, 2, 0.2f, 1, 1, 0, 0, 1, 66, 10, 0.9f, 1, 0, 1, 0, 1, 20, 47, 0.5f, 1, 0, 0, 1, 1};
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, tri, 3);
	vgpu_pkt_set_depth_bias(&s->cb, 1000.0f, 2.0f, 0.0f);
	scene_rect_depth_ramp(s, 10, 10, 60, 40, 0.0f, 1.0f, (float[4]){1, 1, 0, 1});
	uint64_t counter = scene_alloc(s, 8, NULL);
	vgpu_pkt_occlusion_count(&s->cb, counter);
	scene_run(s);
	uint64_t samples;
	memcpy(&samples, scene_host(s, counter), 8);
	VT_CHECK(samples > 0);
	vgpu_capture_stop(s->fx->gpu);

	struct replay_image image;
	VT_CHECK_EQ_INT(replay_capture_draws(capture, dir, &image, error, sizeof(error)), 0);
	VT_CHECK(image.rgb == NULL); /* nothing was displayed */
	snprintf(path, sizeof(path), "%s/draw-00001-color0.png", dir);
	uint32_t w = 0, h = 0;
	uint8_t *color = vt_read_png_rgb(path, &w, &h);
	snprintf(path, sizeof(path), "%s/draw-00001-depth.png", dir);
	uint32_t dw = 0, dh = 0;
	uint8_t *depth = vt_read_png_rgb(path, &dw, &dh);
	VT_CHECK(color && depth && w == 70 && h == 50 && dw == 70 && dh == 50);
	unsigned bad = 0;
	for (uint32_t y = 0; color && depth && y < 50; y++)
		for (uint32_t x = 0; x < 70; x++) {
			const uint8_t *live = scene_pixel(s, 0, x, y), *png = color + (y * 70 + x) * 3;
			bad += png[0] != live[2] || png[1] != live[1] || png[2] != live[0];
			double d = (scene_pixel32(s, 4, x, y) & 0xffffff) / 16777215.0;
			bad += fabs(depth[(y * 70 + x) * 3] - d * 255.0) > 0.5 + 1e-6;
		}
	VT_CHECK_EQ_INT(bad, 0);
	snprintf(path, sizeof(path), "%s/draw-00000-color0.png", dir);
	VT_CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/draw-00002-color0.png", dir);
	VT_CHECK(access(path, R_OK) != 0); /* two draws, two sets of files */
	free(color);
	free(depth);
	scene_destroy(s);
	char command[300];
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	VT_CHECK_EQ_INT(system(command), 0);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_replay_writes_every_draw),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
