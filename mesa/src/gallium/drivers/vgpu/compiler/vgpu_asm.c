/* SPDX-License-Identifier: MIT */
/*
 * The container (docs/isa.md, section 11) built from allocated instructions through include/vgpu/isa.h,
 * and its assembly text (section 12) for vgpu-compiler and debug output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_compiler_priv.h"

#define MAX_BINARY_SIZE (64u * 1024u) /* hw-spec 10.7: SET_SHADER takes at most 64 KiB */

/* A register copied onto itself: what a copy into a texture group leaves when the allocator put both in
 * one register. */
static bool
is_nop_move(const struct vgpu_isa_inst *in)
{
   return in->opcode == VGPU_OP_MOV && !in->imm_src && !in->sat && !in->neg[0] && !in->abs[0] &&
          in->dst == in->src[0];
}

bool
vgpu_encode(struct vgpu_compile_ctx *c)
{
   unsigned kept = 0;
   for (unsigned i = 0; i < c->num_insts; i++)
      if (!is_nop_move(&c->insts[i].isa))
         c->insts[kept++] = c->insts[i];
   c->num_insts = kept;

   unsigned words = 0;
   for (unsigned i = 0; i < c->num_insts; i++)
      words += 1 + (c->insts[i].isa.imm_src != 0);
   size_t size = VGPU_ISA_HEADER_SIZE + (size_t)words * VGPU_ISA_WORD_SIZE;
   if (size > MAX_BINARY_SIZE || words > VGPU_ISA_MAX_WORDS) {
      vgpu_error(c, "shader is %u words (%zu bytes), the hardware takes at most %u bytes", words, size,
                 MAX_BINARY_SIZE);
      return false;
   }
   uint8_t *code = calloc(1, size);
   if (!code) {
      vgpu_error(c, "out of memory");
      return false;
   }
   vgpu_isa_put32(code + VGPU_ISA_HDR_MAGIC, VGPU_ISA_MAGIC);
   code[VGPU_ISA_HDR_VERSION] = VGPU_ISA_VERSION;
   code[VGPU_ISA_HDR_STAGE] =
      c->nir->info.stage == MESA_SHADER_VERTEX ? VGPU_ISA_STAGE_VERTEX : VGPU_ISA_STAGE_FRAGMENT;
   code[VGPU_ISA_HDR_REGS] = c->out->stats.registers;
   vgpu_isa_put32(code + VGPU_ISA_HDR_INPUTS, c->inputs_read);
   vgpu_isa_put32(code + VGPU_ISA_HDR_OUTPUTS, c->outputs_written);
   vgpu_isa_put32(code + VGPU_ISA_HDR_WORDS, words);

   uint8_t *p = code + VGPU_ISA_HEADER_SIZE;
   for (unsigned i = 0; i < c->num_insts; i++) {
      const struct vgpu_isa_inst *in = &c->insts[i].isa;
      vgpu_isa_put64(p, vgpu_isa_encode(in));
      p += VGPU_ISA_WORD_SIZE;
      if (in->imm_src) {
         vgpu_isa_put64(p, in->imm);
         p += VGPU_ISA_WORD_SIZE;
      }
   }
   c->out->code = code;
   c->out->size = size;
   c->out->stats.instructions = c->num_insts;
   c->out->stats.words = words;
   return true;
}

/* A growing text buffer. */
struct text {
   char *buf;
   size_t len, cap;
};

static void PRINTFLIKE(2, 3)
put(struct text *t, const char *fmt, ...)
{
   va_list ap;
   for (;;) {
      va_start(ap, fmt);
      int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
      va_end(ap);
      if (n < 0)
         return;
      if (t->len + n < t->cap) {
         t->len += n;
         return;
      }
      t->cap = MAX2(t->cap * 2, t->len + n + 256);
      t->buf = realloc(t->buf, t->cap);
      if (!t->buf)
         abort();
   }
}

/* A float immediate that reads back to the same bits: decimal when that is exact, hex otherwise (NaN,
 * -0). The literal always has a '.', an exponent or "inf", so vgpu-as reads it as a float. */
static void
put_float(struct text *t, uint32_t bits)
{
   float f;
   memcpy(&f, &bits, 4);
   if (isnan(f) || bits == 0x80000000u) {
      put(t, "0x%x", bits);
      return;
   }
   if (isinf(f)) {
      put(t, f < 0 ? "-inf" : "inf");
      return;
   }
   char s[48];
   if (f == floorf(f) && fabsf(f) < 1e9f) {
      put(t, "%.1f", f); /* integers read best as 20.0, not 2e+01 */
      return;
   }
   for (int prec = 1; prec <= 9; prec++) {
      snprintf(s, sizeof(s), "%.*g", prec, f);
      if (strtof(s, NULL) == f)
         break;
   }
   put(t, "%s%s", s, strpbrk(s, ".e") ? "" : ".0");
}

static void
put_imm(struct text *t, enum vgpu_isa_type type, uint32_t value)
{
   switch (type) {
   case VGPU_ISA_T_F: put_float(t, value); break;
   case VGPU_ISA_T_I: put(t, "%d", (int32_t)value); break;
   case VGPU_ISA_T_U: put(t, "%u", value); break;
   default: put(t, "0x%x", value); break;
   }
}

static void
put_src(struct text *t, const struct vgpu_isa_inst *in, unsigned i, enum vgpu_isa_type type)
{
   if (in->imm_src == i + 1) {
      put_imm(t, type, in->imm);
      return;
   }
   put(t, "%s%sr%u%s", in->neg[i] ? "-" : "", in->abs[i] ? "|" : "", in->src[i], in->abs[i] ? "|" : "");
}

static const char comp_name[] = "xyzw";

static void
put_output(struct text *t, unsigned stage, uint32_t aux)
{
   unsigned slot = aux & 31, comp = aux >> 5 & 3;
   if (stage == VGPU_ISA_STAGE_VERTEX) {
      if (slot == VGPU_ISA_OUT_POSITION)
         put(t, "pos.%c", comp_name[comp]);
      else if (slot == VGPU_ISA_OUT_POINTSIZE)
         put(t, "psize");
      else
         put(t, "var%u.%c", slot - VGPU_ISA_OUT_VARYING0, comp_name[comp]);
   } else {
      if (slot == VGPU_ISA_OUT_DEPTH)
         put(t, "depth");
      else
         put(t, "color%u.%c", slot, comp_name[comp]);
   }
}

static const char *const special_names[VGPU_ISA_SR_COUNT] = {
   "laneid", "vertexid", "instanceid", "fragcoord.x", "fragcoord.y", "fragcoord.z", "fragcoord.w",
   "frontfacing",
};

static void
put_inst(struct text *t, unsigned stage, const struct vgpu_isa_inst *in)
{
   const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(in->opcode);
   static const char *const interp_names[] = {"smooth", "noperspective", "flat", "?"};
   static const char *const tex_modes[] = {"", ".bias", ".lod", "?"};

   switch (info->format) {
   case VGPU_ISA_FMT_NONE:
      put(t, "%s", info->name);
      break;
   case VGPU_ISA_FMT_COND:
      put(t, "%s r%u", info->name, in->src[0]);
      break;
   case VGPU_ISA_FMT_ALU:
      put(t, "%s%s r%u", info->name, in->sat ? ".sat" : "", in->dst);
      for (unsigned i = 0; i < info->nsrc; i++) {
         enum vgpu_isa_type type = info->type;
         if (in->opcode == VGPU_OP_SEL && i == 0)
            type = VGPU_ISA_T_B;
         put(t, ", ");
         put_src(t, in, i, type);
      }
      break;
   case VGPU_ISA_FMT_LDIN:
      put(t, "ld.in r%u, a%u.%c", in->dst, in->aux & 15, comp_name[in->aux >> 4 & 3]);
      break;
   case VGPU_ISA_FMT_LDVAR:
      put(t, "ld.var.%s r%u, v%u.%c", interp_names[in->aux >> 6 & 3], in->dst, in->aux & 15,
          comp_name[in->aux >> 4 & 3]);
      break;
   case VGPU_ISA_FMT_STOUT:
      put(t, "st.out ");
      put_output(t, stage, in->aux);
      put(t, ", ");
      put_src(t, in, 0, VGPU_ISA_T_BITS);
      break;
   case VGPU_ISA_FMT_SR:
      put(t, "mov r%u, sr.%s", in->dst, special_names[in->aux & 7]);
      break;
   case VGPU_ISA_FMT_UBO:
      put(t, "ld.ubo r%u, ubo%u[", in->dst, in->aux & 15);
      put_src(t, in, 0, VGPU_ISA_T_U);
      if (in->aux >> 4)
         put(t, " + %u", (in->aux >> 4) * 4);
      put(t, "]");
      break;
   case VGPU_ISA_FMT_TEX: {
      unsigned mode = in->aux >> 8 & 3;
      put(t, "tex.%s%s%s r%u, t%u, s%u, r%u", in->aux >> 10 & 1 ? "cube" : "2d", tex_modes[mode],
          in->aux >> 11 & 1 ? ".shadow" : "", in->dst, in->aux & 15, in->aux >> 4 & 15, in->src[0]);
      if (mode != VGPU_ISA_TEX_IMPLICIT) {
         put(t, ", ");
         put_src(t, in, 1, VGPU_ISA_T_F);
      }
      break;
   }
   }
}

char *
vgpu_binary_to_asm(const uint8_t *code, size_t size)
{
   if (size < VGPU_ISA_HEADER_SIZE || vgpu_isa_get32(code) != VGPU_ISA_MAGIC)
      return NULL;
   uint32_t words = vgpu_isa_get32(code + VGPU_ISA_HDR_WORDS);
   if (size != VGPU_ISA_HEADER_SIZE + (size_t)words * VGPU_ISA_WORD_SIZE)
      return NULL;
   unsigned stage = code[VGPU_ISA_HDR_STAGE];
   struct text t = {0};
   unsigned depth = 1;

   put(&t, ".stage %s\n.regs %u\n", stage == VGPU_ISA_STAGE_VERTEX ? "vertex" : "fragment",
       code[VGPU_ISA_HDR_REGS]);
   for (uint32_t w = 0; w < words; w++) {
      struct vgpu_isa_inst in;
      unsigned reserved;
      vgpu_isa_decode(vgpu_isa_get64(code + VGPU_ISA_HEADER_SIZE + w * VGPU_ISA_WORD_SIZE), &in, &reserved);
      const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(in.opcode);
      if (!info || reserved || (in.imm_src && w + 1 >= words)) {
         free(t.buf);
         return NULL;
      }
      if (in.imm_src)
         in.imm = (uint32_t)vgpu_isa_get64(code + VGPU_ISA_HEADER_SIZE + ++w * VGPU_ISA_WORD_SIZE);
      if (in.opcode == VGPU_OP_ELSE || in.opcode == VGPU_OP_ENDIF || in.opcode == VGPU_OP_ENDLOOP)
         depth--;
      put(&t, "%*s", depth * 3, "");
      put_inst(&t, stage, &in);
      put(&t, "\n");
      if (in.opcode == VGPU_OP_IF || in.opcode == VGPU_OP_ELSE || in.opcode == VGPU_OP_LOOP)
         depth++;
   }
   return t.buf;
}
