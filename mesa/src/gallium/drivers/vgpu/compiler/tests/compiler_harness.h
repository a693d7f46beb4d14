/* SPDX-License-Identifier: MIT */
/*
 * Compiler test harness: GLSL in, the binary loaded by libvgpu's shader core (full load-time validation,
 * docs/isa.md section 10), one 16-lane warp run with chosen inputs. Results are checked against values
 * computed here by hand (in C, with -ffp-contract=off so every float operation rounds like the
 * hardware's, whose ffma is unfused).
 */
#ifndef VGPU_COMPILER_HARNESS_H
#define VGPU_COMPILER_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "shader/shader.h"
#include "vgpu_compiler.h"
#include "vgpu_glsl.h"

struct ch_shader {
   struct vgpu_shader_binary bin;
   struct vgpu_glsl_layout layout;
   struct vgpu_shader *loaded;
   char *error; /* the compiler's message when it refused the shader */
};

/* Compiles and loads. Returns false (and reports why) if either step fails; with expect_error the
 * compiler must refuse the shader instead, and the message is kept in s->error. */
bool ch_compile(struct ch_shader *s, gl_shader_stage stage, int version, const char *source,
                const struct vgpu_compile_key *key);
bool ch_compile_error(struct ch_shader *s, gl_shader_stage stage, int version, const char *source);
void ch_free(struct ch_shader *s);

/* Uniform buffer 0 of the test environment, and a texture unit that answers
 * (coord0, coord1, coord2 or the bias/LOD, 16 * texture + sampler) for every lane. */
struct ch_env {
   struct vgpu_shader_env env;
   union {
      float f[1024];
      uint32_t u[1024];
   } ubo;
   unsigned texture_calls;
};
void ch_env_init(struct ch_env *e);

/* A warp with all 16 lanes on; fragment warps get frag_coord x = 2q + (l & 1) + 0.5, y = (l >> 1 & 1) + 0.5
 * for quad q = l / 4 (four quads side by side), z 0.5, w 1. */
void ch_warp_init(struct vgpu_shader_warp *w, gl_shader_stage stage);

/* A compiled, loaded shader with a fresh environment and warp, ready to be filled and run; ch_free(&t->s)
 * releases it (and lets the case be initialised again). */
struct ch_case {
   struct ch_shader s;
   struct ch_env e;
   struct vgpu_shader_warp w;
};
bool ch_case_init(struct ch_case *t, gl_shader_stage stage, int version, const char *source,
                  const struct vgpu_compile_key *key);

/* Gives lane l the value x.x = l * top / 16 of varying slot v (nothing if v < 0), exactly: vertex values
 * (0, top, 0), perspective weights b1 = l / 16, b2 = 0. */
void ch_lane_ramp(struct ch_case *t, int v, float top);

/* Runs the case's warp; false if it faulted. */
bool ch_run(struct ch_case *t);

/* Byte offset of a uniform, unit of a sampler, slot of an attribute; the test fails on unknown names. */
unsigned ch_uniform(const struct ch_shader *s, const char *name);
unsigned ch_attrib(const struct ch_shader *s, const char *name);
/* Output slot (vertex) or varying slot (fragment) of a user varying, -1 if the shader has none. */
int ch_varying(const struct ch_shader *s, const char *name);

/* Checks: print a diagnostic and return false on mismatch. */
bool ch_expect_float(const char *what, unsigned lane, float got, float want, float tolerance);
bool ch_expect_u32(const char *what, unsigned lane, uint32_t got, uint32_t want);

/* TAP. */
void ch_plan(unsigned n);
void ch_result(bool ok, const char *name);
int ch_exit_status(void);

#endif
