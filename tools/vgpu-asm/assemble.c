/* Assembly text -> shader binary (syntax in docs/isa.md, "Assembly syntax"). The assembler checks the
 * syntax and operand ranges with errors at the exact column; the shader core's loader then checks the rest
 * (control-flow balance, stage rules) and its error is mapped back to the instruction's line. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shader/shader.h"
#include "syntax.h"
#include "vgpu_asm.h"

struct location {
	unsigned line, column;
};

struct assembler {
	const char *file;
	char *error;
	bool failed;
	/* cursor */
	const char *line_start, *p;
	unsigned line;
	/* program */
	bool stage_set;
	enum vgpu_isa_stage stage;
	int regs_declared; /* -1: none, computed from use */
	unsigned regs_used;
	uint32_t inputs, outputs;
	uint64_t *words;
	struct location *where; /* per word: the instruction it belongs to */
	size_t count, cap;
};

__attribute__((format(printf, 3, 4))) static bool fail_at(struct assembler *as, const char *at,
                                                          const char *fmt, ...)
{
	va_list ap;
	int n;

	if (as->failed)
		return false;
	as->failed = true;
	n = snprintf(as->error, VGPU_ASM_ERROR_SIZE, "%s:%u:%u: ", as->file, as->line,
	             (unsigned)(at - as->line_start) + 1);
	if (n < 0 || n >= (int)VGPU_ASM_ERROR_SIZE)
		return false;
	va_start(ap, fmt);
	vsnprintf(as->error + n, VGPU_ASM_ERROR_SIZE - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static void skip_space(struct assembler *as)
{
	while (*as->p == ' ' || *as->p == '\t' || *as->p == '\r')
		as->p++;
}

static bool at_line_end(struct assembler *as)
{
	skip_space(as);
	return *as->p == '\0' || *as->p == '\n' || *as->p == ';';
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

/* The text of the token at the cursor, for messages. */
static const char *token_text(const char *at, char *buf, size_t size)
{
	size_t n = 0;
	if (*at == '\0' || *at == '\n')
		return "end of line";
	while (at[n] && at[n] != '\n' && at[n] != ',' && at[n] != ' ' && at[n] != '\t' && n + 1 < size)
		n++;
	if (n == 0)
		n = 1;
	snprintf(buf, size, "'%.*s'", (int)n, at);
	return buf;
}

static bool expect(struct assembler *as, char c, const char *what)
{
	char buf[40];
	skip_space(as);
	if (*as->p != c)
		return fail_at(as, as->p, "expected %s, found %s", what, token_text(as->p, buf, sizeof(buf)));
	as->p++;
	return true;
}

static bool parse_number(struct assembler *as, unsigned max, const char *what, unsigned *value)
{
	const char *start = as->p;
	unsigned long v = 0;
	char buf[40];

	if (*as->p < '0' || *as->p > '9')
		return fail_at(as, start, "expected %s number, found %s", what,
		               token_text(start, buf, sizeof(buf)));
	while (*as->p >= '0' && *as->p <= '9') {
		if (v <= 0xffffffffu)
			v = v * 10 + (unsigned long)(*as->p - '0');
		as->p++;
	}
	if (v > max)
		return fail_at(as, start, "%s %lu is out of range (0..%u)", what, v, max);
	*value = (unsigned)v;
	return true;
}

/* "PREFIXn", e.g. a3, t0, ubo2, var15. */
static bool parse_numbered(struct assembler *as, const char *prefix, unsigned max, const char *what,
                           unsigned *value)
{
	size_t len = strlen(prefix);
	char buf[40];

	skip_space(as);
	if (strncmp(as->p, prefix, len) != 0 || as->p[len] < '0' || as->p[len] > '9')
		return fail_at(as, as->p, "expected %s (%s0..%s%u), found %s", what, prefix, prefix, max,
		               token_text(as->p, buf, sizeof(buf)));
	as->p += len;
	return parse_number(as, max, what, value);
}

static bool parse_register(struct assembler *as, unsigned *reg)
{
	if (!parse_numbered(as, "r", VGPU_ISA_MAX_REGS - 1, "register", reg))
		return false;
	if (*reg + 1 > as->regs_used)
		as->regs_used = *reg + 1;
	return true;
}

static bool parse_component(struct assembler *as, unsigned *comp)
{
	char buf[40];
	if (*as->p != '.')
		return fail_at(as, as->p, "expected a component (.x .y .z .w), found %s",
		               token_text(as->p, buf, sizeof(buf)));
	as->p++;
	for (unsigned c = 0; c < 4; c++)
		if (*as->p == asm_components[c][0] && !is_word_char(as->p[1])) {
			as->p++;
			*comp = c;
			return true;
		}
	return fail_at(as, as->p, "expected a component (x, y, z or w), found %s",
	               token_text(as->p, buf, sizeof(buf)));
}

static bool literal_end_ok(struct assembler *as, const char *end)
{
	char buf[40];
	if (is_word_char(*end))
		return fail_at(as, end, "unexpected %s in a number", token_text(end, buf, sizeof(buf)));
	return true;
}

/* A literal in the notation docs/isa.md gives for the source's type. */
static bool parse_literal(struct assembler *as, enum vgpu_isa_type type, uint32_t *bits)
{
	const char *start = as->p, *digits = start + (*start == '-' || *start == '+');
	char *int_end, *float_end;
	long long value;
	float f;
	char buf[40];

	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		unsigned long long raw;
		if (digits != start)
			return fail_at(as, start, "a hex literal is a raw bit pattern and takes no sign");
		errno = 0;
		raw = strtoull(digits + 2, &int_end, 16);
		if (int_end == digits + 2 || errno || raw > 0xffffffffull)
			return fail_at(as, start, "hex literal must have 1 to 8 hex digits");
		if (!literal_end_ok(as, int_end))
			return false;
		as->p = int_end;
		*bits = (uint32_t)raw;
		return true;
	}
	if (!((*digits >= '0' && *digits <= '9') || *digits == '.' || *digits == 'i'))
		return fail_at(as, start, "expected a register or a number, found %s",
		               token_text(start, buf, sizeof(buf)));
	errno = 0;
	value = strtoll(start, &int_end, 10);
	f = strtof(start, &float_end);
	if (float_end > int_end) {
		if (f != f)
			return fail_at(as, start, "write NaN as a hex bit pattern (0x7fc00000)");
		if (type == VGPU_ISA_T_I || type == VGPU_ISA_T_U)
			return fail_at(as, start, "expected an integer, found a float literal");
		if (!literal_end_ok(as, float_end))
			return false;
		memcpy(bits, &f, sizeof(*bits));
		as->p = float_end;
		return true;
	}
	if (int_end == start || errno || value < -2147483648ll || value > 4294967295ll)
		return fail_at(as, start, "integer literal is outside -2147483648..4294967295");
	if (!literal_end_ok(as, int_end))
		return false;
	as->p = int_end;
	if (type == VGPU_ISA_T_F) {
		f = (float)value;
		if ((long long)f != value)
			return fail_at(as, start, "%lld is not exactly a float; write it as a float literal",
			               value);
		memcpy(bits, &f, sizeof(*bits));
		return true;
	}
	*bits = (uint32_t)value;
	return true;
}

/* A source operand: rN, -rN, |rN|, -|rN|, or a literal (which becomes the instruction's immediate). */
static bool parse_source(struct assembler *as, struct vgpu_isa_inst *in, unsigned i, enum vgpu_isa_type type)
{
	bool neg = false, abs = false;
	const char *start;

	skip_space(as);
	start = as->p;
	if (as->p[0] == '-' && (as->p[1] == 'r' || as->p[1] == '|')) {
		neg = true;
		as->p++;
	}
	if (*as->p == '|') {
		abs = true;
		as->p++;
	}
	if (*as->p == 'r' || neg || abs) {
		if (!parse_register(as, &in->src[i]))
			return false;
		if (abs && !expect(as, '|', "'|' closing the absolute value"))
			return false;
		in->neg[i] = neg;
		in->abs[i] = abs;
		return true;
	}
	if (in->imm_src)
		return fail_at(as, start, "only one source of an instruction can be an immediate");
	if (!parse_literal(as, type, &in->imm))
		return false;
	in->imm_src = i + 1;
	return true;
}

static bool parse_output(struct assembler *as, uint32_t *aux)
{
	unsigned slots = as->stage == VGPU_ISA_STAGE_VERTEX ? VGPU_ISA_OUT_SLOTS : VGPU_ISA_OUT_DEPTH + 1;
	char buf[40];

	skip_space(as);
	for (unsigned slot = 0; slot < slots; slot++) {
		char name[16];
		int vector = asm_output_name(as->stage, slot, name, sizeof(name));
		size_t len = strlen(name);
		unsigned comp = 0;

		if (strncmp(as->p, name, len) != 0 || (as->p[len] >= '0' && as->p[len] <= '9'))
			continue;
		as->p += len;
		if (vector && !parse_component(as, &comp))
			return false;
		*aux = slot | comp << 5;
		as->outputs |= 1u << slot;
		return true;
	}
	return fail_at(as, as->p, "expected a %s output (%s), found %s",
	               as->stage == VGPU_ISA_STAGE_VERTEX ? "vertex" : "fragment",
	               as->stage == VGPU_ISA_STAGE_VERTEX ? "pos.x, psize, var0.x..var15.w"
	                                                  : "color0.x..color3.w, depth",
	               token_text(as->p, buf, sizeof(buf)));
}

static bool parse_special(struct assembler *as, uint32_t *aux)
{
	char buf[40];
	as->p += 3; /* "sr." */
	for (unsigned sr = 0; sr < VGPU_ISA_SR_COUNT; sr++) {
		size_t len = strlen(asm_specials[sr]);
		if (!strncmp(as->p, asm_specials[sr], len) && !is_word_char(as->p[len])) {
			as->p += len;
			*aux = sr;
			return true;
		}
	}
	return fail_at(as, as->p, "unknown special register %s", token_text(as->p, buf, sizeof(buf)));
}

static bool parse_ubo_address(struct assembler *as, struct vgpu_isa_inst *in)
{
	unsigned slot, offset = 0;
	const char *at;

	if (!parse_numbered(as, "ubo", VGPU_ISA_IO_SLOTS - 1, "uniform buffer slot", &slot) ||
	    !expect(as, '[', "'['") || !parse_source(as, in, 0, VGPU_ISA_T_U))
		return false;
	skip_space(as);
	if (*as->p == '+') {
		as->p++;
		skip_space(as);
		at = as->p;
		if (!parse_number(as, VGPU_ISA_UBO_MAX_OFFSET, "offset", &offset))
			return false;
		if (offset % 4)
			return fail_at(as, at, "offset %u is not a multiple of 4", offset);
	}
	if (!expect(as, ']', "']'"))
		return false;
	in->aux = slot | (offset / 4) << 4;
	return true;
}

/* Suffixes after the mnemonic, e.g. ".sat", ".flat", ".cube.lod.shadow". */
struct suffixes {
	const char *text[4];
	unsigned len[4];
	unsigned count;
};

static bool take_suffix(struct suffixes *sx, const char *name)
{
	for (unsigned i = 0; i < sx->count; i++)
		if (sx->text[i] && sx->len[i] == strlen(name) && !strncmp(sx->text[i], name, sx->len[i])) {
			sx->text[i] = NULL;
			return true;
		}
	return false;
}

static bool apply_suffixes(struct assembler *as, struct vgpu_isa_inst *in, const struct vgpu_isa_opinfo *info,
                           struct suffixes *sx)
{
	switch (info->format) {
	case VGPU_ISA_FMT_ALU:
		in->sat = take_suffix(sx, "sat");
		break;
	case VGPU_ISA_FMT_LDVAR:
		for (unsigned m = 0, given = 0; m < 3; m++)
			if (take_suffix(sx, asm_interps[m])) {
				if (given++)
					return fail_at(as, as->p, "ld.var takes one interpolation mode");
				in->aux |= m << 6;
			}
		break;
	case VGPU_ISA_FMT_TEX: {
		bool cube = take_suffix(sx, "cube"), flat = take_suffix(sx, "2d");
		if (cube == flat)
			return fail_at(as, as->p, "tex needs exactly one of .2d or .cube");
		in->aux |= (uint32_t)cube << 10;
		if (take_suffix(sx, "bias"))
			in->aux |= VGPU_ISA_TEX_BIAS << 8;
		if (take_suffix(sx, "lod"))
			in->aux |= VGPU_ISA_TEX_LOD << 8;
		if (take_suffix(sx, "shadow"))
			in->aux |= 1u << 11;
		if (((in->aux >> 8) & 3) == 3)
			return fail_at(as, as->p, "tex takes .bias or .lod, not both");
		break;
	}
	default:
		break;
	}
	for (unsigned i = 0; i < sx->count; i++)
		if (sx->text[i])
			return fail_at(as, sx->text[i], "%s does not take the suffix '.%.*s'", info->name,
			               (int)sx->len[i], sx->text[i]);
	return true;
}

static bool parse_tex_operands(struct assembler *as, struct vgpu_isa_inst *in)
{
	unsigned texture, sampler, mode = (in->aux >> 8) & 3;
	unsigned coords = ((in->aux >> 10) & 1 ? 3u : 2u) + ((in->aux >> 11) & 1);

	if (!parse_register(as, &in->dst) || !expect(as, ',', "','") ||
	    !parse_numbered(as, "t", VGPU_ISA_IO_SLOTS - 1, "texture slot", &texture) ||
	    !expect(as, ',', "','") ||
	    !parse_numbered(as, "s", VGPU_ISA_IO_SLOTS - 1, "sampler slot", &sampler) ||
	    !expect(as, ',', "','") || !parse_register(as, &in->src[0]))
		return false;
	if (mode != VGPU_ISA_TEX_IMPLICIT &&
	    (!expect(as, ',', "',' and the bias/lod source") || !parse_source(as, in, 1, VGPU_ISA_T_F)))
		return false;
	in->aux |= texture | sampler << 4;
	if (in->dst + 4 > as->regs_used)
		as->regs_used = in->dst + 4;
	if (in->src[0] + coords > as->regs_used)
		as->regs_used = in->src[0] + coords;
	return true;
}

static bool parse_operands(struct assembler *as, struct vgpu_isa_inst *in, const struct vgpu_isa_opinfo *info)
{
	unsigned slot, comp;

	switch (info->format) {
	case VGPU_ISA_FMT_NONE:
		return true;
	case VGPU_ISA_FMT_COND:
		return parse_register(as, &in->src[0]);
	case VGPU_ISA_FMT_ALU:
		if (!parse_register(as, &in->dst))
			return false;
		if (in->opcode == VGPU_OP_MOV) {
			if (!expect(as, ',', "','"))
				return false;
			skip_space(as);
			if (!strncmp(as->p, "sr.", 3)) {
				if (in->sat)
					return fail_at(as, as->p, "a special register move cannot saturate");
				in->opcode = VGPU_OP_MOV_SR;
				return parse_special(as, &in->aux);
			}
			return parse_source(as, in, 0, info->type);
		}
		for (unsigned i = 0; i < info->nsrc; i++)
			if (!expect(as, ',', "','") ||
			    !parse_source(as, in, i,
			                  in->opcode == VGPU_OP_SEL && i == 0 ? VGPU_ISA_T_B : info->type))
				return false;
		return true;
	case VGPU_ISA_FMT_LDIN:
	case VGPU_ISA_FMT_LDVAR:
		if (!parse_register(as, &in->dst) || !expect(as, ',', "','") ||
		    !parse_numbered(as, info->format == VGPU_ISA_FMT_LDIN ? "a" : "v", VGPU_ISA_IO_SLOTS - 1,
		                    info->format == VGPU_ISA_FMT_LDIN ? "attribute" : "varying", &slot) ||
		    !parse_component(as, &comp))
			return false;
		in->aux |= slot | comp << 4;
		as->inputs |= 1u << slot;
		return true;
	case VGPU_ISA_FMT_STOUT:
		return parse_output(as, &in->aux) && expect(as, ',', "','") &&
		       parse_source(as, in, 0, VGPU_ISA_T_BITS);
	case VGPU_ISA_FMT_UBO:
		return parse_register(as, &in->dst) && expect(as, ',', "','") && parse_ubo_address(as, in);
	case VGPU_ISA_FMT_TEX:
		return parse_tex_operands(as, in);
	case VGPU_ISA_FMT_SR:
		break; /* reached through "mov" */
	}
	return fail_at(as, as->p, "internal: unhandled operand format");
}

static bool append_word(struct assembler *as, uint64_t word, struct location where)
{
	if (as->count == as->cap) {
		size_t cap = as->cap ? as->cap * 2 : 64;
		uint64_t *words = realloc(as->words, cap * sizeof(*words));
		struct location *locs;
		if (!words)
			return fail_at(as, as->p, "out of memory");
		as->words = words;
		locs = realloc(as->where, cap * sizeof(*locs));
		if (!locs)
			return fail_at(as, as->p, "out of memory");
		as->where = locs;
		as->cap = cap;
	}
	if (as->count >= VGPU_ISA_MAX_WORDS)
		return fail_at(as, as->p, "program is longer than %u words", VGPU_ISA_MAX_WORDS);
	as->words[as->count] = word;
	as->where[as->count++] = where;
	return true;
}

static bool parse_instruction(struct assembler *as)
{
	const char *start = as->p, *dot = NULL;
	struct location where = {as->line, (unsigned)(start - as->line_start) + 1};
	struct vgpu_isa_inst in;
	struct suffixes sx = {0};
	const struct vgpu_isa_opinfo *info = NULL;
	size_t len = 0;
	int opcode = -1;

	while (is_word_char(start[len]))
		len++;
	/* The longest dotted prefix that names an opcode; the rest are suffixes. */
	for (size_t n = len; n > 0 && opcode < 0; n--)
		if (n == len || start[n] == '.')
			if ((opcode = asm_find_opcode(start, (unsigned)n)) >= 0)
				dot = start + n;
	if (opcode < 0)
		return fail_at(as, start, "unknown instruction '%.*s'", (int)len, start);
	info = vgpu_isa_opinfo((unsigned)opcode);
	while (dot < start + len) {
		const char *s = dot + 1;
		dot = s;
		while (dot < start + len && *dot != '.')
			dot++;
		if (sx.count == 4)
			return fail_at(as, s, "too many suffixes");
		sx.text[sx.count] = s;
		sx.len[sx.count++] = (unsigned)(dot - s);
	}
	memset(&in, 0, sizeof(in));
	in.opcode = (unsigned)opcode;
	if (!apply_suffixes(as, &in, info, &sx))
		return false;
	as->p = start + len;
	skip_space(as);
	if (!parse_operands(as, &in, info))
		return false;
	if (!at_line_end(as)) {
		char buf[40];
		return fail_at(as, as->p, "unexpected %s after the operands of %s",
		               token_text(as->p, buf, sizeof(buf)), info->name);
	}
	if (!append_word(as, vgpu_isa_encode(&in), where))
		return false;
	return !in.imm_src || append_word(as, in.imm, where);
}

static bool parse_directive(struct assembler *as)
{
	const char *start = as->p;
	char buf[40];

	if (!strncmp(as->p, ".stage", 6) && !is_word_char(as->p[6])) {
		as->p += 6;
		skip_space(as);
		if (as->stage_set)
			return fail_at(as, start, ".stage is given twice");
		for (unsigned s = 0; s < 2; s++) {
			size_t len = strlen(asm_stages[s]);
			if (!strncmp(as->p, asm_stages[s], len) && !is_word_char(as->p[len])) {
				as->p += len;
				as->stage = (enum vgpu_isa_stage)s;
				as->stage_set = true;
				return true;
			}
		}
		return fail_at(as, as->p, "expected vertex or fragment, found %s",
		               token_text(as->p, buf, sizeof(buf)));
	}
	if (!strncmp(as->p, ".regs", 5) && !is_word_char(as->p[5])) {
		unsigned regs;
		as->p += 5;
		skip_space(as);
		if (as->regs_declared >= 0)
			return fail_at(as, start, ".regs is given twice");
		if (!parse_number(as, VGPU_ISA_MAX_REGS, "register count", &regs))
			return false;
		if (regs == 0)
			return fail_at(as, start, "a shader needs at least 1 register");
		as->regs_declared = (int)regs;
		return true;
	}
	return fail_at(as, start, "unknown directive %s (.stage, .regs)",
	               token_text(start, buf, sizeof(buf)));
}

/* Builds the container and lets the loader judge it; its complaint is reported at the instruction. */
static bool finish(struct assembler *as, unsigned char **bytes, size_t *size)
{
	size_t total = VGPU_ISA_HEADER_SIZE + as->count * VGPU_ISA_WORD_SIZE;
	unsigned char *out = calloc(1, total);
	char load_error[VGPU_SHADER_ERROR_SIZE];
	struct vgpu_shader *shader;
	long bad_word = -1;
	unsigned regs = as->regs_declared >= 0 ? (unsigned)as->regs_declared : as->regs_used;

	if (!out)
		return fail_at(as, as->p, "out of memory");
	vgpu_isa_put32(out + VGPU_ISA_HDR_MAGIC, VGPU_ISA_MAGIC);
	out[VGPU_ISA_HDR_VERSION] = VGPU_ISA_VERSION;
	out[VGPU_ISA_HDR_STAGE] = (unsigned char)as->stage;
	out[VGPU_ISA_HDR_REGS] = (unsigned char)(regs ? regs : 1);
	vgpu_isa_put32(out + VGPU_ISA_HDR_INPUTS, as->inputs);
	vgpu_isa_put32(out + VGPU_ISA_HDR_OUTPUTS, as->outputs);
	vgpu_isa_put32(out + VGPU_ISA_HDR_WORDS, (uint32_t)as->count);
	for (size_t i = 0; i < as->count; i++)
		vgpu_isa_put64(out + VGPU_ISA_HEADER_SIZE + i * VGPU_ISA_WORD_SIZE, as->words[i]);
	shader = vgpu_shader_load(out, total, load_error, &bad_word);
	if (!shader) {
		const char *message = strstr(load_error, ": ");
		free(out);
		message = message ? message + 2 : load_error;
		if (bad_word >= 0 && (size_t)bad_word < as->count) {
			as->line = as->where[bad_word].line;
			as->line_start = as->p - (as->where[bad_word].column - 1);
			return fail_at(as, as->p, "%s", message);
		}
		as->line_start = as->p;
		return fail_at(as, as->p, "%s", message);
	}
	vgpu_shader_free(shader);
	*bytes = out;
	*size = total;
	return true;
}

int vgpu_assemble(const char *text, const char *filename, unsigned char **bytes, size_t *size,
                  char error[VGPU_ASM_ERROR_SIZE])
{
	struct assembler as = {.file = filename, .error = error, .regs_declared = -1, .p = text};
	bool ok = true;

	for (as.line = 1; ok && *as.p; as.line++) {
		as.line_start = as.p;
		if (!at_line_end(&as)) {
			if (*as.p == '.')
				ok = parse_directive(&as) &&
				     (at_line_end(&as) ||
				      fail_at(&as, as.p, "unexpected text after the directive"));
			else if (!as.stage_set)
				ok = fail_at(&as, as.p, ".stage vertex or .stage fragment must come first");
			else
				ok = parse_instruction(&as);
		}
		while (*as.p && *as.p != '\n')
			as.p++;
		if (*as.p == '\n')
			as.p++;
	}
	if (ok && as.count == 0) {
		as.line_start = as.p;
		as.line--;
		ok = fail_at(&as, as.p, "no instructions (a shader needs at least an end)");
	}
	if (ok) {
		as.line--;
		ok = finish(&as, bytes, size);
	}
	free(as.words);
	free(as.where);
	return ok ? 0 : -1;
}
