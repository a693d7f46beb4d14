/* SPDX-License-Identifier: MIT */
/*
 * Emission: a walk of the (structured, out-of-SSA) NIR control flow that produces one vgpu instruction per
 * scalar operation over virtual registers. if/else/endif and loop/endloop come out 1:1; constants become
 * immediates where the ISA allows one (one per instruction, never on a condition) and a mov elsewhere.
 */
#include <math.h>

#include "vgpu_compiler_priv.h"
#include "util/u_math.h"

/* An operand before register allocation: a virtual register or a 32-bit constant, with float modifiers. */
struct operand {
   bool is_const;
   int vreg;
   uint32_t value;
   bool neg, abs;
};

static void *
grow(void *array, unsigned *cap, unsigned needed, size_t elem)
{
   if (needed <= *cap)
      return array;
   unsigned n = MAX2(needed, *cap * 2 + 16);
   array = realloc(array, n * elem);
   if (!array)
      abort();
   *cap = n;
   return array;
}

static int
new_vregs(struct vgpu_compile_ctx *c, unsigned count, bool group, bool multi_def)
{
   c->vregs = grow(c->vregs, &c->cap_vregs, c->num_vregs + count, sizeof(*c->vregs));
   int first = c->num_vregs;
   for (unsigned i = 0; i < count; i++) {
      c->vregs[first + i] = (struct vgpu_vreg){
         .group_leader = group ? first : first + (int)i,
         .group_size = group ? (i == 0 ? count : 0) : 1,
         .multi_def = multi_def,
      };
   }
   c->num_vregs += count;
   return first;
}

static struct vgpu_vinst *
add_inst(struct vgpu_compile_ctx *c, unsigned opcode)
{
   c->insts = grow(c->insts, &c->cap_insts, c->num_insts + 1, sizeof(*c->insts));
   struct vgpu_vinst *in = &c->insts[c->num_insts++];
   memset(in, 0, sizeof(*in));
   in->isa.opcode = opcode;
   in->vdst = in->vsrc[0] = in->vsrc[1] = in->vsrc[2] = VGPU_NO_VREG;
   return in;
}

static uint32_t
apply_mods(uint32_t bits, bool neg, bool abs)
{
   if (abs)
      bits &= 0x7fffffffu;
   if (neg)
      bits ^= 0x80000000u;
   return bits;
}

/* A constant in a register, for the places that cannot take an immediate. */
static int
materialize(struct vgpu_compile_ctx *c, uint32_t value)
{
   int v = new_vregs(c, 1, false, false);
   struct vgpu_vinst *in = add_inst(c, VGPU_OP_MOV);
   in->vdst = v;
   in->isa.imm_src = 1;
   in->isa.imm = value;
   return v;
}

/* Fills source i of `in` from op: a register, the immediate if still free and allowed, or a mov'd
 * constant. Modifiers go on float sources only; elsewhere a mov applies them first. */
static void
set_source(struct vgpu_compile_ctx *c, unsigned idx, unsigned i, struct operand op, bool imm_ok)
{
   const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(c->insts[idx].isa.opcode);
   bool mods_ok = info->type == VGPU_ISA_T_F || c->insts[idx].isa.opcode == VGPU_OP_MOV;
   if (info->format != VGPU_ISA_FMT_ALU)
      mods_ok = false;

   if (op.is_const) {
      uint32_t bits = apply_mods(op.value, op.neg, op.abs);
      if (imm_ok && c->insts[idx].isa.imm_src == 0) {
         c->insts[idx].isa.imm_src = i + 1;
         c->insts[idx].isa.imm = bits;
         return;
      }
      op = (struct operand){.vreg = materialize(c, bits)};
   } else if ((op.neg || op.abs) && !mods_ok) {
      int v = new_vregs(c, 1, false, false);
      struct vgpu_vinst *mov = add_inst(c, VGPU_OP_MOV);
      mov->vdst = v;
      mov->vsrc[0] = op.vreg;
      mov->isa.neg[0] = op.neg;
      mov->isa.abs[0] = op.abs;
      op = (struct operand){.vreg = v};
   }
   c->insts[idx].vsrc[i] = op.vreg;
   c->insts[idx].isa.neg[i] = op.neg;
   c->insts[idx].isa.abs[i] = op.abs;
}

/* Appends an instruction with sources; materialising constants may add movs before it, so it is built
 * at the end and moved into place. Returns its index. */
static unsigned
emit(struct vgpu_compile_ctx *c, unsigned opcode, int vdst, unsigned nsrc, const struct operand *srcs,
     bool imm_ok)
{
   struct vgpu_vinst tmp;
   unsigned before = c->num_insts;
   add_inst(c, opcode);
   for (unsigned i = 0; i < nsrc; i++)
      set_source(c, before, i, srcs[i], imm_ok);
   /* Move the instruction after the movs its sources needed. */
   tmp = c->insts[before];
   memmove(&c->insts[before], &c->insts[before + 1], (c->num_insts - before - 1) * sizeof(tmp));
   c->insts[c->num_insts - 1] = tmp;
   c->insts[c->num_insts - 1].vdst = vdst;
   return c->num_insts - 1;
}

static int
ssa_vregs(struct vgpu_compile_ctx *c, nir_ssa_def *def)
{
   if (c->ssa_vreg[def->index] == VGPU_NO_VREG)
      c->ssa_vreg[def->index] = new_vregs(c, def->num_components, false, false);
   return c->ssa_vreg[def->index];
}

static int
reg_vregs(struct vgpu_compile_ctx *c, nir_register *reg)
{
   if (reg->num_array_elems) {
      vgpu_error(c, "register arrays are not supported (indirect addressing)");
      return 0;
   }
   if (reg->bit_size != 32 && reg->bit_size != 1) {
      vgpu_error(c, "%u-bit values are not supported", reg->bit_size);
      return 0;
   }
   if (c->reg_vreg[reg->index] == VGPU_NO_VREG)
      c->reg_vreg[reg->index] = new_vregs(c, reg->num_components, false, true);
   return c->reg_vreg[reg->index];
}

/* Component `comp` of a NIR source. */
static struct operand
get_src(struct vgpu_compile_ctx *c, const nir_src *src, unsigned comp)
{
   if (src->is_ssa) {
      nir_instr *parent = src->ssa->parent_instr;
      if (parent->type == nir_instr_type_load_const) {
         nir_load_const_instr *lc = nir_instr_as_load_const(parent);
         return (struct operand){.is_const = true, .value = nir_const_value_as_uint(lc->value[comp], 32)};
      }
      if (parent->type == nir_instr_type_ssa_undef)
         return (struct operand){.is_const = true, .value = 0};
      if (src->ssa->bit_size != 32 && src->ssa->bit_size != 1)
         vgpu_error(c, "%u-bit values are not supported", src->ssa->bit_size);
      return (struct operand){.vreg = ssa_vregs(c, src->ssa) + comp};
   }
   if (src->reg.indirect)
      vgpu_error(c, "indirect register access is not supported");
   return (struct operand){.vreg = reg_vregs(c, src->reg.reg) + comp};
}

static struct operand
get_alu_src(struct vgpu_compile_ctx *c, const nir_alu_src *src, unsigned dest_comp)
{
   struct operand op = get_src(c, &src->src, src->swizzle[dest_comp]);
   op.neg = src->negate;
   op.abs = src->abs;
   return op;
}

/* The vreg that receives component `comp` of a destination. */
static int
get_dest(struct vgpu_compile_ctx *c, nir_dest *dest, unsigned comp)
{
   if (dest->is_ssa)
      return ssa_vregs(c, &dest->ssa) + comp;
   return reg_vregs(c, dest->reg.reg) + comp;
}

static unsigned
dest_components(const nir_dest *dest)
{
   return dest->is_ssa ? dest->ssa.num_components : dest->reg.reg->num_components;
}

static void
emit_mov(struct vgpu_compile_ctx *c, int vdst, struct operand src)
{
   emit(c, VGPU_OP_MOV, vdst, 1, &src, true);
}

/* NIR ALU ops that are one vgpu opcode with the same operands. */
static unsigned
direct_opcode(nir_op op)
{
   switch (op) {
   case nir_op_mov: return VGPU_OP_MOV;
   case nir_op_b32csel: return VGPU_OP_SEL;
   case nir_op_fadd: return VGPU_OP_FADD;
   case nir_op_fmul: return VGPU_OP_FMUL;
   case nir_op_ffma: return VGPU_OP_FFMA;
   case nir_op_fmin: return VGPU_OP_FMIN;
   case nir_op_fmax: return VGPU_OP_FMAX;
   case nir_op_ffloor: return VGPU_OP_FFLOOR;
   case nir_op_fceil: return VGPU_OP_FCEIL;
   case nir_op_ftrunc: return VGPU_OP_FTRUNC;
   case nir_op_ffract: return VGPU_OP_FFRACT;
   case nir_op_fround_even: return VGPU_OP_FROUND;
   case nir_op_fsqrt: return VGPU_OP_FSQRT;
   case nir_op_frsq: return VGPU_OP_FRSQ;
   case nir_op_frcp: return VGPU_OP_FRCP;
   case nir_op_fexp2: return VGPU_OP_FEXP2;
   case nir_op_flog2: return VGPU_OP_FLOG2;
   case nir_op_fsin: return VGPU_OP_FSIN;
   case nir_op_fcos: return VGPU_OP_FCOS;
   case nir_op_fsign: return VGPU_OP_FSIGN;
   case nir_op_iadd: return VGPU_OP_IADD;
   case nir_op_isub: return VGPU_OP_ISUB;
   case nir_op_imul: return VGPU_OP_IMUL;
   case nir_op_imul_high: return VGPU_OP_IMULHI;
   case nir_op_umul_high: return VGPU_OP_UMULHI;
   case nir_op_idiv: return VGPU_OP_IDIV;
   case nir_op_udiv: return VGPU_OP_UDIV;
   case nir_op_irem: return VGPU_OP_IREM;
   case nir_op_imod: return VGPU_OP_IMOD;
   case nir_op_umod: return VGPU_OP_UMOD;
   case nir_op_ineg: return VGPU_OP_INEG;
   case nir_op_iabs: return VGPU_OP_IABS;
   case nir_op_imin: return VGPU_OP_IMIN;
   case nir_op_imax: return VGPU_OP_IMAX;
   case nir_op_umin: return VGPU_OP_UMIN;
   case nir_op_umax: return VGPU_OP_UMAX;
   case nir_op_ishl: return VGPU_OP_ISHL;
   case nir_op_ishr: return VGPU_OP_ISHR;
   case nir_op_ushr: return VGPU_OP_USHR;
   case nir_op_iand: return VGPU_OP_AND;
   case nir_op_ior: return VGPU_OP_OR;
   case nir_op_ixor: return VGPU_OP_XOR;
   case nir_op_inot: return VGPU_OP_NOT;
   case nir_op_f2i32: return VGPU_OP_F2I;
   case nir_op_f2u32: return VGPU_OP_F2U;
   case nir_op_i2f32: return VGPU_OP_I2F;
   case nir_op_u2f32: return VGPU_OP_U2F;
   case nir_op_feq32: return VGPU_OP_FEQ;
   case nir_op_fneu32: return VGPU_OP_FNE;
   case nir_op_flt32: return VGPU_OP_FLT;
   case nir_op_fge32: return VGPU_OP_FGE;
   case nir_op_ieq32: return VGPU_OP_IEQ;
   case nir_op_ine32: return VGPU_OP_INE;
   case nir_op_ilt32: return VGPU_OP_ILT;
   case nir_op_ige32: return VGPU_OP_IGE;
   case nir_op_ult32: return VGPU_OP_ULT;
   case nir_op_uge32: return VGPU_OP_UGE;
   case nir_op_fddx: return VGPU_OP_DDX;
   case nir_op_fddx_coarse: return VGPU_OP_DDX;
   case nir_op_fddy: return VGPU_OP_DDY;
   case nir_op_fddy_coarse: return VGPU_OP_DDY;
   case nir_op_fddx_fine: return VGPU_OP_DDX_FINE;
   case nir_op_fddy_fine: return VGPU_OP_DDY_FINE;
   case nir_op_i2i32:
   case nir_op_u2u32:
   case nir_op_f2f32:
      return VGPU_OP_MOV;
   default: return 0;
   }
}

/* One component of an ALU op; returns the instruction index or -1 if it needs no instruction of its own
 * (or failed). */
static void
emit_alu_component(struct vgpu_compile_ctx *c, nir_alu_instr *alu, unsigned comp)
{
   const nir_op_info *info = &nir_op_infos[alu->op];
   int dst = get_dest(c, &alu->dest.dest, comp);
   struct operand src[3];
   unsigned opcode = direct_opcode(alu->op);
   bool sat = alu->dest.saturate;

   if (info->output_size == 0) {
      for (unsigned i = 0; i < info->num_inputs; i++)
         src[i] = get_alu_src(c, &alu->src[i], comp);
   }

   switch (alu->op) {
   case nir_op_vec2:
   case nir_op_vec3:
   case nir_op_vec4: {
      struct operand s = get_alu_src(c, &alu->src[comp], 0);
      emit(c, VGPU_OP_MOV, dst, 1, &s, true);
      return;
   }
   case nir_op_fneg:
      src[0].neg = !src[0].neg;
      opcode = VGPU_OP_MOV;
      break;
   case nir_op_fabs:
      src[0].abs = true;
      src[0].neg = false;
      opcode = VGPU_OP_MOV;
      break;
   case nir_op_fsat:
      sat = true;
      opcode = VGPU_OP_MOV;
      break;
   case nir_op_fsub:
      src[1].neg = !src[1].neg;
      opcode = VGPU_OP_FADD;
      break;
   case nir_op_b2f32:
      src[1] = (struct operand){.is_const = true, .value = 0x3f800000u};
      opcode = VGPU_OP_AND;
      break;
   case nir_op_b2i32:
      src[1] = (struct operand){.is_const = true, .value = 1};
      opcode = VGPU_OP_AND;
      break;
   case nir_op_f2b32:
      src[1] = (struct operand){.is_const = true, .value = 0};
      opcode = VGPU_OP_FNE;
      break;
   case nir_op_i2b32:
      src[1] = (struct operand){.is_const = true, .value = 0};
      opcode = VGPU_OP_INE;
      break;
   default:
      break;
   }
   if (!opcode || info->output_size != 0) {
      vgpu_error(c, "NIR op %s is not supported by the vgpu backend", info->name);
      return;
   }
   if ((opcode == VGPU_OP_DDX || opcode == VGPU_OP_DDY || opcode == VGPU_OP_DDX_FINE ||
        opcode == VGPU_OP_DDY_FINE) &&
       c->nir->info.stage != MESA_SHADER_FRAGMENT) {
      vgpu_error(c, "derivatives exist only in fragment shaders");
      return;
   }

   const struct vgpu_isa_opinfo *op = vgpu_isa_opinfo(opcode);
   unsigned nsrc = op->nsrc;
   if (sat && !op->float_result) {
      int tmp = new_vregs(c, 1, false, false);
      emit(c, opcode, tmp, nsrc, src, true);
      unsigned m = emit(c, VGPU_OP_MOV, dst, 1, &(struct operand){.vreg = tmp}, true);
      c->insts[m].isa.sat = 1;
      return;
   }
   unsigned i = emit(c, opcode, dst, nsrc, src, true);
   c->insts[i].isa.sat = sat;
}

/* A plain scalar SSA copy (NIR's channel extraction) names its source's vreg instead of moving it. */
static bool
alias_copy(struct vgpu_compile_ctx *c, nir_alu_instr *alu)
{
   if (alu->op != nir_op_mov || !alu->dest.dest.is_ssa || alu->dest.dest.ssa.num_components != 1 ||
       alu->dest.saturate || alu->src[0].negate || alu->src[0].abs || !alu->src[0].src.is_ssa)
      return false;
   nir_instr *parent = alu->src[0].src.ssa->parent_instr;
   if (parent->type == nir_instr_type_load_const || parent->type == nir_instr_type_ssa_undef)
      return false;
   c->ssa_vreg[alu->dest.dest.ssa.index] = get_src(c, &alu->src[0].src, alu->src[0].swizzle[0]).vreg;
   return true;
}

static void
emit_alu(struct vgpu_compile_ctx *c, nir_alu_instr *alu)
{
   if (alias_copy(c, alu))
      return;
   unsigned n = dest_components(&alu->dest.dest);
   for (unsigned comp = 0; comp < n; comp++) {
      if (alu->dest.write_mask & (1u << comp))
         emit_alu_component(c, alu, comp);
   }
}

static void
emit_special(struct vgpu_compile_ctx *c, int vdst, unsigned sr)
{
   struct vgpu_vinst *in = add_inst(c, VGPU_OP_MOV_SR);
   in->vdst = vdst;
   in->isa.aux = sr;
}

static unsigned
interp_of(struct vgpu_compile_ctx *c, enum glsl_interp_mode mode, unsigned location)
{
   switch (mode) {
   case INTERP_MODE_FLAT: return VGPU_ISA_INTERP_FLAT;
   case INTERP_MODE_NOPERSPECTIVE: return VGPU_ISA_INTERP_NOPERSPECTIVE;
   case INTERP_MODE_NONE:
      if (c->key->flatshade && (location == VARYING_SLOT_COL0 || location == VARYING_SLOT_COL1 ||
                                location == VARYING_SLOT_BFC0 || location == VARYING_SLOT_BFC1))
         return VGPU_ISA_INTERP_FLAT;
      return VGPU_ISA_INTERP_SMOOTH;
   default: return VGPU_ISA_INTERP_SMOOTH;
   }
}

static void
emit_load_input(struct vgpu_compile_ctx *c, nir_intrinsic_instr *intr, enum glsl_interp_mode mode)
{
   unsigned location = nir_intrinsic_io_semantics(intr).location;
   unsigned first = nir_intrinsic_component(intr);
   unsigned n = intr->dest.ssa.num_components;
   unsigned read = nir_ssa_def_components_read(&intr->dest.ssa); /* unread components cost nothing */
   nir_src *offset = nir_get_io_offset_src(intr);

   if (offset && !nir_src_is_const(*offset)) {
      vgpu_error(c, "indirect input access is not supported");
      return;
   }
   unsigned extra = offset ? nir_src_as_uint(*offset) : 0;

   if (c->nir->info.stage == MESA_SHADER_VERTEX) {
      unsigned slot = nir_intrinsic_base(intr) + extra;
      if (slot >= VGPU_MAX_SLOTS) {
         vgpu_error(c, "vertex attribute slot %u does not exist (16 slots)", slot);
         return;
      }
      for (unsigned i = 0; i < n; i++) {
         if (!(read & (1u << i)))
            continue;
         struct vgpu_vinst *in = add_inst(c, VGPU_OP_LD_IN);
         in->vdst = get_dest(c, &intr->dest, i);
         in->isa.aux = slot | (first + i) << 4;
      }
      c->inputs_read |= 1u << slot;
      return;
   }

   location += extra;
   if (location == VARYING_SLOT_POS) {
      for (unsigned i = 0; i < n; i++)
         if (read & (1u << i))
            emit_special(c, get_dest(c, &intr->dest, i), VGPU_ISA_SR_FRAGCOORD_X + first + i);
      return;
   }
   if (location == VARYING_SLOT_FACE) {
      emit_special(c, get_dest(c, &intr->dest, 0), VGPU_ISA_SR_FRONTFACING);
      return;
   }
   if (location == VARYING_SLOT_PNTC) {
      vgpu_error(c, "gl_PointCoord is not supported by vgpu hardware 1.0");
      return;
   }
   int slot = vgpu_varying_slot(c->out, location);
   if (slot < 0) {
      vgpu_error(c, "fragment input at location %u has no varying slot", location);
      return;
   }
   unsigned interp = interp_of(c, mode, location);
   c->out->varying_interp[slot] = interp;
   for (unsigned i = 0; i < n; i++) {
      if (!(read & (1u << i)))
         continue;
      struct vgpu_vinst *in = add_inst(c, VGPU_OP_LD_VAR);
      in->vdst = get_dest(c, &intr->dest, i);
      in->isa.aux = slot | (first + i) << 4 | interp << 6;
   }
   c->inputs_read |= 1u << slot;
}

static void
emit_store_output(struct vgpu_compile_ctx *c, nir_intrinsic_instr *intr)
{
   unsigned location = nir_intrinsic_io_semantics(intr).location;
   unsigned first = nir_intrinsic_component(intr);
   unsigned mask = nir_intrinsic_write_mask(intr);
   nir_src *offset = nir_get_io_offset_src(intr);
   unsigned slots[VGPU_ISA_OUT_SLOTS], nslots = 0;
   bool scalar = false;

   if (!nir_src_is_const(*offset)) {
      vgpu_error(c, "indirect output access is not supported");
      return;
   }
   location += nir_src_as_uint(*offset);

   if (c->nir->info.stage == MESA_SHADER_VERTEX) {
      if (location == VARYING_SLOT_POS) {
         slots[nslots++] = VGPU_ISA_OUT_POSITION;
      } else if (location == VARYING_SLOT_PSIZ) {
         slots[nslots++] = VGPU_ISA_OUT_POINTSIZE;
         scalar = true;
         c->out->writes_point_size = true;
      } else {
         int slot = vgpu_varying_slot(c->out, location);
         if (slot < 0)
            return; /* not read by the fragment shader, or a clip output nothing consumes */
         slots[nslots++] = VGPU_ISA_OUT_VARYING0 + slot;
      }
   } else {
      if (location == FRAG_RESULT_COLOR) {
         unsigned targets = MAX2(c->key->color_targets, 1);
         for (unsigned t = 0; t < targets && t < 4; t++)
            slots[nslots++] = VGPU_ISA_OUT_COLOR0 + t;
      } else if (location >= FRAG_RESULT_DATA0 && location < FRAG_RESULT_DATA0 + 4) {
         slots[nslots++] = VGPU_ISA_OUT_COLOR0 + location - FRAG_RESULT_DATA0;
      } else if (location == FRAG_RESULT_DEPTH) {
         slots[nslots++] = VGPU_ISA_OUT_DEPTH;
         scalar = true;
         c->out->writes_depth = true;
      } else {
         vgpu_error(c, "fragment output %s is not supported", gl_frag_result_name(location));
         return;
      }
   }

   for (unsigned i = 0; i < intr->num_components; i++) {
      if (!(mask & (1u << i)))
         continue;
      unsigned comp = first + i;
      if (scalar && comp != 0)
         continue;
      struct operand value = get_src(c, &intr->src[0], i);
      for (unsigned s = 0; s < nslots; s++) {
         unsigned idx = emit(c, VGPU_OP_ST_OUT, VGPU_NO_VREG, 1, &value, true);
         c->insts[idx].isa.aux = slots[s] | comp << 5;
         c->outputs_written |= 1u << slots[s];
      }
   }
}

static int
zero_vreg(struct vgpu_compile_ctx *c)
{
   if (c->zero_vreg == VGPU_NO_VREG) {
      c->zero_vreg = new_vregs(c, 1, false, false);
      c->vregs[c->zero_vreg].initial_zero = true;
   }
   return c->zero_vreg;
}

static void
emit_load_ubo(struct vgpu_compile_ctx *c, nir_intrinsic_instr *intr)
{
   if (!nir_src_is_const(intr->src[0])) {
      vgpu_error(c, "uniform buffer index must be constant");
      return;
   }
   unsigned slot = nir_src_as_uint(intr->src[0]);
   if (slot >= VGPU_MAX_SLOTS) {
      vgpu_error(c, "uniform buffer %u does not exist (16 slots)", slot);
      return;
   }
   if (intr->dest.ssa.bit_size != 32) {
      vgpu_error(c, "%u-bit uniform loads are not supported", intr->dest.ssa.bit_size);
      return;
   }
   c->out->ubos_used |= 1u << slot;
   struct operand addr = get_src(c, &intr->src[1], 0);
   unsigned read = nir_ssa_def_components_read(&intr->dest.ssa);
   for (unsigned i = 0; i < intr->dest.ssa.num_components; i++) {
      if (!(read & (1u << i)))
         continue;
      struct operand a = addr;
      uint32_t offset = 4 * i;
      if (a.is_const) {
         /* Whole constant address: the zero register (or immediate 0) plus the offset field when it
          * fits. */
         uint32_t byte = a.value + offset;
         if (byte <= VGPU_ISA_UBO_MAX_OFFSET && byte % 4 == 0) {
            a.value = 0;
            offset = byte;
            if (c->ubo_zero_register)
               a = (struct operand){.vreg = zero_vreg(c)};
         } else {
            a.value = byte;
            offset = 0;
         }
      }
      unsigned idx = emit(c, VGPU_OP_LD_UBO, get_dest(c, &intr->dest, i), 1, &a, true);
      c->insts[idx].isa.aux = slot | (offset / 4) << 4;
      c->out->stats.ubo_loads++;
   }
}

static void
emit_intrinsic(struct vgpu_compile_ctx *c, nir_intrinsic_instr *intr)
{
   switch (intr->intrinsic) {
   case nir_intrinsic_load_input:
      emit_load_input(c, intr, INTERP_MODE_FLAT);
      return;
   case nir_intrinsic_load_interpolated_input: {
      nir_intrinsic_instr *bary = nir_src_as_intrinsic(intr->src[0]);
      if (!bary || bary->intrinsic == nir_intrinsic_load_barycentric_at_offset ||
          bary->intrinsic == nir_intrinsic_load_barycentric_at_sample) {
         vgpu_error(c, "interpolateAt* is not supported");
         return;
      }
      emit_load_input(c, intr, nir_intrinsic_interp_mode(bary));
      return;
   }
   case nir_intrinsic_load_barycentric_pixel:
   case nir_intrinsic_load_barycentric_centroid:
   case nir_intrinsic_load_barycentric_sample:
      return; /* consumed by load_interpolated_input */
   case nir_intrinsic_store_output:
      emit_store_output(c, intr);
      return;
   case nir_intrinsic_load_ubo:
      emit_load_ubo(c, intr);
      return;
   case nir_intrinsic_load_frag_coord: {
      unsigned read = nir_ssa_def_components_read(&intr->dest.ssa);
      for (unsigned i = 0; i < 4; i++)
         if (read & (1u << i))
            emit_special(c, get_dest(c, &intr->dest, i), VGPU_ISA_SR_FRAGCOORD_X + i);
      return;
   }
   case nir_intrinsic_load_front_face:
      emit_special(c, get_dest(c, &intr->dest, 0), VGPU_ISA_SR_FRONTFACING);
      return;
   case nir_intrinsic_load_vertex_id:
      emit_special(c, get_dest(c, &intr->dest, 0), VGPU_ISA_SR_VERTEXID);
      return;
   case nir_intrinsic_load_instance_id:
      emit_special(c, get_dest(c, &intr->dest, 0), VGPU_ISA_SR_INSTANCEID);
      return;
   case nir_intrinsic_load_subgroup_invocation:
      emit_special(c, get_dest(c, &intr->dest, 0), VGPU_ISA_SR_LANEID);
      return;
   case nir_intrinsic_discard:
   case nir_intrinsic_terminate:
   case nir_intrinsic_demote:
      add_inst(c, VGPU_OP_DISCARD);
      c->out->uses_discard = true;
      return;
   case nir_intrinsic_discard_if:
   case nir_intrinsic_terminate_if:
   case nir_intrinsic_demote_if: {
      struct operand cond = get_src(c, &intr->src[0], 0);
      c->out->uses_discard = true;
      if (cond.is_const) {
         if (cond.value)
            add_inst(c, VGPU_OP_DISCARD);
         return;
      }
      emit(c, VGPU_OP_DISCARDC, VGPU_NO_VREG, 1, &cond, false);
      return;
   }
   case nir_intrinsic_load_point_coord:
      vgpu_error(c, "gl_PointCoord is not supported by vgpu hardware 1.0");
      return;
   default:
      vgpu_error(c, "NIR intrinsic %s is not supported by the vgpu backend",
                 nir_intrinsic_infos[intr->intrinsic].name);
      return;
   }
}

/* The vregs of an SSA vector that is already in consecutive vregs, made a group, so the texture reads
 * its coordinates in place; VGPU_NO_VREG when they must be copied. */
static int
vector_as_group(struct vgpu_compile_ctx *c, const nir_src *src, unsigned n)
{
   if (!src->is_ssa || src->ssa->num_components != n)
      return VGPU_NO_VREG;
   nir_instr *parent = src->ssa->parent_instr;
   if (parent->type != nir_instr_type_intrinsic && parent->type != nir_instr_type_alu)
      return VGPU_NO_VREG;
   int base = c->ssa_vreg[src->ssa->index];
   if (base == VGPU_NO_VREG)
      return VGPU_NO_VREG;
   if (c->vregs[base].group_leader == base && c->vregs[base].group_size == n && !c->vregs[base].multi_def)
      return base; /* already grouped by an earlier texture */
   for (unsigned i = 0; i < n; i++)
      if (c->vregs[base + i].group_size != 1 || c->vregs[base + i].group_leader != base + (int)i ||
          c->vregs[base + i].multi_def)
         return VGPU_NO_VREG;
   for (unsigned i = 0; i < n; i++) {
      c->vregs[base + i].group_leader = base;
      c->vregs[base + i].group_size = i ? 0 : n;
   }
   return base;
}

static void
emit_tex(struct vgpu_compile_ctx *c, nir_tex_instr *tex)
{
   int coord = -1, comparator = -1, bias = -1, lod = -1;
   for (unsigned i = 0; i < tex->num_srcs; i++) {
      switch (tex->src[i].src_type) {
      case nir_tex_src_coord: coord = i; break;
      case nir_tex_src_comparator: comparator = i; break;
      case nir_tex_src_bias: bias = i; break;
      case nir_tex_src_lod: lod = i; break;
      default:
         vgpu_error(c, "texture source %d is not supported", tex->src[i].src_type);
         return;
      }
   }
   unsigned mode;
   switch (tex->op) {
   case nir_texop_tex: mode = VGPU_ISA_TEX_IMPLICIT; break;
   case nir_texop_txb: mode = VGPU_ISA_TEX_BIAS; break;
   case nir_texop_txl: mode = VGPU_ISA_TEX_LOD; break;
   default:
      vgpu_error(c, "texture op %d is not supported (texture, bias and explicit LOD only)", tex->op);
      return;
   }
   if (coord < 0 || tex->texture_index >= VGPU_MAX_SLOTS || tex->sampler_index >= VGPU_MAX_SLOTS) {
      vgpu_error(c, "texture instruction without coordinates or beyond slot 15");
      return;
   }
   bool cube = tex->sampler_dim == GLSL_SAMPLER_DIM_CUBE;
   unsigned ncoord = cube ? 3 : 2;
   unsigned total = ncoord + (comparator >= 0);
   int coords = comparator < 0 ? vector_as_group(c, &tex->src[coord].src, ncoord) : VGPU_NO_VREG;
   if (coords == VGPU_NO_VREG) {
      coords = new_vregs(c, total, true, false);
      for (unsigned i = 0; i < ncoord; i++)
         emit_mov(c, coords + i, get_src(c, &tex->src[coord].src, i));
      if (comparator >= 0)
         emit_mov(c, coords + ncoord, get_src(c, &tex->src[comparator].src, 0));
   }

   int result = new_vregs(c, 4, true, false);
   struct operand srcs[2] = {{.vreg = coords}};
   unsigned nsrc = 1;
   if (mode != VGPU_ISA_TEX_IMPLICIT) {
      srcs[1] = get_src(c, &tex->src[mode == VGPU_ISA_TEX_BIAS ? bias : lod].src, 0);
      nsrc = 2;
   }
   unsigned idx = emit(c, VGPU_OP_TEX, result, nsrc, srcs, true);
   c->insts[idx].isa.aux = tex->texture_index | tex->sampler_index << 4 | mode << 8 | (unsigned)cube << 10 |
                           (unsigned)(comparator >= 0) << 11;
   c->out->textures_used |= 1u << tex->texture_index;
   c->out->samplers_used |= 1u << tex->sampler_index;
   c->out->stats.tex++;

   unsigned n = dest_components(&tex->dest);
   if (tex->dest.is_ssa) {
      c->ssa_vreg[tex->dest.ssa.index] = result; /* the group itself is the value */
   } else {
      for (unsigned i = 0; i < n && i < 4; i++)
         emit_mov(c, get_dest(c, &tex->dest, i), (struct operand){.vreg = result + i});
   }
}

static void emit_cf_list(struct vgpu_compile_ctx *c, struct exec_list *list);

static void
emit_jump(struct vgpu_compile_ctx *c, nir_jump_instr *jump)
{
   switch (jump->type) {
   case nir_jump_break: add_inst(c, VGPU_OP_BREAK); return;
   case nir_jump_continue: add_inst(c, VGPU_OP_CONTINUE); return;
   default: vgpu_error(c, "jump type %d is not supported", jump->type); return;
   }
}

static void
emit_block(struct vgpu_compile_ctx *c, nir_block *block)
{
   nir_foreach_instr(instr, block) {
      if (c->error)
         return;
      switch (instr->type) {
      case nir_instr_type_alu: emit_alu(c, nir_instr_as_alu(instr)); break;
      case nir_instr_type_intrinsic: emit_intrinsic(c, nir_instr_as_intrinsic(instr)); break;
      case nir_instr_type_tex: emit_tex(c, nir_instr_as_tex(instr)); break;
      case nir_instr_type_jump: emit_jump(c, nir_instr_as_jump(instr)); break;
      case nir_instr_type_load_const:
      case nir_instr_type_ssa_undef:
         break; /* folded into their uses */
      default:
         vgpu_error(c, "NIR instruction type %d is not supported by the vgpu backend", instr->type);
         return;
      }
   }
}

static bool
open_construct(struct vgpu_compile_ctx *c)
{
   if (++c->depth > VGPU_ISA_MAX_DEPTH) {
      vgpu_error(c, "control flow nests deeper than the hardware's %u levels", VGPU_ISA_MAX_DEPTH);
      return false;
   }
   return true;
}

/* `if (c) break;` / `if (c) continue;` with nothing else in the if: one conditional instruction. */
static bool
emit_conditional_jump(struct vgpu_compile_ctx *c, nir_if *nif)
{
   if (!exec_list_is_singular(&nif->then_list) || !exec_list_is_singular(&nif->else_list))
      return false;
   nir_block *then_block = nir_if_first_then_block(nif);
   nir_block *else_block = nir_if_first_else_block(nif);
   if (!exec_list_is_empty(&else_block->instr_list) || !exec_list_is_singular(&then_block->instr_list))
      return false;
   nir_instr *instr = nir_block_first_instr(then_block);
   if (instr->type != nir_instr_type_jump)
      return false;
   nir_jump_type type = nir_instr_as_jump(instr)->type;
   if (type != nir_jump_break && type != nir_jump_continue)
      return false;
   struct operand cond = get_src(c, &nif->condition, 0);
   emit(c, type == nir_jump_break ? VGPU_OP_BREAKC : VGPU_OP_CONTINUEC, VGPU_NO_VREG, 1, &cond, false);
   return true;
}

static void
emit_if(struct vgpu_compile_ctx *c, nir_if *nif)
{
   if (emit_conditional_jump(c, nif))
      return;
   if (!open_construct(c))
      return;
   c->out->stats.ifs++;
   struct operand cond = get_src(c, &nif->condition, 0);
   emit(c, VGPU_OP_IF, VGPU_NO_VREG, 1, &cond, false);
   emit_cf_list(c, &nif->then_list);
   nir_block *else_block = nir_if_first_else_block(nif);
   if (!exec_list_is_singular(&nif->else_list) || !exec_list_is_empty(&else_block->instr_list)) {
      add_inst(c, VGPU_OP_ELSE);
      emit_cf_list(c, &nif->else_list);
   }
   add_inst(c, VGPU_OP_ENDIF);
   c->depth--;
}

static void
emit_loop(struct vgpu_compile_ctx *c, nir_loop *loop)
{
   if (!open_construct(c))
      return;
   c->out->stats.loops++;
   unsigned begin = c->num_insts;
   add_inst(c, VGPU_OP_LOOP);
   emit_cf_list(c, &loop->body);
   /* A continue right before endloop does nothing. */
   if (c->num_insts > begin + 1 && c->insts[c->num_insts - 1].isa.opcode == VGPU_OP_CONTINUE)
      c->num_insts--;
   add_inst(c, VGPU_OP_ENDLOOP);
   c->loops = grow(c->loops, &c->cap_loops, c->num_loops + 1, sizeof(*c->loops));
   c->loops[c->num_loops++] = (struct vgpu_loop_span){begin, c->num_insts - 1};
   c->depth--;
}

static void
emit_cf_list(struct vgpu_compile_ctx *c, struct exec_list *list)
{
   foreach_list_typed(nir_cf_node, node, node, list) {
      if (c->error)
         return;
      switch (node->type) {
      case nir_cf_node_block: emit_block(c, nir_cf_node_as_block(node)); break;
      case nir_cf_node_if: emit_if(c, nir_cf_node_as_if(node)); break;
      case nir_cf_node_loop: emit_loop(c, nir_cf_node_as_loop(node)); break;
      default: vgpu_error(c, "unexpected control flow node"); return;
      }
   }
}

bool
vgpu_emit(struct vgpu_compile_ctx *c)
{
   nir_function_impl *impl = nir_shader_get_entrypoint(c->nir);
   c->ssa_vreg = malloc(sizeof(int) * MAX2(impl->ssa_alloc, 1));
   c->reg_vreg = malloc(sizeof(int) * MAX2(impl->reg_alloc, 1));
   for (unsigned i = 0; i < impl->ssa_alloc; i++)
      c->ssa_vreg[i] = VGPU_NO_VREG;
   for (unsigned i = 0; i < impl->reg_alloc; i++)
      c->reg_vreg[i] = VGPU_NO_VREG;

   c->zero_vreg = VGPU_NO_VREG;
   emit_cf_list(c, &impl->body);
   if (!c->error)
      add_inst(c, VGPU_OP_END);
   return !c->error;
}
