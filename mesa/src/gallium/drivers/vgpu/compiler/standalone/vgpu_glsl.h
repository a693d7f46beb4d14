/* SPDX-License-Identifier: MIT */
/*
 * GLSL (ES 1.00 by default) to NIR for the standalone compiler and the compiler tests, prepared the way
 * st/mesa prepares it for the driver: attributes numbered in declaration order, user varyings at
 * VARYING_SLOT_VAR0 + their rank in name order (so a vertex and a fragment shader compiled apart agree),
 * uniforms in uniform buffer 0 at vec4-aligned byte offsets in declaration order, samplers numbered in
 * declaration order.
 */
#ifndef VGPU_GLSL_H
#define VGPU_GLSL_H

#include "compiler/nir/nir.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VGPU_GLSL_MAX_NAMES 64

struct vgpu_glsl_name {
   char name[64];
   unsigned value; /* uniform: byte offset in ubo0; sampler: unit; attribute: slot; varying: location */
};

struct vgpu_glsl_layout {
   unsigned num_uniforms, num_samplers, num_attribs, num_varyings;
   struct vgpu_glsl_name uniforms[VGPU_GLSL_MAX_NAMES], samplers[VGPU_GLSL_MAX_NAMES];
   struct vgpu_glsl_name attribs[VGPU_GLSL_MAX_NAMES], varyings[VGPU_GLSL_MAX_NAMES];
};

/* Compiles the file at `path` (its stage from the extension: .vert or .frag). Returns NULL on an error,
 * after the GLSL compiler printed its info log. `version` is the default #version (100 = GLSL ES 1.00). */
nir_shader *vgpu_glsl_to_nir(const char *path, int version, struct vgpu_glsl_layout *layout);

/* The same from source text; the stage is given. */
nir_shader *vgpu_glsl_source_to_nir(const char *source, gl_shader_stage stage, int version,
                                    struct vgpu_glsl_layout *layout);

/* Looks up a name in one of the layout's lists; -1 if absent. */
int vgpu_glsl_lookup(const struct vgpu_glsl_name *list, unsigned count, const char *name);

#ifdef __cplusplus
}
#endif

#endif
