/* SPDX-License-Identifier: MIT */
/* Rasterization in tiles: each worker takes a 64x64 tile, loads its pixels, walks the tile's binned
 * primitives in order, packs covered 2x2 quads into fragment warps, and stores the tile back. */
#ifndef VGPU_E3D_RASTER_H
#define VGPU_E3D_RASTER_H

#include "engine3d/e3d.h"

/* A worker's own memory, allocated once per GPU. Tile buffers hold pixels in their memory format. */
struct e3d_worker_scratch {
	struct vgpu_shader_warp warp;
	uint64_t pending_units; /* watchdog units not yet taken from the shared budget */
	uint8_t color[VGPU_MAX_RENDER_TARGETS][E3D_TILE * E3D_TILE * 16];
	uint8_t depth[E3D_TILE * E3D_TILE * 4];
};

/* The work function for e3d_workers_run over the tiles of draw. */
void e3d_raster_tile(void *draw, unsigned tile, unsigned worker);

/* The shader environment of a draw (uniform loads and texture sampling); shading must outlive its use. */
void e3d_shader_env(struct e3d_shading *shading, struct vgpu_shader_env *env);
/* Turn a faulted invocation into the fault record it stands for (CP thread only). */
void e3d_shader_fault(const struct e3d_draw *draw, enum vgpu_shader_fault kind, uint32_t pc, uint32_t detail,
                      struct vgpu_fault *fault);

#endif
