/* SPDX-License-Identifier: MIT */
/*
 * Shader CSOs and their variants. A CSO keeps st/mesa's NIR; a variant is that NIR compiled for one
 * vgpu_compile_key (the fragment shader's varying layout for a vertex shader; flat shading and the number
 * of colour targets for a fragment shader), uploaded once into a VRAM object for SET_SHADER (the device
 * validates the binary on every SET_SHADER, so the object never changes). Variants are compiled on the
 * first draw that needs them.
 */
#ifndef VGPU_PROGRAM_H
#define VGPU_PROGRAM_H

#include <stdbool.h>

#include "compiler/vgpu_compiler.h"

struct vgpu_context;
struct vgpu_bo;

struct vgpu_program_variant {
   struct vgpu_compile_key key;
   struct vgpu_shader_binary bin;
   struct vgpu_bo *bo; /* bin.code at bo->va, bin.size bytes */
   struct vgpu_program_variant *next;
};

struct vgpu_program {
   gl_shader_stage stage;
   nir_shader *nir;
   struct vgpu_program_variant *variants; /* most recently used first */
   bool reported;                         /* a compile error was printed for this CSO */
};

/* Installs create/bind/delete_{vs,fs}_state. */
void vgpu_program_init(struct vgpu_context *ctx);

/* The variants the bound shaders need for the current state (compiled and uploaded when new). False when
 * a shader is missing or cannot be compiled (one stderr line per CSO): the draw must be skipped. The
 * caller adds (*vs)->bo and (*fs)->bo to the job it emits SET_SHADER into. */
bool vgpu_program_update(struct vgpu_context *ctx, struct vgpu_program_variant **vs,
                         struct vgpu_program_variant **fs);

#endif
