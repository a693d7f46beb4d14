/* SPDX-License-Identifier: MIT */
/*
 * The vgpu shader compiler: NIR in, a vgpu ISA container (docs/isa.md, section 11) out, ready for
 * SET_SHADER, plus the slot maps the driver needs to program vertex attributes and to link vertex
 * outputs to fragment inputs.
 *
 * Passes, in order (vgpu_nir.c, vgpu_emit.c, vgpu_ra.c, vgpu_asm.c): outputs to temporaries, indirect
 * derefs to if-ladders, IO to load_input/store_output, texture lowering (projective, gradients, implicit
 * LOD outside fragments), scalarisation, the optimisation loop, bool to int32, float source modifiers,
 * out of SSA (phi webs only); then a walk of the structured control flow that emits one instruction per
 * scalar operation, a linear-scan register allocator (texture groups in consecutive registers, 128 at
 * most) and the encoder through include/vgpu/isa.h.
 */
#ifndef VGPU_COMPILER_H
#define VGPU_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/nir/nir.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VGPU_MAX_SLOTS 16

/* What a shader variant depends on besides its NIR. All-zero is a valid key. */
struct vgpu_compile_key {
   /* Vertex: with `linked`, the varying slot layout of the fragment shader it is linked with: slot i
    * carries the gl_varying_slot varying_location[i]; outputs the fragment shader does not read are
    * dropped. Without, the vertex shader numbers its own outputs in location order. */
   bool linked;
   uint8_t num_varyings;
   uint8_t varying_location[VGPU_MAX_SLOTS];
   /* Fragment: glShadeModel(GL_FLAT) for colour inputs without an interpolation qualifier. */
   bool flatshade;
   /* Fragment: gl_FragColor is written to this many colour targets (0 and 1 mean target 0 only). */
   uint8_t color_targets;
};

struct vgpu_compile_stats {
   unsigned instructions; /* without immediate words */
   unsigned words;        /* instructions plus immediates */
   unsigned registers;
   unsigned tex, loops, ifs, ubo_loads;
};

struct vgpu_shader_binary {
   gl_shader_stage stage;
   uint8_t *code; /* the container: header and words (malloc'd) */
   size_t size;
   struct vgpu_compile_stats stats;
   /* Vertex: attribute slot i reads vertex element attrib_element[i] (the input's driver_location). */
   unsigned num_attribs;
   uint8_t attrib_element[VGPU_MAX_SLOTS];
   /* Varying slot i (vertex output var<i>, fragment input v<i>) carries gl_varying_slot
    * varying_location[i]. */
   unsigned num_varyings;
   uint8_t varying_location[VGPU_MAX_SLOTS];
   uint8_t varying_interp[VGPU_MAX_SLOTS]; /* fragment: enum vgpu_isa_interp */
   bool writes_point_size, writes_depth, uses_discard;
   uint32_t textures_used, samplers_used; /* bit n: slot n */
   uint32_t ubos_used;                    /* bit n: uniform buffer slot n (0 = the default uniform block) */
};

/* The NIR options st/mesa and the driver hand to NIR for both stages. */
const nir_shader_compiler_options *vgpu_nir_options(void);

/* The optimisation loop, also usable as the screen's finalize_nir. */
void vgpu_nir_optimize(nir_shader *nir);

/* Compiles (a clone of) nir. Returns true and fills *out, or false with a one-line message in *error
 * (malloc'd; the caller frees it), e.g. "shader needs 140 registers, the hardware has 128". */
bool vgpu_compile(const nir_shader *nir, const struct vgpu_compile_key *key,
                  struct vgpu_shader_binary *out, char **error);

void vgpu_shader_binary_finish(struct vgpu_shader_binary *bin);

/* Assembly text for a container the compiler produced (docs/isa.md, section 12); vgpu-as turns it back
 * into the identical binary. Returns malloc'd text, or NULL if the container is malformed. */
char *vgpu_binary_to_asm(const uint8_t *code, size_t size);

#ifdef __cplusplus
}
#endif

#endif
