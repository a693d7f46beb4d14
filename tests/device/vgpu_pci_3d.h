/* SPDX-License-Identifier: MIT */
/*
 * 3D jobs for the device cases and the device fuzzer, built by the test (playing the guest driver) in the
 * test window of VRAM (TEST_MAPPED_VA, mapped 1:1): a bump allocator, shaders assembled from vgpu assembly,
 * a float RGBA render target, rectangles whose colour attribute carries texture coordinates, and a command
 * buffer submitted as one IB followed by a FENCE.
 *
 *   struct dev_scene ds;
 *   dev_scene_init(&ds, &dev, 2, 2, fs_text);
 *   vgpu_pkt_set_texture(&ds.cb, ...);
 *   dev_scene_rect(&ds, 0.5f, 0.5f, 0.5f, 0.5f);
 *   dev_scene_submit(&ds, seq);    vgpu_wait_fence(&dev, seq);
 */
#ifndef VGPU_PCI_3D_H
#define VGPU_PCI_3D_H

#include "vgpu/vgpu_pkt.h"
#include "vgpu_pci_dev.h"

#include <stdbool.h>
#include <stdint.h>

/* VAs from here to the end of the 39-bit space all map one page of VRAM once dev_scene_alias_everything ran.
 */
#define DEV_SCENE_ALIAS_VA (8ull << 30)

struct dev_scene {
	struct vgpu_dev *dev;
	uint64_t next_va; /* bump allocator in the test window */
	uint64_t target_va;
	uint32_t width, height;
	uint32_t words[4096];
	struct vgpu_cmdbuf cb;
};

/* Passthrough vertex shader: pos = a0, var0 = a1. Fragment shader: colour = texture 0 sampled at var0.xy. */
extern const char dev_scene_vs_passthrough[], dev_scene_fs_tex2d[];

/* Allocator reset, a width x height R32G32B32A32_FLOAT target, viewport (window = clip x, y), raster with
 * GL pixel centres, no depth/stencil test or blending, the passthrough vertex shader and fs. False (reported)
 * when fs does not assemble. */
bool dev_scene_init(struct dev_scene *ds, struct vgpu_dev *dev, uint32_t width, uint32_t height,
                    const char *fs);
/* bytes of the test window, 256-aligned (4 KiB-aligned when align_page), filled with data or zeros. */
uint64_t dev_scene_alloc(struct dev_scene *ds, uint64_t bytes, const void *data, bool align_page);
/* Assemble and upload; emits SET_SHADER. False (reported) if the text does not assemble. */
bool dev_scene_shader(struct dev_scene *ds, const char *text);
/* Two triangles covering the target, texture coordinates from (s0, t0) at the top-left corner to (s1, t1) at
 * the bottom-right (equal corners: every fragment samples one point). */
void dev_scene_rect(struct dev_scene *ds, float s0, float t0, float s1, float t1);
/* The command buffer as one IB, then INDIRECT and FENCE(seq) on the ring; the buffer is emptied. */
void dev_scene_submit(struct dev_scene *ds, uint64_t seq);
/* Render-target pixel (x, y) as four floats. */
void dev_scene_pixel(struct dev_scene *ds, uint32_t x, uint32_t y, float rgba[4]);
/*
 * Hostile page tables: every page from DEV_SCENE_ALIAS_VA to the end of the VA space maps one page of VRAM
 * (one root entry per GiB -> one level-1 table -> one leaf table -> the page). Returns that page's VA in the
 * test window, so the caller can fill it.
 */
uint64_t dev_scene_alias_everything(struct dev_scene *ds);

#endif
