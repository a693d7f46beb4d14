/* SPDX-License-Identifier: MIT */
/* Per-fragment operations on a tile (spec 10.5, 10.6): stencil and depth tests with their updates, and
 * blending with write masks into each colour target. Lanes are pixels at tile-local (x[lane], y[lane]). */
#ifndef VGPU_E3D_FRAGMENT_OPS_H
#define VGPU_E3D_FRAGMENT_OPS_H

#include "engine3d/e3d.h"

struct e3d_lanes {
	uint8_t x[VGPU_ISA_LANES], y[VGPU_ISA_LANES]; /* tile-local pixel */
};

/* Returns the lanes of mask that pass; updates depth and stencil in the tile's depth buffer. */
uint32_t e3d_depth_stencil(const struct e3d_draw *draw, uint8_t *tile, const struct e3d_lanes *lanes,
                           const float z[VGPU_ISA_LANES], uint32_t mask, bool front);
/* Blend out[component][lane] into colour target `target` for the lanes in mask. */
void e3d_color_write(const struct e3d_draw *draw, unsigned target, uint8_t *tile,
                     const struct e3d_lanes *lanes, float out[4][VGPU_ISA_LANES], uint32_t mask);

#endif
