/* SPDX-License-Identifier: MIT */
/* The GLSL IR lowering st/mesa's linker does and glsl_to_nir expects: matrix operations as vector ones. */
#include "compiler/glsl/ir.h"
#include "compiler/glsl/ir_optimization.h"

extern "C" void vgpu_glsl_lower_ir(struct exec_list *ir);

void
vgpu_glsl_lower_ir(struct exec_list *ir)
{
   do_mat_op_to_vec(ir);
}
