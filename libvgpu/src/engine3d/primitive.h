/* SPDX-License-Identifier: MIT */
/* Primitive assembly (spec 10.4): topologies and primitive restart feed points, lines and triangles to
 * clipping (homogeneous, near/far with DEPTH_CLIP, a guard band at the sides), the viewport transform,
 * snapping to 8 subpixel bits, culling, and binning into the tiles. */
#ifndef VGPU_E3D_PRIMITIVE_H
#define VGPU_E3D_PRIMITIVE_H

#include "engine3d/e3d.h"

/* The vertices a topology still needs (a fan's first, a strip's last two) are pointers into the batch of
 * shaded vertices, copied into `kept` only when the batch is about to be reused. */
struct e3d_assembler {
	unsigned topology;
	uint32_t count; /* vertices since the start or the last restart */
	const struct e3d_vertex *first, *prev[2];
	struct e3d_vertex kept[3];
};

/* Per draw: the clip planes and the pixel rectangle primitives are confined to. */
void e3d_primitive_prepare(struct e3d_draw *draw);
void e3d_assembler_begin(struct e3d_assembler *a, unsigned topology);
/* Feed the next vertex; false when rendering faulted (job->fault is set). */
bool e3d_assemble(struct e3d_draw *draw, struct e3d_assembler *a, const struct e3d_vertex *v);
/* The batch the pointers point into is about to be overwritten: keep copies. */
void e3d_assembler_keep(struct e3d_assembler *a);
/* End of the vertex stream or a restart: a line loop closes, and assembly starts over. */
bool e3d_assembler_restart(struct e3d_draw *draw, struct e3d_assembler *a);

#endif
