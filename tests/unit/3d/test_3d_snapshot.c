/* SPDX-License-Identifier: MIT */
/* The 3D state in snapshots: save it, reset the engine, load it back, and the same DRAW renders the same
 * image; the saved list reloads to identical bytes; damaged lists are rejected and leave the state reset. */
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/engine3d.h"
#include "scene.h"
#include "vgpu_test.h"

static const char fs_textured[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
        "tex.2d r4, t0, s0, r0\nmov r8, 0\nld.ubo r9, ubo1[r8]\nfmul r4, r4, r9\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

static void draw(struct scene *s)
{
	vgpu_pkt_clear(&s->cb, 0x11, (float[4]){0, 0, 0, 0}, 1.0f, 0);
	vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 3, 1);
	scene_run(s);
}

static void test_save_reset_load_renders_the_same(void)
{
	struct scene *s = scene_create(2, 48, 40);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z32_FLOAT);
	scene_framebuffer(s, VGPU_RASTER_HALF_PIXEL_CENTER | VGPU_RASTER_SCISSOR);
	vgpu_pkt_set_scissor(&s->cb, 2, 3, 45, 37);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_textured);
	uint32_t texels[4] = {0xff0000ffu, 0xff00ff00u, 0xffff0000u, 0xffffffffu};
	vgpu_pkt_set_texture(&s->cb, 0, scene_alloc(s, sizeof(texels), texels), VGPU_FORMAT_R8G8B8A8_UNORM, 2,
	                     2, 1, VGPU_TEXTURE_2D);
	vgpu_pkt_set_sampler(&s->cb, 0, VGPU_SAMPLER_MAG_LINEAR | VGPU_SAMPLER_MIN_LINEAR, 0, 0, 4);
	float scale = 0.75f;
	vgpu_pkt_set_uniform_buffer(&s->cb, 1, scene_alloc(s, 4, &scale), 4);
	vgpu_pkt_set_depth_stencil(
	        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4});
	float tri[24] = {1, 1, 0.3f, 1, 0, 0, 0, 0, 47, 5, 0.6f, 1, 1, 0, 0, 0, 10, 39, 0.9f, 1, 0, 1, 0, 0};
	uint64_t vb = scene_alloc(s, sizeof(tri), tri);
	vgpu_pkt_set_vertex_buffer(&s->cb, 0, vb, sizeof(tri), 32);
	vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	draw(s);
	size_t bytes = 48 * 40 * 4;
	uint8_t *before = malloc(bytes);
	memcpy(before, scene_host(s, s->color[0].va), bytes);

	struct vgpu *gpu = s->fx->gpu;
	char error[200];
	vgpu_pause(gpu);
	size_t size = engine3d_state_save(gpu->engine3d, NULL, 0);
	uint8_t *saved = malloc(size), *again = malloc(size);
	VT_CHECK_EQ_U64(engine3d_state_save(gpu->engine3d, saved, size), size);
	VT_CHECK_EQ_U64(engine3d_state_save(gpu->engine3d, saved, size - 1), 0); /* too small */
	engine3d_reset(gpu->engine3d);
	VT_CHECK_EQ_INT(engine3d_state_load(gpu->engine3d, saved, size, error, sizeof(error)), 0);
	VT_CHECK_EQ_U64(engine3d_state_save(gpu->engine3d, again, size), size);
	VT_CHECK(memcmp(saved, again, size) == 0);
	vgpu_resume(gpu);
	memset(scene_host(s, s->color[0].va), 0, bytes); /* as allocated: the scissor keeps the border */
	draw(s);
	VT_CHECK(memcmp(before, scene_host(s, s->color[0].va), bytes) == 0);
	/* the device's own snapshot carries the 3D state too */
	vgpu_pause(gpu);
	size_t device_size = vgpu_state_size(gpu);
	uint8_t *device_blob = malloc(device_size);
	VT_CHECK_EQ_INT(vgpu_state_save(gpu, device_blob, device_size), 0);
	vgpu_resume(gpu);

	/* damaged lists: truncated, a draw packet inside, a shader byte changed so the binary no longer loads
	 */
	vgpu_pause(gpu);
	VT_CHECK_EQ_INT(engine3d_state_load(gpu->engine3d, saved, size - 2, error, sizeof(error)), -1);
	uint32_t draw_packet[5] = {VGPU_PKT_HEADER(VGPU_PKT_DRAW, 4), 4, 0, 3, 1};
	VT_CHECK_EQ_INT(engine3d_state_load(gpu->engine3d, (uint8_t *)draw_packet, sizeof(draw_packet), error,
	                                    sizeof(error)),
	                -1);
	for (size_t pos = 0; pos + 12 < size; pos += 4) {
		uint32_t header;
		memcpy(&header, saved + pos, 4);
		if (VGPU_PKT_OPCODE(header) == VGPU_PKT_SET_SHADER) {
			saved[pos + 12] ^= 0xff; /* the binary's magic */
			break;
		}
		pos += 4 * VGPU_PKT_LENGTH(header);
	}
	VT_CHECK_EQ_INT(engine3d_state_load(gpu->engine3d, saved, size, error, sizeof(error)), -1);
	vgpu_resume(gpu);
	vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 3, 1);
	VT_CHECK_EQ_U64(scene_run_fault(s, VGPU_FAULT_BAD_STATE), VGPU_PKT_SET_SHADER); /* left reset */
	/* reset the whole GPU, load the device snapshot, and the same DRAW renders the same image */
	vgpu_reset(gpu);
	VT_CHECK_EQ_INT(vgpu_state_load(gpu, device_blob, device_size, error, sizeof(error)), 0);
	memset(scene_host(s, s->color[0].va), 0, bytes);
	draw(s);
	VT_CHECK(memcmp(before, scene_host(s, s->color[0].va), bytes) == 0);
	device_blob[device_size - 3] ^= 0x40; /* the 3D part: a reserved bit of the last attribute format */
	VT_CHECK_EQ_INT(vgpu_state_load(gpu, device_blob, device_size, error, sizeof(error)), -1);
	free(device_blob);
	free(before);
	free(saved);
	free(again);
	scene_destroy(s);
}

/* The hardware 1.1 state (texture swizzle, depth bias, point sprite) survives save, reset and load: the list
 * reloads to the same bytes and the same draws render the same colours and depths. */
static const char fs_sprite_textured[] = ".stage fragment\n"
                                         "ld.var.smooth r0, v1.x\nld.var.smooth r1, v1.y\n"
                                         "tex.2d r4, t0, s0, r0\n"
                                         "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\n"
                                         "st.out color0.w, r7\n"
                                         "end\n";

static void draw_1_1(struct scene *s)
{
	vgpu_pkt_clear(&s->cb, 0x11, (float[4]){0, 0, 0, 0}, 1.0f, 0);
	vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 3, 1);
	vgpu_pkt_draw(&s->cb, VGPU_TOPOLOGY_POINTS, 3, 1, 1);
	scene_run(s);
}

static void test_hw_1_1_state_survives(void)
{
	struct scene *s = scene_create(2, 32, 32);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z16_UNORM);
	scene_framebuffer(s, VGPU_RASTER_HALF_PIXEL_CENTER);
	vgpu_pkt_set_raster(&s->cb, VGPU_RASTER_HALF_PIXEL_CENTER, 9.0f, 1.0f);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs_sprite_textured);
	uint8_t texels[4][2] = {{0, 255}, {85, 200}, {170, 100}, {255, 0}};
	vgpu_pkt_set_texture_swizzled(&s->cb, 0, scene_alloc(s, sizeof(texels), texels),
	                              VGPU_FORMAT_R8G8_UNORM, 2, 2, 1, VGPU_TEXTURE_2D,
	                              VGPU_SWIZZLE(VGPU_SWIZZLE_G, 1, VGPU_SWIZZLE_0, VGPU_SWIZZLE_1));
	vgpu_pkt_set_sampler(&s->cb, 0, VGPU_SAMPLER_MAG_LINEAR | VGPU_SAMPLER_MIN_LINEAR, 0, 0, 0);
	vgpu_pkt_set_depth_stencil(
	        &s->cb, (uint32_t[5]){VGPU_DEPTH_TEST | VGPU_DEPTH_WRITE | VGPU_COMPARE_LESS << 4});
	vgpu_pkt_set_depth_bias(&s->cb, 3.0f, -2.0f, -0.01f);
	vgpu_pkt_set_point_sprite(&s->cb, 1u << 1, VGPU_POINT_SPRITE_ORIGIN_LOWER_LEFT);
	float v[32] = {1, 1,  0.3f, 1, 0, 0, 0, 0, 31, 5,  0.6f, 1, 1, 0, 0, 0,
	               6, 31, 0.9f, 1, 0, 1, 0, 0, 20, 20, 0.1f, 1, 0, 0, 0, 0};
	uint64_t vb = scene_alloc(s, sizeof(v), v);
	vgpu_pkt_set_vertex_buffer(&s->cb, 0, vb, sizeof(v), 32);
	vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	draw_1_1(s);
	size_t color_bytes = 32 * 32 * 4, depth_bytes = 32 * 32 * 2;
	uint8_t *before = malloc(color_bytes + depth_bytes);
	memcpy(before, scene_host(s, s->color[0].va), color_bytes);
	memcpy(before + color_bytes, scene_host(s, s->depth.va), depth_bytes);

	struct vgpu *gpu = s->fx->gpu;
	char error[200];
	vgpu_pause(gpu);
	size_t size = engine3d_state_save(gpu->engine3d, NULL, 0);
	uint8_t *saved = malloc(size), *again = malloc(size);
	VT_CHECK_EQ_U64(engine3d_state_save(gpu->engine3d, saved, size), size);
	engine3d_reset(gpu->engine3d);
	VT_CHECK_EQ_INT(engine3d_state_load(gpu->engine3d, saved, size, error, sizeof(error)), 0);
	VT_CHECK_EQ_U64(engine3d_state_save(gpu->engine3d, again, size), size);
	VT_CHECK(memcmp(saved, again, size) == 0);
	vgpu_resume(gpu);
	memset(scene_host(s, s->color[0].va), 0xcc, color_bytes);
	memset(scene_host(s, s->depth.va), 0xcc, depth_bytes);
	draw_1_1(s);
	VT_CHECK(memcmp(before, scene_host(s, s->color[0].va), color_bytes) == 0);
	VT_CHECK(memcmp(before + color_bytes, scene_host(s, s->depth.va), depth_bytes) == 0);
	free(before);
	free(saved);
	free(again);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_save_reset_load_renders_the_same),
	        VT_CASE(test_hw_1_1_state_survives),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
