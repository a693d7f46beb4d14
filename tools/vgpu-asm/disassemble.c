/* Binary -> assembly text. Only binaries the loader accepts are printed, which is what makes the output
 * re-assemble to the same bytes: every field has one spelling and the header masks follow from the code. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shader/shader.h"
#include "syntax.h"
#include "vgpu_asm.h"

struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->failed || n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *grown = realloc(t->buf, cap);
		if (!grown) {
			t->failed = true;
			return;
		}
		t->buf = grown;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Shortest spelling that reads back as the same float, always recognisable as a float literal. */
static void emit_float(struct text *t, uint32_t bits)
{
	float f;
	char buf[48];

	memcpy(&f, &bits, sizeof(f));
	if (isnan(f)) {
		emit(t, "0x%08x", bits);
		return;
	}
	for (int digits = 1; digits <= 9; digits++) {
		float back;
		snprintf(buf, sizeof(buf), "%.*g", digits, (double)f);
		back = strtof(buf, NULL);
		if (!memcmp(&back, &f, sizeof(f)))
			break;
	}
	emit(t, "%s%s", buf, strpbrk(buf, ".en") ? "" : ".0");
}

static void emit_immediate(struct text *t, enum vgpu_isa_type type, uint32_t bits)
{
	switch (type) {
	case VGPU_ISA_T_F:
		emit_float(t, bits);
		break;
	case VGPU_ISA_T_I:
		emit(t, "%d", (int)(int32_t)bits);
		break;
	case VGPU_ISA_T_U:
		emit(t, "%u", bits);
		break;
	default:
		emit(t, "0x%08x", bits);
		break;
	}
}

static void emit_source(struct text *t, const struct vgpu_isa_inst *in, enum vgpu_isa_type type, unsigned i)
{
	if (in->imm_src == i + 1) {
		emit_immediate(t, type, in->imm);
		return;
	}
	emit(t, "%s%sr%u%s", in->neg[i] ? "-" : "", in->abs[i] ? "|" : "", in->src[i], in->abs[i] ? "|" : "");
}

static void emit_operands(struct text *t, enum vgpu_isa_stage stage, const struct vgpu_isa_opinfo *info,
                          const struct vgpu_isa_inst *in)
{
	uint32_t aux = in->aux;
	char name[16];

	switch (info->format) {
	case VGPU_ISA_FMT_NONE:
		break;
	case VGPU_ISA_FMT_COND:
		emit(t, " r%u", in->src[0]);
		break;
	case VGPU_ISA_FMT_ALU:
		emit(t, "%s r%u", in->sat ? ".sat" : "", in->dst);
		for (unsigned i = 0; i < info->nsrc; i++) {
			emit(t, ", ");
			/* sel's condition is a boolean; its other sources are untyped like mov's. */
			emit_source(t, in, info->type, i);
		}
		break;
	case VGPU_ISA_FMT_LDIN:
		emit(t, " r%u, a%u.%s", in->dst, aux & 15, asm_components[(aux >> 4) & 3]);
		break;
	case VGPU_ISA_FMT_LDVAR:
		emit(t, ".%s r%u, v%u.%s", asm_interps[(aux >> 6) & 3], in->dst, aux & 15,
		     asm_components[(aux >> 4) & 3]);
		break;
	case VGPU_ISA_FMT_STOUT:
		if (asm_output_name(stage, aux & 31, name, sizeof(name)))
			emit(t, " %s.%s, ", name, asm_components[(aux >> 5) & 3]);
		else
			emit(t, " %s, ", name);
		emit_source(t, in, VGPU_ISA_T_BITS, 0);
		break;
	case VGPU_ISA_FMT_SR:
		emit(t, " r%u, sr.%s", in->dst, asm_specials[aux]);
		break;
	case VGPU_ISA_FMT_UBO:
		emit(t, " r%u, ubo%u[", in->dst, aux & 15);
		emit_source(t, in, VGPU_ISA_T_U, 0);
		if (aux >> 4)
			emit(t, " + %u", (aux >> 4) * 4);
		emit(t, "]");
		break;
	case VGPU_ISA_FMT_TEX: {
		static const char *const modes[3] = {"", ".bias", ".lod"};
		unsigned mode = (aux >> 8) & 3;
		emit(t, ".%s%s%s r%u, t%u, s%u, r%u", (aux >> 10) & 1 ? "cube" : "2d", modes[mode],
		     (aux >> 11) & 1 ? ".shadow" : "", in->dst, aux & 15, (aux >> 4) & 15, in->src[0]);
		if (mode != VGPU_ISA_TEX_IMPLICIT) {
			emit(t, ", ");
			emit_source(t, in, VGPU_ISA_T_F, 1);
		}
		break;
	}
	}
}

char *vgpu_disassemble(const unsigned char *bytes, size_t size, char error[VGPU_ASM_ERROR_SIZE])
{
	char load_error[VGPU_SHADER_ERROR_SIZE];
	struct vgpu_shader *shader = vgpu_shader_load(bytes, size, load_error, NULL);
	struct text t = {0};
	enum vgpu_isa_stage stage;
	uint32_t words;
	unsigned depth = 0;

	if (!shader) {
		snprintf(error, VGPU_ASM_ERROR_SIZE, "not a valid vgpu shader binary: %s", load_error);
		return NULL;
	}
	vgpu_shader_free(shader);
	stage = bytes[VGPU_ISA_HDR_STAGE];
	words = vgpu_isa_get32(bytes + VGPU_ISA_HDR_WORDS);
	emit(&t, ".stage %s\n.regs %u\n", asm_stages[stage], bytes[VGPU_ISA_HDR_REGS]);
	for (uint32_t w = 0; w < words; w++) {
		struct vgpu_isa_inst in;
		const struct vgpu_isa_opinfo *info;
		unsigned reserved;

		vgpu_isa_decode(vgpu_isa_get64(bytes + VGPU_ISA_HEADER_SIZE + (size_t)w * 8), &in, &reserved);
		if (in.imm_src)
			in.imm = vgpu_isa_get32(bytes + VGPU_ISA_HEADER_SIZE + (size_t)++w * 8);
		info = vgpu_isa_opinfo(in.opcode);
		if (in.opcode == VGPU_OP_ELSE || in.opcode == VGPU_OP_ENDIF || in.opcode == VGPU_OP_ENDLOOP)
			depth--;
		for (unsigned level = 0; level <= depth; level++)
			emit(&t, "\t");
		emit(&t, "%s", info->name);
		emit_operands(&t, stage, info, &in);
		emit(&t, "\n");
		if (in.opcode == VGPU_OP_IF || in.opcode == VGPU_OP_ELSE || in.opcode == VGPU_OP_LOOP)
			depth++;
	}
	if (t.failed) {
		free(t.buf);
		snprintf(error, VGPU_ASM_ERROR_SIZE, "out of memory");
		return NULL;
	}
	return t.buf;
}
