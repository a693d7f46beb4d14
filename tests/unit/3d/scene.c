/* SPDX-License-Identifier: MIT */
#include "scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_asm.h"
#include "vgpu_test.h"

const char scene_vs_passthrough[] =
        ".stage vertex\n"
        "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
        "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
        "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
        "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
        "end\n";

const char scene_fs_color[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
        "ld.var.smooth r2, v0.z\nld.var.smooth r3, v0.w\n"
        "st.out color0.x, r0\nst.out color0.y, r1\nst.out color0.z, r2\nst.out color0.w, r3\n"
        "end\n";

#define SCENE_VRAM (128ull << 20)

static unsigned bytes_per_pixel(uint32_t format)
{
	static const uint8_t bpp[] = {0, 4, 4, 4, 4, 2, 2, 2, 1, 2, 8, 4, 16};
	if (format >= VGPU_FORMAT_Z16_UNORM)
		return format == VGPU_FORMAT_Z16_UNORM ? 2 : 4;
	return bpp[format];
}

struct scene *scene_create(unsigned threads, uint32_t width, uint32_t height)
{
	struct scene *s = calloc(1, sizeof(*s));
	s->fx = fx_create_with_threads(SCENE_VRAM, threads);
	s->width = width;
	s->height = height;
	s->cb = (struct vgpu_cmdbuf)VGPU_CMDBUF_INIT(s->words, 8192);
	fx_map(s->fx, SCENE_VA, FX_DATA_PA, (SCENE_VRAM - FX_DATA_PA) / VGPU_PAGE_SIZE, true);
	fx_emit_context(s->fx, &s->cb, 1);
	return s;
}

void scene_destroy(struct scene *s)
{
	fx_destroy(s->fx);
	free(s);
}

uint64_t scene_alloc(struct scene *s, uint64_t bytes, const void *data)
{
	uint64_t va = SCENE_VA + s->heap;
	s->heap = (s->heap + bytes + 255) & ~255ull;
	if (FX_DATA_PA + s->heap > SCENE_VRAM) {
		fprintf(stderr, "scene: out of VRAM\n");
		exit(2);
	}
	uint8_t *host = scene_host(s, va);
	if (data)
		memcpy(host, data, bytes);
	else
		memset(host, 0, bytes);
	return va;
}

uint8_t *scene_host(struct scene *s, uint64_t va)
{
	return s->fx->vram + FX_DATA_PA + (va - SCENE_VA);
}

void scene_shader(struct scene *s, const char *text)
{
	unsigned char *bytes;
	size_t size;
	char error[VGPU_ASM_ERROR_SIZE];
	if (vgpu_assemble(text, "scene", &bytes, &size, error) != 0) {
		fprintf(stderr, "scene: %s\n", error);
		exit(2);
	}
	uint32_t stage = bytes[6];
	uint64_t va = scene_alloc(s, size, bytes);
	free(bytes);
	vgpu_pkt_set_shader(&s->cb, stage, va, (uint32_t)size);
}

uint64_t scene_add_target(struct scene *s, uint32_t format)
{
	uint32_t pitch = s->width * bytes_per_pixel(format);
	uint64_t va = scene_alloc(s, (uint64_t)pitch * s->height, NULL);
	s->color[s->color_count++] = (struct vgpu_pkt_surface){va, pitch, format};
	return va;
}

uint64_t scene_add_depth(struct scene *s, uint32_t format)
{
	uint32_t pitch = s->width * bytes_per_pixel(format);
	uint64_t va = scene_alloc(s, (uint64_t)pitch * s->height, NULL);
	s->depth = (struct vgpu_pkt_surface){va, pitch, format};
	return va;
}

void scene_framebuffer(struct scene *s, uint32_t raster_flags)
{
	vgpu_pkt_set_render_targets(&s->cb, s->width, s->height, s->color_count, s->color,
	                            s->depth.format ? &s->depth : NULL);
	vgpu_pkt_set_viewport(&s->cb, (float[3]){1, 1, 1}, (float[3]){0, 0, 0});
	vgpu_pkt_set_raster(&s->cb, raster_flags, 1.0f, 1.0f);
}

void scene_draw(struct scene *s, uint32_t topology_flags, const float *vertices, uint32_t count)
{
	uint64_t va = scene_alloc(s, (uint64_t)count * 32, vertices);
	vgpu_pkt_set_vertex_buffer(&s->cb, 0, va, count * 32, 32);
	vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_draw(&s->cb, topology_flags, 0, count, 1);
}

static void submit(struct scene *s)
{
	if (s->cb.overflow) {
		fprintf(stderr, "scene: command buffer overflow\n");
		exit(2);
	}
	fx_submit(s->fx, &s->cb);
	s->cb.count = 0;
}

void scene_run(struct scene *s)
{
	submit(s);
	FX_EXPECT_NO_FAULT(s->fx);
}

/* colour0 = tex.2d of t0/s0 at v0.xy */
const char scene_fs_tex2d[] = ".stage fragment\n"
                              "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
                              "tex.2d r4, t0, s0, r0\n"
                              "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out "
                              "color0.w, r7\n"
                              "end\n";

struct scene *scene_texture_target(uint32_t w, uint32_t h, const char *fs)
{
	struct scene *s = scene_create(2, w, h);
	scene_add_target(s, VGPU_FORMAT_R32G32B32A32_FLOAT);
	scene_framebuffer(s, VGPU_RASTER_HALF_PIXEL_CENTER);
	scene_shader(s, scene_vs_passthrough);
	scene_shader(s, fs);
	return s;
}

void scene_coord_rect(struct scene *s, float s0, float t0, float s1, float t1)
{
	float x1 = (float)s->width, y1 = (float)s->height;
	float corner[6][4] = {{0, 0, s0, t0},  {x1, 0, s1, t0},  {0, y1, s0, t1},
	                      {x1, 0, s1, t0}, {x1, y1, s1, t1}, {0, y1, s0, t1}};
	float data[48];
	for (int k = 0; k < 6; k++) {
		float v[8] = {corner[k][0], corner[k][1], 0.5f, 1, corner[k][2], corner[k][3], 0, 0};
		memcpy(data + 8 * k, v, sizeof(v));
	}
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 6);
}

uint64_t scene_run_fault(struct scene *s, uint32_t type)
{
	submit(s);
	return FX_EXPECT_FAULT(s->fx, type);
}

const uint8_t *scene_pixel(struct scene *s, unsigned t, uint32_t x, uint32_t y)
{
	const struct vgpu_pkt_surface *surface = t == 4 ? &s->depth : &s->color[t];
	return scene_host(s, surface->va) + (uint64_t)y * surface->pitch +
	       (uint64_t)x * bytes_per_pixel(surface->format);
}

uint32_t scene_pixel32(struct scene *s, unsigned t, uint32_t x, uint32_t y)
{
	const uint8_t *p = scene_pixel(s, t, x, y);
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void scene_rect_depth_ramp(struct scene *s, float x0, float y0, float x1, float y1, float zl, float zr,
                           const float rgba[4])
{
	const float corner[6][3] = {{x0, y0, zl}, {x1, y0, zr}, {x0, y1, zl},
	                            {x1, y0, zr}, {x1, y1, zr}, {x0, y1, zl}};
	float data[6 * 8];
	for (int k = 0; k < 6; k++) {
		float v[8] = {corner[k][0], corner[k][1], corner[k][2], 1,
		              rgba[0],      rgba[1],      rgba[2],      rgba[3]};
		memcpy(data + 8 * k, v, sizeof(v));
	}
	scene_draw(s, VGPU_TOPOLOGY_TRIANGLES, data, 6);
}

void scene_rect(struct scene *s, float x0, float y0, float x1, float y1, float z, const float rgba[4])
{
	scene_rect_depth_ramp(s, x0, y0, x1, y1, z, z, rgba);
}
