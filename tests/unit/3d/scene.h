/* SPDX-License-Identifier: MIT */
/* Helpers for the 3D pipeline tests: a GPU (fixture) with a number of render threads, a bump allocator over
 * VRAM mapped 1:1 into the GPU's address space, shaders assembled from vgpu assembly text, render targets,
 * and draws of vertices given as (x, y, z, w, r, g, b, a) with a viewport that makes clip x, y window x, y.
 * Nothing here uses the pipeline's code: expected pixels come from the tests and reference.h. */
#ifndef SCENE_H
#define SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu_fixture.h"

#define SCENE_VA 0x10000000ull

struct scene {
	struct fixture *fx;
	uint64_t heap; /* next free byte after FX_DATA_PA */
	uint32_t words[16384];
	struct vgpu_cmdbuf cb;
	uint32_t width, height;
	uint32_t color_count;
	struct vgpu_pkt_surface color[4], depth;
};

/* The passthrough shaders: pos = a0, var0 = a1 (vertex); color0 = v0 smooth (fragment). */
extern const char scene_vs_passthrough[], scene_fs_color[];
/* color0 = tex.2d of texture 0 with sampler 0 at v0.xy. */
extern const char scene_fs_tex2d[];

struct scene *scene_create(unsigned threads, uint32_t width, uint32_t height);
void scene_destroy(struct scene *s);
/* bytes of VRAM (256-aligned, zeroed or copied from data); returns the VA. */
uint64_t scene_alloc(struct scene *s, uint64_t bytes, const void *data);
uint8_t *scene_host(struct scene *s, uint64_t va);
/* Assemble and upload; emits SET_SHADER. */
void scene_shader(struct scene *s, const char *text);
/* A width x height colour target (tightly pitched) at index color_count, or the depth buffer. */
uint64_t scene_add_target(struct scene *s, uint32_t format);
uint64_t scene_add_depth(struct scene *s, uint32_t format);
/* SET_RENDER_TARGETS, a viewport with window = clip x, y (z kept), and default raster state. */
void scene_framebuffer(struct scene *s, uint32_t raster_flags);
/* Upload vertices (8 floats each) and draw them with the passthrough attribute layout. */
void scene_draw(struct scene *s, uint32_t topology_flags, const float *vertices, uint32_t count);
/* Two triangles covering [x0, x1) x [y0, y1) at depth z (w = 1) in one colour, or with depth zl at x0 and
 * zr at x1 (linear across). */
void scene_rect(struct scene *s, float x0, float y0, float x1, float y1, float z, const float rgba[4]);
void scene_rect_depth_ramp(struct scene *s, float x0, float y0, float x1, float y1, float zl, float zr,
                           const float rgba[4]);
/* For texture tests: a float RGBA target of w x h (GL pixel centres) with the passthrough vertex shader and
 * the given fragment shader, and a rectangle covering it whose colour attribute carries texture coordinates:
 * (s0, t0) at the top-left corner to (s1, t1) at the bottom-right. */
struct scene *scene_texture_target(uint32_t w, uint32_t h, const char *fs);
void scene_coord_rect(struct scene *s, float s0, float t0, float s1, float t1);
/* Submit what was built and check no fault was recorded. */
void scene_run(struct scene *s);
/* Submit and return the FAULT_ADDR of the one expected fault. */
uint64_t scene_run_fault(struct scene *s, uint32_t type);
/* Pixel (x, y) of colour target t (or depth for t = 4) as raw bytes. */
const uint8_t *scene_pixel(struct scene *s, unsigned t, uint32_t x, uint32_t y);
uint32_t scene_pixel32(struct scene *s, unsigned t, uint32_t x, uint32_t y);

#endif
