/* SPDX-License-Identifier: MIT */
/* Vertex fetch (spec 9.3, 10.7) and the vertex shader, on the CP thread, 16 vertices per warp. */
#ifndef VGPU_E3D_VERTEX_H
#define VGPU_E3D_VERTEX_H

#include "cp/cp.h"
#include "engine3d/e3d.h"

/* Shade count vertices (vertex ids as the shader sees them) of one instance into out[0..count). Returns false
 * with job->fault filled (MMU fault in a vertex buffer, shader fault, watchdog). */
bool e3d_shade_vertices(struct cp_job *job, struct e3d_draw *draw, struct vgpu_shader_warp *warp,
                        const uint32_t *vertex_id, uint32_t instance, unsigned count, struct e3d_vertex *out);

/* UINT8, SINT8, UINT16, SINT16, UINT32, SINT32: the types that reach the shader as integers unless SCALED. */
bool e3d_vertex_type_is_integer(unsigned type);

#endif
