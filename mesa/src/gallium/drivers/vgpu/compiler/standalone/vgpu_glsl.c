/* SPDX-License-Identifier: MIT */
/* GLSL to NIR outside a GL context (vgpu_glsl.h says how names get their slots). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main/mtypes.h"
#include "compiler/glsl/standalone.h"
#include "compiler/glsl/glsl_to_nir.h"
#include "compiler/nir/nir_builder.h"
#include "compiler/nir_types.h"

#include "vgpu_compiler.h"
#include "vgpu_glsl.h"

void vgpu_glsl_lower_ir(struct exec_list *ir); /* vgpu_glsl_ir.cpp */

int
vgpu_glsl_lookup(const struct vgpu_glsl_name *list, unsigned count, const char *name)
{
   for (unsigned i = 0; i < count; i++)
      if (!strcmp(list[i].name, name))
         return list[i].value;
   return -1;
}

static void
add_name(struct vgpu_glsl_name *list, unsigned *count, const char *name, unsigned value)
{
   if (*count >= VGPU_GLSL_MAX_NAMES)
      return;
   snprintf(list[*count].name, sizeof(list[*count].name), "%s", name);
   list[(*count)++].value = value;
}

static int
vec4_slots(const struct glsl_type *type, bool bindless)
{
   return glsl_count_attribute_slots(type, false);
}

static int
compare_names(const void *a, const void *b)
{
   return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* User varyings (no built-in location) get VARYING_SLOT_VAR0 + n, n from a table that lives as long as
 * the process and grows in name order per shader, so shaders compiled by one process agree on a name's
 * location, whichever stage comes first. */
static char varying_names[VARYING_SLOT_MAX - VARYING_SLOT_VAR0][64];
static unsigned num_varying_names;

static unsigned
varying_location(const char *name, unsigned slots)
{
   for (unsigned i = 0; i < num_varying_names; i++)
      if (!strcmp(varying_names[i], name))
         return VARYING_SLOT_VAR0 + i;
   unsigned first = num_varying_names;
   for (unsigned i = 0; i < slots && num_varying_names < ARRAY_SIZE(varying_names); i++)
      snprintf(varying_names[num_varying_names++], sizeof(varying_names[0]), "%s", i ? "" : name);
   return VARYING_SLOT_VAR0 + first;
}

static void
assign_varyings(nir_shader *nir, struct vgpu_glsl_layout *layout)
{
   nir_variable_mode mode = nir->info.stage == MESA_SHADER_VERTEX ? nir_var_shader_out : nir_var_shader_in;
   const char *names[VGPU_GLSL_MAX_NAMES];
   unsigned n = 0;
   nir_foreach_variable_with_modes(var, nir, mode) {
      if ((var->data.location < 0 || var->data.location >= VARYING_SLOT_VAR0) && n < VGPU_GLSL_MAX_NAMES)
         names[n++] = var->name;
   }
   qsort(names, n, sizeof(names[0]), compare_names);
   for (unsigned i = 0; i < n; i++) {
      nir_foreach_variable_with_modes(var, nir, mode) {
         if (strcmp(var->name, names[i]))
            continue;
         var->data.location = varying_location(var->name, glsl_count_attribute_slots(var->type, false));
         add_name(layout->varyings, &layout->num_varyings, var->name, var->data.location);
      }
   }
}

static void
assign_locations(nir_shader *nir, struct vgpu_glsl_layout *layout)
{
   unsigned next = 0;
   if (nir->info.stage == MESA_SHADER_VERTEX) {
      nir_foreach_shader_in_variable(var, nir) {
         var->data.driver_location = next;
         var->data.location = VERT_ATTRIB_GENERIC0 + next;
         add_name(layout->attribs, &layout->num_attribs, var->name, next);
         next += glsl_count_attribute_slots(var->type, true);
      }
   }
   assign_varyings(nir, layout);

   /* Built-in outputs keep their locations; user fragment outputs (GLSL 1.30 `out`) are colour targets
    * in declaration order. driver_location only has to be unique. */
   unsigned out = 0, target = 0;
   nir_foreach_shader_out_variable(var, nir) {
      if (nir->info.stage == MESA_SHADER_FRAGMENT && var->data.location < 0) {
         var->data.location = FRAG_RESULT_DATA0 + target;
         target += glsl_count_attribute_slots(var->type, false);
      }
      var->data.driver_location = out++;
   }
   if (nir->info.stage == MESA_SHADER_FRAGMENT) {
      unsigned in = 0;
      nir_foreach_shader_in_variable(var, nir)
         var->data.driver_location = in++;
   }

   unsigned offset = 0, unit = 0;
   nir_foreach_variable_with_modes(var, nir, nir_var_uniform) {
      if (glsl_type_is_sampler(glsl_without_array(var->type))) {
         var->data.binding = unit;
         add_name(layout->samplers, &layout->num_samplers, var->name, unit);
         unit += glsl_type_is_array(var->type) ? glsl_get_length(var->type) : 1;
         continue;
      }
      var->data.driver_location = offset;
      add_name(layout->uniforms, &layout->num_uniforms, var->name, offset * 16);
      offset += vec4_slots(var->type, false);
   }
   nir->num_uniforms = offset;
}

nir_shader *
vgpu_glsl_to_nir(const char *path, int version, struct vgpu_glsl_layout *layout)
{
   static struct gl_context ctx;
   struct standalone_options options = {
      .glsl_version = version,
      .do_link = false,
      .just_log = true,
   };
   char *files[1] = {(char *)path};

   memset(layout, 0, sizeof(*layout));
   struct gl_shader_program *prog = standalone_compile_shader(&options, 1, files, &ctx);
   if (!prog)
      return NULL;
   gl_shader_stage stage = prog->Shaders[0]->Stage;
   if (!prog->_LinkedShaders[stage]) {
      standalone_compiler_cleanup(prog);
      return NULL;
   }
   vgpu_glsl_lower_ir(prog->_LinkedShaders[stage]->ir);
   nir_shader *nir = glsl_to_nir(&ctx.Const, prog, stage, vgpu_nir_options());
   standalone_compiler_cleanup(prog);
   if (!nir)
      return NULL;

   NIR_PASS_V(nir, nir_lower_global_vars_to_local);
   NIR_PASS_V(nir, nir_split_var_copies);
   NIR_PASS_V(nir, nir_lower_var_copies);
   NIR_PASS_V(nir, nir_lower_returns);
   NIR_PASS_V(nir, nir_inline_functions);
   NIR_PASS_V(nir, nir_opt_deref);
   foreach_list_typed_safe(nir_function, func, node, &nir->functions) {
      if (!func->is_entrypoint)
         exec_node_remove(&func->node);
   }
   NIR_PASS_V(nir, nir_lower_vars_to_ssa);
   NIR_PASS_V(nir, nir_opt_dce);
   /* Without linking, every built-in of the profile is declared; keep only what the shader uses. */
   NIR_PASS_V(nir, nir_remove_dead_variables, nir_var_shader_in | nir_var_shader_out | nir_var_uniform,
              NULL);

   assign_locations(nir, layout);
   NIR_PASS_V(nir, nir_lower_io, nir_var_uniform, vec4_slots, (nir_lower_io_options)0);
   NIR_PASS_V(nir, nir_lower_uniforms_to_ubo, false, false);
   NIR_PASS_V(nir, nir_lower_samplers);
   NIR_PASS_V(nir, nir_remove_dead_variables, nir_var_uniform, NULL);
   vgpu_nir_optimize(nir);
   return nir;
}

nir_shader *
vgpu_glsl_source_to_nir(const char *source, gl_shader_stage stage, int version,
                        struct vgpu_glsl_layout *layout)
{
   char path[] = "/tmp/vgpu-glsl-XXXXXX.vert";
   if (stage == MESA_SHADER_FRAGMENT)
      memcpy(path + strlen(path) - 4, "frag", 4);
   int fd = mkstemps(path, 5);
   if (fd < 0)
      return NULL;
   size_t len = strlen(source);
   bool written = write(fd, source, len) == (ssize_t)len;
   close(fd);
   nir_shader *nir = written ? vgpu_glsl_to_nir(path, version, layout) : NULL;
   unlink(path);
   return nir;
}
