/* SPDX-License-Identifier: MIT */
/* The compile entry point: lower, emit, allocate registers, encode (vgpu_compiler.h lists the passes). */
#include <stdlib.h>

#include "vgpu_compiler_priv.h"
#include "util/u_debug.h"

static void
reset_emission(struct vgpu_compile_ctx *c)
{
   free(c->error);
   free(c->ssa_vreg);
   free(c->reg_vreg);
   c->error = NULL;
   c->ssa_vreg = c->reg_vreg = NULL;
   c->num_insts = c->num_vregs = c->num_loops = 0;
   c->depth = 0;
   c->inputs_read = c->outputs_written = 0;
   c->out_of_registers = false;
   c->out->stats = (struct vgpu_compile_stats){0};
}

bool
vgpu_compile(const nir_shader *nir, const struct vgpu_compile_key *key, struct vgpu_shader_binary *out,
             char **error)
{
   static const struct vgpu_compile_key no_key;
   struct vgpu_compile_ctx c = {
      .nir = nir_shader_clone(NULL, nir),
      .key = key ? key : &no_key,
      .out = out,
   };

   memset(out, 0, sizeof(*out));
   out->stage = nir->info.stage;
   bool ok = vgpu_nir_lower(&c);
   if (ok && debug_get_bool_option("VGPU_PRINT_NIR", false))
      nir_print_shader(c.nir, stderr);
   c.ubo_zero_register = true;
   ok = ok && vgpu_emit(&c) && vgpu_register_allocate(&c);
   if (!ok && c.out_of_registers && c.zero_vreg != VGPU_NO_VREG) {
      /* Try again without the zero register: one more immediate word per uniform load instead. */
      reset_emission(&c);
      c.ubo_zero_register = false;
      ok = vgpu_emit(&c) && vgpu_register_allocate(&c);
   }
   ok = ok && vgpu_encode(&c);

   if (!ok) {
      vgpu_shader_binary_finish(out);
      if (error)
         *error = c.error ? c.error : strdup("compilation failed");
      else
         free(c.error);
   } else if (error) {
      *error = NULL;
   }
   ralloc_free(c.nir);
   free(c.insts);
   free(c.vregs);
   free(c.loops);
   free(c.ssa_vreg);
   free(c.reg_vreg);
   return ok;
}

void
vgpu_shader_binary_finish(struct vgpu_shader_binary *bin)
{
   free(bin->code);
   bin->code = NULL;
   bin->size = 0;
}
