/* Loading a shader binary: the only place that looks at guest-written shader bytes. Every rule of
 * docs/isa.md ("Validation") is checked here, so the executor can trust the decoded form completely. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoded.h"

struct loader {
	char *error;
	long *error_word;
	enum vgpu_isa_stage stage;
	unsigned regs;
	uint32_t inputs_used, outputs_used;
};

__attribute__((format(printf, 3, 4))) static bool reject(struct loader *ld, long word, const char *fmt, ...)
{
	va_list ap;

	if (ld->error) {
		int n = word >= 0 ? snprintf(ld->error, VGPU_SHADER_ERROR_SIZE, "word %ld: ", word)
		                  : snprintf(ld->error, VGPU_SHADER_ERROR_SIZE, "header: ");
		va_start(ap, fmt);
		vsnprintf(ld->error + n, VGPU_SHADER_ERROR_SIZE - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (ld->error_word)
		*ld->error_word = word;
	return false;
}

static bool check_reg(struct loader *ld, long word, const char *what, unsigned reg)
{
	if (reg >= ld->regs)
		return reject(ld, word, "%s register r%u is out of range (the header declares %u registers)",
		              what, reg, ld->regs);
	return true;
}

/* Which sources exist for an instruction, and which of them may be the immediate. */
static unsigned sources_used(const struct vgpu_isa_opinfo *info, const struct vgpu_isa_inst *raw)
{
	if (info->format == VGPU_ISA_FMT_TEX)
		return ((raw->aux >> 8) & 3) == VGPU_ISA_TEX_IMPLICIT ? 1 : 2;
	return info->nsrc;
}

static bool immediate_allowed(const struct vgpu_isa_opinfo *info, unsigned src)
{
	switch (info->format) {
	case VGPU_ISA_FMT_ALU:
	case VGPU_ISA_FMT_STOUT:
	case VGPU_ISA_FMT_UBO:
		return true;
	case VGPU_ISA_FMT_TEX:
		return src == 1;
	default:
		return false;
	}
}

static bool has_dst(enum vgpu_isa_format format)
{
	return format != VGPU_ISA_FMT_NONE && format != VGPU_ISA_FMT_COND && format != VGPU_ISA_FMT_STOUT;
}

static bool decode_aux(struct loader *ld, long word, const struct vgpu_isa_opinfo *info,
                       const struct vgpu_isa_inst *raw, struct shader_inst *in)
{
	uint32_t aux = raw->aux;

	switch (info->format) {
	case VGPU_ISA_FMT_LDIN:
	case VGPU_ISA_FMT_LDVAR:
		in->slot = aux & 15;
		in->comp = (aux >> 4) & 3;
		in->mode = (aux >> 6) & 3;
		if (aux >> (info->format == VGPU_ISA_FMT_LDIN ? 6 : 8))
			return reject(ld, word, "%s: unused aux bits are set (aux 0x%x)", info->name, aux);
		if (in->mode > VGPU_ISA_INTERP_FLAT)
			return reject(ld, word, "ld.var: interpolation mode %u does not exist", in->mode);
		ld->inputs_used |= 1u << in->slot;
		return true;
	case VGPU_ISA_FMT_STOUT: {
		unsigned slots =
		        ld->stage == VGPU_ISA_STAGE_VERTEX ? VGPU_ISA_OUT_SLOTS : VGPU_ISA_OUT_DEPTH + 1;
		bool scalar = ld->stage == VGPU_ISA_STAGE_VERTEX ? (aux & 31) == VGPU_ISA_OUT_POINTSIZE
		                                                 : (aux & 31) == VGPU_ISA_OUT_DEPTH;
		in->slot = aux & 31;
		in->comp = (aux >> 5) & 3;
		if (aux >> 7)
			return reject(ld, word, "st.out: unused aux bits are set (aux 0x%x)", aux);
		if (in->slot >= slots)
			return reject(ld, word, "st.out: output slot %u does not exist in a %s shader",
			              in->slot, ld->stage == VGPU_ISA_STAGE_VERTEX ? "vertex" : "fragment");
		if (scalar && in->comp != 0)
			return reject(ld, word, "st.out: output slot %u is a scalar; only component x exists",
			              in->slot);
		ld->outputs_used |= 1u << in->slot;
		return true;
	}
	case VGPU_ISA_FMT_SR: {
		static const unsigned sr_stages[VGPU_ISA_SR_COUNT] = {
		        VGPU_ISA_STAGES_ALL,      VGPU_ISA_STAGES_VERTEX,   VGPU_ISA_STAGES_VERTEX,
		        VGPU_ISA_STAGES_FRAGMENT, VGPU_ISA_STAGES_FRAGMENT, VGPU_ISA_STAGES_FRAGMENT,
		        VGPU_ISA_STAGES_FRAGMENT, VGPU_ISA_STAGES_FRAGMENT,
		};
		if (aux >= VGPU_ISA_SR_COUNT)
			return reject(ld, word, "mov: special register %u does not exist", aux);
		if (!(sr_stages[aux] & (1u << ld->stage)))
			return reject(ld, word, "mov: special register %u is not available in this stage",
			              aux);
		in->slot = (uint8_t)aux;
		return true;
	}
	case VGPU_ISA_FMT_UBO:
		in->slot = aux & 15;
		in->offset = (aux >> 4) * 4;
		return true;
	case VGPU_ISA_FMT_TEX:
		in->slot = aux & 15;
		in->sampler = (aux >> 4) & 15;
		in->mode = (aux >> 8) & 3;
		in->cube = (aux >> 10) & 1;
		in->shadow = (aux >> 11) & 1;
		if (aux >> 12)
			return reject(ld, word, "tex: unused aux bits are set (aux 0x%x)", aux);
		if (in->mode > VGPU_ISA_TEX_LOD)
			return reject(ld, word, "tex: mode %u does not exist", in->mode);
		if (ld->stage == VGPU_ISA_STAGE_VERTEX && in->mode != VGPU_ISA_TEX_LOD)
			return reject(ld, word,
			              "tex: a vertex shader has no derivatives; use an explicit lod");
		if (in->dst + 3u >= ld->regs)
			return reject(ld, word, "tex: destination r%u..r%u is out of range (%u registers)",
			              in->dst, in->dst + 3u, ld->regs);
		{
			unsigned last = in->src[0] + (in->cube ? 3u : 2u) + in->shadow - 1u;
			if (last >= ld->regs)
				return reject(ld, word,
				              "tex: coordinates r%u..r%u are out of range (%u registers)",
				              in->src[0], last, ld->regs);
		}
		return true;
	default:
		if (aux)
			return reject(ld, word, "%s takes no aux field but aux is 0x%x", info->name, aux);
		return true;
	}
}

static bool decode_inst(struct loader *ld, long word, const struct vgpu_isa_opinfo *info,
                        const struct vgpu_isa_inst *raw, struct shader_inst *in)
{
	unsigned nsrc = sources_used(info, raw);
	bool modifiers_ok = (info->format == VGPU_ISA_FMT_ALU && info->type == VGPU_ISA_T_F) ||
	                    raw->opcode == VGPU_OP_MOV;
	bool dst = has_dst(info->format);

	if (!(info->stages & (1u << ld->stage)))
		return reject(ld, word, "%s is not available in a %s shader", info->name,
		              ld->stage == VGPU_ISA_STAGE_VERTEX ? "vertex" : "fragment");
	if (raw->sat && !info->float_result)
		return reject(ld, word, "%s does not produce a float, so it cannot saturate", info->name);
	if (dst && !check_reg(ld, word, "destination", raw->dst))
		return false;
	if (!dst && raw->dst)
		return reject(ld, word, "%s has no destination but the field is r%u", info->name, raw->dst);
	if (raw->imm_src && (raw->imm_src > nsrc || !immediate_allowed(info, raw->imm_src - 1)))
		return reject(ld, word, "%s: source %u cannot be an immediate", info->name, raw->imm_src - 1);
	in->op = (uint8_t)raw->opcode;
	in->dst = (uint8_t)raw->dst;
	in->sat = (uint8_t)raw->sat;
	for (unsigned i = 0; i < 3; i++) {
		bool is_imm = raw->imm_src == i + 1;
		in->keep[i] = raw->abs[i] ? 0x7fffffffu : 0xffffffffu;
		in->flip[i] = raw->neg[i] ? 0x80000000u : 0;
		in->src[i] = (uint8_t)(is_imm ? SHADER_IMM_ROW : raw->src[i]);
		if (i >= nsrc || is_imm) {
			if (raw->src[i])
				return reject(ld, word, "%s: unused source field %u is r%u, must be 0",
				              info->name, i, raw->src[i]);
		} else if (!check_reg(ld, word, "source", raw->src[i])) {
			return false;
		}
		if ((raw->neg[i] || raw->abs[i]) && (!modifiers_ok || i >= nsrc || is_imm))
			return reject(ld, word, "%s: source %u cannot take neg/abs modifiers", info->name, i);
	}
	in->has_imm = raw->imm_src != 0;
	in->imm = raw->imm;
	return decode_aux(ld, word, info, raw, in);
}

/* Pairs if/else/endif and loop/endloop and fills `target`:
 *   if -> its else, or its endif when there is no else;  else -> its endif;
 *   loop -> its endloop;  endloop -> its loop;  break/continue -> the innermost loop. */
static bool link_control_flow(struct loader *ld, struct vgpu_shader *s)
{
	uint32_t open[VGPU_ISA_MAX_DEPTH];
	unsigned depth = 0;
	long innermost_loop = -1;

	for (uint32_t i = 0; i < s->count; i++) {
		struct shader_inst *in = &s->inst[i];
		long word = in->word;

		switch (in->op) {
		case VGPU_OP_IF:
		case VGPU_OP_LOOP:
			if (depth == VGPU_ISA_MAX_DEPTH)
				return reject(ld, word, "control flow nests deeper than %u levels",
				              VGPU_ISA_MAX_DEPTH);
			open[depth++] = i;
			in->target = UINT32_MAX;
			break;
		case VGPU_OP_ELSE:
			if (!depth || s->inst[open[depth - 1]].op != VGPU_OP_IF ||
			    s->inst[open[depth - 1]].target != UINT32_MAX)
				return reject(ld, word, "else without a matching if");
			s->inst[open[depth - 1]].target = i;
			open[depth - 1] = i;
			break;
		case VGPU_OP_ENDIF: {
			struct shader_inst *opener = depth ? &s->inst[open[depth - 1]] : NULL;
			if (!opener || opener->op == VGPU_OP_LOOP)
				return reject(ld, word, "endif without a matching if");
			opener->target = i;
			depth--;
			break;
		}
		case VGPU_OP_ENDLOOP:
			if (!depth || s->inst[open[depth - 1]].op != VGPU_OP_LOOP)
				return reject(ld, word, "endloop without a matching loop");
			s->inst[open[depth - 1]].target = i;
			in->target = open[--depth];
			break;
		case VGPU_OP_BREAK:
		case VGPU_OP_BREAKC:
		case VGPU_OP_CONTINUE:
		case VGPU_OP_CONTINUEC:
			innermost_loop = -1;
			for (unsigned d = depth; d-- > 0;)
				if (s->inst[open[d]].op == VGPU_OP_LOOP) {
					innermost_loop = open[d];
					break;
				}
			if (innermost_loop < 0)
				return reject(ld, word, "%s outside a loop", vgpu_isa_opinfo(in->op)->name);
			in->target = (uint32_t)innermost_loop;
			break;
		case VGPU_OP_END:
			if (i != s->count - 1)
				return reject(ld, word, "end must be the last instruction");
			if (depth)
				return reject(ld, word, "end inside an unclosed %s",
				              s->inst[open[depth - 1]].op == VGPU_OP_LOOP ? "loop" : "if");
			break;
		default:
			break;
		}
	}
	if (s->count == 0 || s->inst[s->count - 1].op != VGPU_OP_END)
		return reject(ld, s->count ? (long)s->inst[s->count - 1].word : -1,
		              "the program must finish with an end instruction");
	return true;
}

static bool check_header(struct loader *ld, const unsigned char *p, size_t size, uint32_t *words)
{
	if (size < VGPU_ISA_HEADER_SIZE)
		return reject(ld, -1, "%zu bytes is shorter than the %u-byte header", size,
		              VGPU_ISA_HEADER_SIZE);
	if (vgpu_isa_get32(p + VGPU_ISA_HDR_MAGIC) != VGPU_ISA_MAGIC)
		return reject(ld, -1, "bad magic 0x%08x (expected \"VGSH\")", vgpu_isa_get32(p));
	if ((p[4] | p[5] << 8) != VGPU_ISA_VERSION)
		return reject(ld, -1, "version %u is not supported (this core runs version %u)",
		              p[4] | p[5] << 8, VGPU_ISA_VERSION);
	if (p[VGPU_ISA_HDR_STAGE] > VGPU_ISA_STAGE_FRAGMENT)
		return reject(ld, -1, "stage %u does not exist (0 vertex, 1 fragment)",
		              p[VGPU_ISA_HDR_STAGE]);
	ld->stage = p[VGPU_ISA_HDR_STAGE];
	ld->regs = p[VGPU_ISA_HDR_REGS];
	if (ld->regs < 1 || ld->regs > VGPU_ISA_MAX_REGS)
		return reject(ld, -1, "register count %u is outside 1..%u", ld->regs, VGPU_ISA_MAX_REGS);
	if (vgpu_isa_get32(p + VGPU_ISA_HDR_RESERVED))
		return reject(ld, -1, "reserved field is not zero");
	*words = vgpu_isa_get32(p + VGPU_ISA_HDR_WORDS);
	if (*words == 0 || *words > VGPU_ISA_MAX_WORDS)
		return reject(ld, -1, "word count %u is outside 1..%u", *words, VGPU_ISA_MAX_WORDS);
	if (size != VGPU_ISA_HEADER_SIZE + (size_t)*words * VGPU_ISA_WORD_SIZE)
		return reject(ld, -1, "size %zu bytes does not match the header's %u words (%zu bytes)", size,
		              *words, VGPU_ISA_HEADER_SIZE + (size_t)*words * VGPU_ISA_WORD_SIZE);
	return true;
}

struct vgpu_shader *vgpu_shader_load(const void *bytes, size_t size, char error[VGPU_SHADER_ERROR_SIZE],
                                     long *error_word)
{
	struct loader ld = {.error = error, .error_word = error_word};
	const unsigned char *p = bytes;
	struct vgpu_shader *s;
	uint32_t words = 0;

	if (!check_header(&ld, p, size, &words))
		return NULL;
	s = calloc(1, sizeof(*s) + (size_t)words * sizeof(s->inst[0]));
	if (!s) {
		reject(&ld, -1, "out of host memory for %u instructions", words);
		return NULL;
	}
	s->stage = ld.stage;
	s->regs = ld.regs;
	s->inputs = vgpu_isa_get32(p + VGPU_ISA_HDR_INPUTS);
	s->outputs = vgpu_isa_get32(p + VGPU_ISA_HDR_OUTPUTS);
	p += VGPU_ISA_HEADER_SIZE;
	for (uint32_t w = 0; w < words; w++) {
		struct vgpu_isa_inst raw;
		const struct vgpu_isa_opinfo *info;
		struct shader_inst *in = &s->inst[s->count];
		unsigned reserved;

		vgpu_isa_decode(vgpu_isa_get64(p + (size_t)w * 8), &raw, &reserved);
		info = vgpu_isa_opinfo(raw.opcode);
		if (!info) {
			reject(&ld, w, "opcode 0x%02x does not exist", raw.opcode);
			goto fail;
		}
		if (reserved) {
			reject(&ld, w, "%s: reserved bit 45 is set", info->name);
			goto fail;
		}
		if (raw.imm_src) {
			uint64_t imm_word;
			if (w + 1 == words) {
				reject(&ld, w, "%s: the immediate word is missing at the end", info->name);
				goto fail;
			}
			imm_word = vgpu_isa_get64(p + (size_t)(w + 1) * 8);
			if (imm_word >> 32) {
				reject(&ld, w + 1, "immediate word has non-zero upper 32 bits");
				goto fail;
			}
			raw.imm = (uint32_t)imm_word;
		}
		in->word = w;
		if (!decode_inst(&ld, w, info, &raw, in))
			goto fail;
		s->count++;
		w += raw.imm_src ? 1 : 0;
	}
	if (!link_control_flow(&ld, s))
		goto fail;
	if (s->inputs != ld.inputs_used) {
		reject(&ld, -1, "input mask 0x%x does not match the slots the code reads (0x%x)", s->inputs,
		       ld.inputs_used);
		goto fail;
	}
	if (s->outputs != ld.outputs_used) {
		reject(&ld, -1, "output mask 0x%x does not match the slots the code writes (0x%x)",
		       s->outputs, ld.outputs_used);
		goto fail;
	}
	return s;
fail:
	free(s);
	return NULL;
}

void vgpu_shader_free(struct vgpu_shader *shader)
{
	free(shader);
}

enum vgpu_isa_stage vgpu_shader_stage(const struct vgpu_shader *shader)
{
	return shader->stage;
}

uint32_t vgpu_shader_inputs(const struct vgpu_shader *shader)
{
	return shader->inputs;
}

uint32_t vgpu_shader_outputs(const struct vgpu_shader *shader)
{
	return shader->outputs;
}
