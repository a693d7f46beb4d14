/* SPDX-License-Identifier: MIT */
/*
 * Inside the vgpu compiler: the instruction list the emitter builds over virtual registers, which the
 * register allocator then maps onto r0..r127 and the encoder turns into words.
 */
#ifndef VGPU_COMPILER_PRIV_H
#define VGPU_COMPILER_PRIV_H

#include "vgpu_compiler.h"
#include "vgpu/isa.h"

#define VGPU_NO_VREG (-1)

/* One instruction over virtual registers. isa holds everything but the register numbers; vdst and vsrc
 * name virtual registers (VGPU_NO_VREG where unused or where the source is the immediate). For tex,
 * vdst is the first of a 4-register group and vsrc[0] the first of the coordinate group. */
struct vgpu_vinst {
   struct vgpu_isa_inst isa;
   int vdst;
   int vsrc[3];
};

/* A virtual register. Groups (texture results and coordinates) are consecutive vregs that must land in
 * consecutive hardware registers: group_size on the first, group_leader on every member. */
struct vgpu_vreg {
   int group_leader;
   unsigned group_size;
   bool multi_def; /* a NIR register (several writes), as opposed to an SSA value or a temporary */
   bool initial_zero; /* never written: a register untouched since the start, which reads 0 (isa.md 2) */
};

/* A loop's LOOP and ENDLOOP positions in the instruction list, for liveness across the back edge. */
struct vgpu_loop_span {
   unsigned begin, end;
};

struct vgpu_compile_ctx {
   nir_shader *nir;
   const struct vgpu_compile_key *key;
   struct vgpu_shader_binary *out;
   char *error; /* the first error; once set, emission stops */

   struct vgpu_vinst *insts;
   unsigned num_insts, cap_insts;
   struct vgpu_vreg *vregs;
   unsigned num_vregs, cap_vregs;
   struct vgpu_loop_span *loops;
   unsigned num_loops, cap_loops;

   int *ssa_vreg; /* nir_ssa_def index -> first vreg, VGPU_NO_VREG before it is defined */
   int *reg_vreg; /* nir_register index -> first vreg */
   unsigned depth; /* open if/loop constructs */

   uint32_t inputs_read, outputs_written;

   /* Constant uniform addresses as zero register + offset field instead of an immediate word; off again
    * when that extra register is what pushes the shader past 128. */
   bool ubo_zero_register;
   int zero_vreg;
   bool out_of_registers;
};

void vgpu_error(struct vgpu_compile_ctx *c, const char *fmt, ...) PRINTFLIKE(2, 3);

/* vgpu_nir.c: the passes between the caller's NIR and emission; fills the slot maps. */
bool vgpu_nir_lower(struct vgpu_compile_ctx *c);
/* The varying slot of a location, or -1 if the shader does not pass it on (vertex) / has none. */
int vgpu_varying_slot(const struct vgpu_shader_binary *bin, unsigned location);

/* vgpu_emit.c */
bool vgpu_emit(struct vgpu_compile_ctx *c);

/* vgpu_ra.c: assigns hardware registers, sets out->stats.registers. */
bool vgpu_register_allocate(struct vgpu_compile_ctx *c);

/* vgpu_asm.c: builds the container from the allocated instructions. */
bool vgpu_encode(struct vgpu_compile_ctx *c);

#endif
