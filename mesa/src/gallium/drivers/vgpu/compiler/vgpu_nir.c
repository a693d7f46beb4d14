/* SPDX-License-Identifier: MIT */
/*
 * NIR options and the passes that bring a shader to the form the emitter takes: scalar 32-bit ALU ops that
 * each map to one vgpu instruction (docs/isa.md, section 4), IO as load_input/store_output at known slots,
 * no indirect derefs (the ISA has no relative addressing), textures as tex/txb/txl, and out of SSA.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vgpu_compiler_priv.h"
#include "compiler/nir/nir_builder.h"
#include "util/u_math.h"

static const nir_shader_compiler_options vgpu_options = {
   /* Lowered: no single instruction does these. */
   .lower_fdiv = true,
   .lower_fmod = true,
   .lower_fpow = true,
   .lower_flrp32 = true,
   .lower_flrp64 = true,
   .lower_scmp = true,
   .lower_isign = true,
   .lower_fdph = true,
   .lower_ldexp = true,
   .lower_bitfield_extract_to_shifts = true,
   .lower_bitfield_insert_to_shifts = true,
   .lower_bitfield_reverse = true,
   .lower_bit_count = true,
   .lower_ifind_msb = true,
   .lower_find_lsb = true,
   .lower_uadd_carry = true,
   .lower_usub_borrow = true,
   .lower_hadd = true,
   .lower_uadd_sat = true,
   .lower_usub_sat = true,
   .lower_iadd_sat = true,
   .lower_rotate = true,
   .lower_fisnormal = true,
   .lower_pack_half_2x16 = true,
   .lower_pack_unorm_2x16 = true,
   .lower_pack_snorm_2x16 = true,
   .lower_pack_unorm_4x8 = true,
   .lower_pack_snorm_4x8 = true,
   .lower_unpack_half_2x16 = true,
   .lower_unpack_unorm_2x16 = true,
   .lower_unpack_snorm_2x16 = true,
   .lower_unpack_unorm_4x8 = true,
   .lower_unpack_snorm_4x8 = true,
   .lower_extract_byte = true,
   .lower_extract_word = true,
   .lower_insert_byte = true,
   .lower_insert_word = true,
   .lower_fdot = true,
   .lower_vector_cmp = true,
   .lower_int64_options = ~0,
   .lower_doubles_options = ~0,
   /* The hardware ffma rounds the product, so fusing fmul + fadd into it changes no result. */
   .fuse_ffma32 = true,
   .has_isub = true,
   .has_fsub = true,
   .lower_to_scalar = true,
   .lower_uniforms_to_ubo = true,
   .use_interpolated_input_intrinsics = true,
   .vertex_id_zero_based = false,
   .lower_all_io_to_temps = false,
   .max_unroll_iterations = 32,
   /* No relative addressing (isa.md, section 1): st/mesa lowers indirect temporaries, inputs, outputs. */
   .force_indirect_unrolling = nir_var_shader_in | nir_var_shader_out | nir_var_function_temp,
   .support_indirect_inputs = 0,
   .support_indirect_outputs = 0,
};

const nir_shader_compiler_options *
vgpu_nir_options(void)
{
   return &vgpu_options;
}

void
vgpu_error(struct vgpu_compile_ctx *c, const char *fmt, ...)
{
   if (c->error)
      return;
   va_list ap;
   va_start(ap, fmt);
   if (vasprintf(&c->error, fmt, ap) < 0)
      c->error = NULL;
   va_end(ap);
   if (!c->error)
      c->error = strdup("out of memory");
}

static bool
scalarize_filter(const nir_instr *instr, const void *data)
{
   return true;
}

void
vgpu_nir_optimize(nir_shader *nir)
{
   bool progress;
   unsigned rounds = 0;
   do {
      progress = false;
      NIR_PASS(progress, nir, nir_lower_vars_to_ssa);
      NIR_PASS(progress, nir, nir_lower_alu_to_scalar, scalarize_filter, NULL);
      NIR_PASS(progress, nir, nir_lower_phis_to_scalar, false);
      NIR_PASS(progress, nir, nir_copy_prop);
      NIR_PASS(progress, nir, nir_opt_remove_phis);
      NIR_PASS(progress, nir, nir_opt_dce);
      NIR_PASS(progress, nir, nir_opt_dead_cf);
      NIR_PASS(progress, nir, nir_opt_cse);
      NIR_PASS(progress, nir, nir_opt_peephole_select, 8, true, true);
      NIR_PASS(progress, nir, nir_opt_algebraic);
      /* lower_flrp32 in the options only says what to do; this pass does it. */
      NIR_PASS(progress, nir, nir_lower_flrp, 32 | 64, false);
      NIR_PASS(progress, nir, nir_opt_constant_folding);
      NIR_PASS(progress, nir, nir_opt_undef);
      NIR_PASS(progress, nir, nir_opt_if, nir_opt_if_optimize_phi_true_false);
      NIR_PASS(progress, nir, nir_opt_loop_unroll);
      NIR_PASS(progress, nir, nir_opt_conditional_discard);
   } while (progress && ++rounds < 64);
}

/* Sizes of IO and uniform variables in vec4 slots (attributes, varyings, outputs). */
static int
type_size_vec4(const struct glsl_type *type, bool bindless)
{
   return glsl_count_attribute_slots(type, false);
}

static bool
is_position_or_special_output(unsigned loc)
{
   return loc == VARYING_SLOT_POS || loc == VARYING_SLOT_PSIZ || loc == VARYING_SLOT_CLIP_VERTEX ||
          loc == VARYING_SLOT_CLIP_DIST0 || loc == VARYING_SLOT_CLIP_DIST1 ||
          loc == VARYING_SLOT_EDGE;
}

/* Fragment inputs that are system values here, not varyings. */
static bool
is_fs_sysval_input(unsigned loc)
{
   return loc == VARYING_SLOT_POS || loc == VARYING_SLOT_FACE || loc == VARYING_SLOT_PNTC;
}

int
vgpu_varying_slot(const struct vgpu_shader_binary *bin, unsigned location)
{
   for (unsigned i = 0; i < bin->num_varyings; i++)
      if (bin->varying_location[i] == location)
         return i;
   return -1;
}

static int
compare_u8(const void *a, const void *b)
{
   return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* Varying slots: the key's layout for a linked vertex shader, else the locations in ascending order. */
static bool
assign_varying_slots(struct vgpu_compile_ctx *c)
{
   nir_shader *nir = c->nir;
   struct vgpu_shader_binary *out = c->out;
   uint64_t locations = 0;
   nir_variable_mode mode = nir->info.stage == MESA_SHADER_VERTEX ? nir_var_shader_out : nir_var_shader_in;

   if (nir->info.stage == MESA_SHADER_VERTEX && c->key->linked) {
      out->num_varyings = MIN2(c->key->num_varyings, VGPU_MAX_SLOTS);
      memcpy(out->varying_location, c->key->varying_location, out->num_varyings);
      return true;
   }
   nir_foreach_variable_with_modes(var, nir, mode) {
      if (var->data.location < 0)
         continue;
      unsigned n = glsl_count_attribute_slots(var->type, false);
      for (unsigned i = 0; i < n; i++) {
         unsigned loc = var->data.location + i;
         if (nir->info.stage == MESA_SHADER_VERTEX ? is_position_or_special_output(loc)
                                                   : is_fs_sysval_input(loc))
            continue;
         if (loc < 64)
            locations |= BITFIELD64_BIT(loc);
      }
   }
   unsigned count = util_bitcount64(locations);
   if (count > VGPU_MAX_SLOTS) {
      vgpu_error(c, "shader uses %u varyings, the hardware has %u", count, VGPU_MAX_SLOTS);
      return false;
   }
   out->num_varyings = 0;
   u_foreach_bit64(loc, locations)
      out->varying_location[out->num_varyings++] = loc;
   qsort(out->varying_location, out->num_varyings, 1, compare_u8);
   return true;
}

static bool
assign_attribute_slots(struct vgpu_compile_ctx *c)
{
   nir_foreach_shader_in_variable(var, c->nir) {
      unsigned n = glsl_count_attribute_slots(var->type, true);
      if (var->data.driver_location + n > VGPU_MAX_SLOTS) {
         vgpu_error(c, "vertex shader input '%s' needs attribute slot %u, the hardware has %u",
                    var->name, var->data.driver_location + n - 1, VGPU_MAX_SLOTS);
         return false;
      }
      for (unsigned i = 0; i < n; i++)
         c->out->attrib_element[var->data.driver_location + i] = var->data.driver_location + i;
      c->out->num_attribs = MAX2(c->out->num_attribs, var->data.driver_location + n);
   }
   return true;
}

static bool
check_texture(struct vgpu_compile_ctx *c, nir_tex_instr *tex)
{
   if (tex->sampler_dim != GLSL_SAMPLER_DIM_2D && tex->sampler_dim != GLSL_SAMPLER_DIM_CUBE &&
       tex->sampler_dim != GLSL_SAMPLER_DIM_EXTERNAL) {
      vgpu_error(c, "texture dimension %d is not supported (2D and cube only)", tex->sampler_dim);
      return false;
   }
   if (tex->is_array) {
      vgpu_error(c, "array textures are not supported");
      return false;
   }
   return true;
}

static bool
check_textures(struct vgpu_compile_ctx *c)
{
   nir_foreach_function(func, c->nir) {
      if (!func->impl)
         continue;
      nir_foreach_block(block, func->impl) {
         nir_foreach_instr(instr, block) {
            if (instr->type == nir_instr_type_tex && !check_texture(c, nir_instr_as_tex(instr)))
               return false;
         }
      }
   }
   return true;
}

bool
vgpu_nir_lower(struct vgpu_compile_ctx *c)
{
   nir_shader *nir = c->nir;
   gl_shader_stage stage = nir->info.stage;

   if (stage != MESA_SHADER_VERTEX && stage != MESA_SHADER_FRAGMENT) {
      vgpu_error(c, "only vertex and fragment shaders exist on vgpu (got %s)",
                 _mesa_shader_stage_to_string(stage));
      return false;
   }

   NIR_PASS_V(nir, nir_remove_dead_variables, nir_var_shader_in | nir_var_shader_out, NULL);
   NIR_PASS_V(nir, nir_lower_io_to_temporaries, nir_shader_get_entrypoint(nir), true, false);
   NIR_PASS_V(nir, nir_lower_global_vars_to_local);
   NIR_PASS_V(nir, nir_split_var_copies);
   NIR_PASS_V(nir, nir_lower_var_copies);
   NIR_PASS_V(nir, nir_lower_vars_to_ssa);
   NIR_PASS_V(nir, nir_lower_indirect_derefs,
              nir_var_function_temp | nir_var_shader_in | nir_var_shader_out, UINT32_MAX);
   NIR_PASS_V(nir, nir_lower_vars_to_ssa);

   if (stage == MESA_SHADER_VERTEX && !assign_attribute_slots(c))
      return false;
   if (!assign_varying_slots(c))
      return false;

   NIR_PASS_V(nir, nir_lower_io, nir_var_shader_in | nir_var_shader_out, type_size_vec4,
              (nir_lower_io_options)0);
   NIR_PASS_V(nir, nir_lower_io_to_scalar, nir_var_shader_in | nir_var_shader_out);

   if (!check_textures(c))
      return false;
   nir_lower_tex_options tex_options = {
      .lower_txp = ~0u,
      .lower_txd = true,
      .lower_invalid_implicit_lod = true,
      .lower_rect = true,
   };
   NIR_PASS_V(nir, nir_lower_tex, &tex_options);

   vgpu_nir_optimize(nir);
   NIR_PASS_V(nir, nir_opt_algebraic_late);
   NIR_PASS_V(nir, nir_lower_alu_to_scalar, scalarize_filter, NULL);
   NIR_PASS_V(nir, nir_lower_load_const_to_scalar);
   NIR_PASS_V(nir, nir_copy_prop);
   NIR_PASS_V(nir, nir_opt_dce);
   NIR_PASS_V(nir, nir_opt_cse);
   NIR_PASS_V(nir, nir_lower_bool_to_int32);
   NIR_PASS_V(nir, nir_lower_to_source_mods, nir_lower_float_source_mods);
   NIR_PASS_V(nir, nir_copy_prop);
   NIR_PASS_V(nir, nir_opt_dce);
   NIR_PASS_V(nir, nir_convert_from_ssa, true);
   NIR_PASS_V(nir, nir_opt_dce);
   nir_index_ssa_defs(nir_shader_get_entrypoint(nir));
   nir_index_local_regs(nir_shader_get_entrypoint(nir));
   return true;
}
