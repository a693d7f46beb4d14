/* vgpu-as / vgpu-dis: every shader in corpus/ survives assemble -> disassemble -> assemble byte for byte,
 * the corpus uses every opcode, the documented examples compute what docs/isa.md says, and malformed
 * assembly is refused with FILE:LINE:COLUMN messages. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shader_harness.h"
#include "vgpu_asm.h"
#include "vgpu_test.h"

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static char *corpus_text(const char *name)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", SHADER_CORPUS_DIR, name);
	text = read_text(path);
	if (!text)
		vt_fail(__FILE__, __LINE__, "cannot read %s", path);
	return text;
}

/* Assembles, disassembles and re-assembles; returns the binary (or NULL after a failure). */
static unsigned char *round_trip(const char *text, const char *name, size_t *size)
{
	char error[VGPU_ASM_ERROR_SIZE];
	unsigned char *first, *second;
	size_t second_size;
	char *dis, *dis2;

	if (vgpu_assemble(text, name, &first, size, error)) {
		vt_fail(__FILE__, __LINE__, "%s", error);
		return NULL;
	}
	dis = vgpu_disassemble(first, *size, error);
	if (!dis) {
		vt_fail(__FILE__, __LINE__, "%s: %s", name, error);
		free(first);
		return NULL;
	}
	if (vgpu_assemble(dis, name, &second, &second_size, error)) {
		vt_fail(__FILE__, __LINE__, "disassembly of %s does not assemble: %s", name, error);
		free(dis);
		free(first);
		return NULL;
	}
	if (second_size != *size || memcmp(first, second, *size))
		vt_fail(__FILE__, __LINE__, "%s: the disassembly assembles to different bytes", name);
	dis2 = vgpu_disassemble(second, second_size, error);
	VT_CHECK(dis2 && !strcmp(dis, dis2));
	free(dis2);
	free(dis);
	free(second);
	return first;
}

static void test_corpus_round_trips_and_covers_every_opcode(void)
{
	DIR *dir = opendir(SHADER_CORPUS_DIR);
	struct dirent *entry;
	unsigned char seen[256] = {0};
	unsigned files = 0;

	VT_CHECK(dir != NULL);
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name), size;
		unsigned char *bin;
		char *text;

		if (len < 3 || strcmp(entry->d_name + len - 2, ".s"))
			continue;
		text = corpus_text(entry->d_name);
		bin = text ? round_trip(text, entry->d_name, &size) : NULL;
		files++;
		for (size_t w = 0; bin && w < (size - VGPU_ISA_HEADER_SIZE) / 8; w++) {
			struct vgpu_isa_inst in;
			unsigned reserved;
			vgpu_isa_decode(vgpu_isa_get64(bin + VGPU_ISA_HEADER_SIZE + w * 8), &in, &reserved);
			seen[in.opcode] = 1;
			w += in.imm_src ? 1 : 0;
		}
		free(bin);
		free(text);
	}
	closedir(dir);
	VT_CHECK(files >= 6);
	for (unsigned code = 0; code < 256; code++)
		if (vgpu_isa_opinfo(code) && !seen[code])
			vt_fail(__FILE__, __LINE__, "no corpus shader uses opcode 0x%02x (%s)", code,
			        vgpu_isa_opinfo(code)->name);
}

/* Float immediates print in the shortest form that reads back to the same bits; NaNs print as hex. */
static void test_float_immediates_round_trip(void)
{
	uint32_t state = 12345;
	for (unsigned i = 0; i < 4000; i++) {
		static const uint32_t special[] = {0,          0x80000000, 0x00000001, 0x807fffff,
		                                   0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
		                                   0xffffffff, 0x3dcccccd};
		unsigned char bin[VGPU_ISA_HEADER_SIZE + 24] = {0};
		struct vgpu_isa_inst in = {.opcode = VGPU_OP_FADD, .dst = 1, .src = {1, 0, 0}, .imm_src = 2};
		char error[VGPU_ASM_ERROR_SIZE];
		unsigned char *again;
		size_t size;
		char *text;
		uint32_t bits;

		state = state * 1664525u + 1013904223u;
		bits = i < VT_COUNT(special) ? special[i] : state;
		vgpu_isa_put32(bin, VGPU_ISA_MAGIC);
		bin[VGPU_ISA_HDR_VERSION] = VGPU_ISA_VERSION;
		bin[VGPU_ISA_HDR_REGS] = 2;
		vgpu_isa_put32(bin + VGPU_ISA_HDR_WORDS, 3);
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE, vgpu_isa_encode(&in));
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8, bits);
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 16, VGPU_OP_END);
		text = vgpu_disassemble(bin, sizeof(bin), error);
		if (!text) {
			vt_fail(__FILE__, __LINE__, "%s", error);
			return;
		}
		if (vgpu_assemble(text, "imm.s", &again, &size, error) || size != sizeof(bin) ||
		    memcmp(again, bin, size)) {
			vt_fail(__FILE__, __LINE__, "immediate 0x%08x does not round-trip: %s", bits, text);
			i = 4000;
		} else {
			free(again);
		}
		free(text);
	}
}

/* Random valid instructions with every field varied (registers, modifiers, saturate, immediates of every
 * type, slots, components, texture modes): the disassembly must assemble back to the same bytes. */
static uint32_t rng_state = 99;

static uint32_t rnd(uint32_t bound)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return bound ? (rng_state >> 4) % bound : rng_state;
}

static void random_instruction(enum vgpu_isa_stage stage, struct vgpu_isa_inst *in, uint32_t *inputs,
                               uint32_t *outputs)
{
	const struct vgpu_isa_opinfo *info;
	unsigned nsrc;

	do {
		in->opcode = 0x10 + rnd(0x80);
		info = vgpu_isa_opinfo(in->opcode);
	} while (!info || !(info->stages & (1u << stage)) || info->format == VGPU_ISA_FMT_NONE ||
	         info->format == VGPU_ISA_FMT_COND);
	memset(in->src, 0, sizeof(in->src));
	memset(in->neg, 0, sizeof(in->neg));
	memset(in->abs, 0, sizeof(in->abs));
	in->dst = rnd(124);
	in->sat = info->float_result && info->format == VGPU_ISA_FMT_ALU ? rnd(2) : 0;
	in->imm_src = 0;
	in->aux = 0;
	in->imm = rnd(0) ^ (rnd(4) == 0 ? 0x7f800000u : 0);
	nsrc = info->nsrc;
	switch (info->format) {
	case VGPU_ISA_FMT_LDIN:
	case VGPU_ISA_FMT_LDVAR:
		in->aux = rnd(16) | rnd(4) << 4 | (info->format == VGPU_ISA_FMT_LDVAR ? rnd(3) << 6 : 0);
		*inputs |= 1u << (in->aux & 15);
		break;
	case VGPU_ISA_FMT_STOUT:
		in->dst = 0;
		in->aux = stage == VGPU_ISA_STAGE_VERTEX ? rnd(VGPU_ISA_OUT_SLOTS)
		                                         : rnd(VGPU_ISA_OUT_DEPTH + 1);
		if (!((stage == VGPU_ISA_STAGE_VERTEX && in->aux == VGPU_ISA_OUT_POINTSIZE) ||
		      (stage == VGPU_ISA_STAGE_FRAGMENT && in->aux == VGPU_ISA_OUT_DEPTH)))
			in->aux |= rnd(4) << 5;
		*outputs |= 1u << (in->aux & 31);
		break;
	case VGPU_ISA_FMT_SR:
		do
			in->aux = rnd(VGPU_ISA_SR_COUNT);
		while (stage == VGPU_ISA_STAGE_VERTEX ? in->aux > VGPU_ISA_SR_INSTANCEID
		                                      : in->aux == 1 || in->aux == 2);
		break;
	case VGPU_ISA_FMT_UBO:
		in->aux = rnd(16) | rnd(1u << 14) << 4;
		break;
	case VGPU_ISA_FMT_TEX:
		in->aux = rnd(16) | rnd(16) << 4 | (stage == VGPU_ISA_STAGE_VERTEX ? 2u : rnd(3)) << 8 |
		          rnd(2) << 10 | rnd(2) << 11;
		nsrc = ((in->aux >> 8) & 3) ? 2 : 1;
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < nsrc; i++) {
		in->src[i] = rnd(124);
		if ((info->format == VGPU_ISA_FMT_ALU && info->type == VGPU_ISA_T_F) ||
		    in->opcode == VGPU_OP_MOV) {
			in->neg[i] = rnd(2);
			in->abs[i] = rnd(2);
		}
	}
	if (nsrc && info->format != VGPU_ISA_FMT_TEX && rnd(3) == 0)
		in->imm_src = 1 + rnd(nsrc);
	if (info->format == VGPU_ISA_FMT_TEX && nsrc == 2 && rnd(2))
		in->imm_src = 2;
	if (in->imm_src) {
		in->src[in->imm_src - 1] = 0;
		in->neg[in->imm_src - 1] = in->abs[in->imm_src - 1] = 0;
	}
}

static void test_random_instructions_round_trip(void)
{
	for (unsigned program = 0; program < 300; program++) {
		enum vgpu_isa_stage stage = (enum vgpu_isa_stage)(program & 1);
		unsigned char bin[VGPU_ISA_HEADER_SIZE + 8 * 64];
		char error[VGPU_ASM_ERROR_SIZE], load_error[VGPU_SHADER_ERROR_SIZE];
		uint32_t inputs = 0, outputs = 0, words = 0;
		unsigned char *again;
		struct vgpu_shader *shader;
		size_t size;
		char *text;

		memset(bin, 0, sizeof(bin));
		while (words < 60) {
			struct vgpu_isa_inst in;
			random_instruction(stage, &in, &inputs, &outputs);
			vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8 * words++, vgpu_isa_encode(&in));
			if (in.imm_src)
				vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8 * words++, in.imm);
		}
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8 * words++, VGPU_OP_END);
		vgpu_isa_put32(bin, VGPU_ISA_MAGIC);
		bin[VGPU_ISA_HDR_VERSION] = VGPU_ISA_VERSION;
		bin[VGPU_ISA_HDR_STAGE] = (unsigned char)stage;
		bin[VGPU_ISA_HDR_REGS] = 128;
		vgpu_isa_put32(bin + VGPU_ISA_HDR_INPUTS, inputs);
		vgpu_isa_put32(bin + VGPU_ISA_HDR_OUTPUTS, outputs);
		vgpu_isa_put32(bin + VGPU_ISA_HDR_WORDS, words);
		size = VGPU_ISA_HEADER_SIZE + 8 * words;
		shader = vgpu_shader_load(bin, size, load_error, NULL);
		if (!shader) {
			vt_fail(__FILE__, __LINE__, "generated program %u does not load: %s", program,
			        load_error);
			return;
		}
		vgpu_shader_free(shader);
		text = vgpu_disassemble(bin, size, error);
		if (!text) {
			vt_fail(__FILE__, __LINE__, "%s", error);
			return;
		}
		if (vgpu_assemble(text, "random.s", &again, &size, error)) {
			vt_fail(__FILE__, __LINE__, "program %u: %s\n%s", program, error, text);
			free(text);
			return;
		}
		if (size != VGPU_ISA_HEADER_SIZE + 8 * (size_t)words || memcmp(again, bin, size))
			vt_fail(__FILE__, __LINE__, "program %u does not round-trip:\n%s", program, text);
		free(again);
		free(text);
	}
}

static void test_malformed_assembly_is_refused_with_location(void)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	        {"fadd r0, r1, r2\n", "bad.s:1:1: .stage vertex or .stage fragment must come first"},
	        {".stage compute\n", "bad.s:1:8: expected vertex or fragment, found 'compute'"},
	        {".stage vertex\n.stage vertex\n", "bad.s:2:1: .stage is given twice"},
	        {".stage vertex\n.regs 129\n", "bad.s:2:7: register count 129 is out of range (0..128)"},
	        {".stage vertex\n.align 4\n", "bad.s:2:1: unknown directive '.align'"},
	        {".stage vertex\n\tfrob r0\n", "bad.s:2:2: unknown instruction 'frob'"},
	        {".stage vertex\n\tfadd r0, r1\n\tend\n", "bad.s:2:13: expected ',', found end of line"},
	        {".stage vertex\n\tfadd r0, r1, r128\n", "bad.s:2:16: register 128 is out of range (0..127)"},
	        {".stage vertex\n\tfadd r0, r1, 1.0 junk\n",
	         "bad.s:2:19: unexpected 'junk' after the operands"},
	        {".stage vertex\n\tiadd r0, r1, 1.5\n",
	         "bad.s:2:15: expected an integer, found a float literal"},
	        {".stage vertex\n\tiadd r0, 1, 2\n",
	         "bad.s:2:14: only one source of an instruction can be an immediate"},
	        {".stage vertex\n\tfadd r0, r1, 16777217\n", "bad.s:2:15: 16777217 is not exactly a float"},
	        {".stage vertex\n\tmov r0, -0x1\n",
	         "bad.s:2:10: a hex literal is a raw bit pattern and takes no sign"},
	        {".stage vertex\n\tmov r0, 4294967296\n", "bad.s:2:10: integer literal is outside"},
	        {".stage vertex\n\tfadd.sat.sat r0, r1, r2\n",
	         "bad.s:2:11: fadd does not take the suffix '.sat'"},
	        {".stage vertex\n\tfadd.fine r0, r1, r2\n",
	         "bad.s:2:7: fadd does not take the suffix '.fine'"},
	        {".stage vertex\n\tld.in r0, a16.x\n", "bad.s:2:13: attribute 16 is out of range (0..15)"},
	        {".stage vertex\n\tld.in r0, a1.q\n", "bad.s:2:15: expected a component (x, y, z or w)"},
	        {".stage vertex\n\tst.out color0.x, r0\n", "bad.s:2:9: expected a vertex output"},
	        {".stage fragment\n\tst.out depth.x, r0\n", "bad.s:2:14: expected ',', found '.x'"},
	        {".stage vertex\n\tmov r0, sr.pixel\n", "bad.s:2:13: unknown special register 'pixel'"},
	        {".stage vertex\n\tld.ubo r0, ubo1[r1 + 6]\n", "bad.s:2:23: offset 6 is not a multiple of 4"},
	        {".stage vertex\n\ttex r0, t0, s0, r4\n", "tex needs exactly one of .2d or .cube"},
	        {".stage vertex\n\ttex.2d.bias.lod r0, t0, s0, r4, r1\n",
	         "tex takes .bias or .lod, not both"},
	        {".stage vertex\n\tif r0\n\tend\n", "bad.s:3:2: end inside an unclosed if"},
	        {".stage vertex\n\tendloop\n\tend\n", "bad.s:2:2: endloop without a matching loop"},
	        {".stage vertex\n\tloop\n\tendloop\n",
	         "bad.s:3:2: the program must finish with an end instruction"},
	        {".stage vertex\n\tddx r0, r1\n\tend\n",
	         "bad.s:2:2: ddx is not available in a vertex shader"},
	        {".stage vertex\n\tiadd r0, -r1, r2\n\tend\n",
	         "bad.s:2:2: iadd: source 0 cannot take neg/abs"},
	        {".stage vertex\n\tiadd.sat r0, r1, r2\n\tend\n", "bad.s:2:2: iadd does not produce a float"},
	        {".stage fragment\n.regs 4\n\ttex.2d r2, t0, s0, r0\n\tend\n",
	         "bad.s:3:2: tex: destination r2..r5 is out of range (4 registers)"},
	        {".stage vertex\n; only a comment\n", "bad.s:2:1: no instructions"},
	};
	for (size_t i = 0; i < VT_COUNT(cases); i++) {
		char error[VGPU_ASM_ERROR_SIZE] = "";
		unsigned char *bytes = NULL;
		size_t size;
		int status = vgpu_assemble(cases[i].text, "bad.s", &bytes, &size, error);

		VT_CHECK_EQ_INT(status, -1);
		if (!strstr(error, cases[i].error))
			vt_fail(__FILE__, __LINE__, "case %zu: got '%s', expected '%s'", i, error,
			        cases[i].error);
		if (status == 0)
			free(bytes);
	}
}

static void test_disassembler_refuses_invalid_binaries(void)
{
	unsigned char junk[40] = "this is not a shader binary at all.....";
	char error[VGPU_ASM_ERROR_SIZE];

	VT_CHECK(vgpu_disassemble(junk, sizeof(junk), error) == NULL);
	VT_CHECK(strstr(error, "not a valid vgpu shader binary: header: bad magic") != NULL);
}

/* The docs/isa.md examples compute what the text says they do. */
static struct vgpu_shader *load_corpus(const char *name)
{
	char *text = corpus_text(name);
	struct vgpu_shader *s = text ? sh_load(text) : NULL;
	free(text);
	return s;
}

static void test_example_matrix_transform(void)
{
	static struct vgpu_shader_warp w;
	struct vgpu_shader *s = load_corpus("matrix_transform.s");
	struct sh_env env;
	float m[16];

	if (!s)
		return;
	sh_env_init(&env, 1000);
	for (unsigned i = 0; i < 16; i++) {
		m[i] = (float)(i * i % 7) - 2.5f;
		env.ubo[i] = sh_bits(m[i]);
	}
	sh_warp_init(&w);
	for (unsigned l = 0; l < 16; l++)
		for (unsigned c = 0; c < 4; c++) {
			w.attrib[0][c][l] = (float)(l + c) * 0.5f;
			w.attrib[1][c][l] = (float)l;
		}
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &w, &env.env), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		for (unsigned row = 0; row < 4; row++) {
			float sum = m[row] * w.attrib[0][0][l];
			for (unsigned col = 1; col < 4; col++) {
				float product = m[col * 4 + row] * w.attrib[0][col][l];
				sum = product + sum;
			}
			VT_CHECK_EQ_U64(sh_out(&w, VGPU_ISA_OUT_POSITION, row, l), sh_bits(sum));
		}
		VT_CHECK_EQ_U64(sh_out(&w, VGPU_ISA_OUT_VARYING0, 1, l), sh_bits((float)l));
	}
	vgpu_shader_free(s);
}

static void test_example_loop_and_branch(void)
{
	static struct vgpu_shader_warp w;
	struct vgpu_shader *loop = load_corpus("loop.s"), *branch = load_corpus("divergent_branch.s");
	struct sh_env env;

	sh_env_init(&env, 1000);
	if (loop) {
		sh_warp_init(&w);
		for (unsigned l = 0; l < 16; l++)
			w.vertex_id[l] = l * 5;
		VT_CHECK_EQ_INT(vgpu_shader_run(loop, &w, &env.env), VGPU_SHADER_FAULT_NONE);
		for (unsigned l = 0; l < 16; l++) {
			uint32_t n = (l * 5) & 7, sum = 0;
			for (uint32_t i = 1; i <= n; i++) {
				if (i % 3 == 0)
					continue;
				sum += i;
				if (sum > 20)
					break;
			}
			VT_CHECK_EQ_U64(sh_out(&w, VGPU_ISA_OUT_VARYING0, 0, l), sum);
		}
		vgpu_shader_free(loop);
	}
	if (branch) {
		sh_warp_init(&w);
		for (unsigned l = 0; l < 16; l++)
			w.frag_coord[0][l] = (float)l + 0.5f;
		VT_CHECK_EQ_INT(vgpu_shader_run(branch, &w, &env.env), VGPU_SHADER_FAULT_NONE);
		for (unsigned l = 0; l < 16; l++) {
			VT_CHECK_EQ_U64(sh_out(&w, 0, 0, l), sh_bits(l < 8 ? 1.0f : 0.0f));
			VT_CHECK_EQ_U64(sh_out(&w, 0, 1, l), sh_bits(l < 8 ? 0.0f : 1.0f));
			VT_CHECK_EQ_U64(sh_out(&w, 0, 2, l), sh_bits(l & 1 ? 0.5f : 0.0f));
		}
		vgpu_shader_free(branch);
	}
}

static void test_example_textured(void)
{
	static struct vgpu_shader_warp w;
	struct vgpu_shader *s = load_corpus("textured.s");
	struct sh_env env;

	if (!s)
		return;
	sh_env_init(&env, 1000);
	sh_warp_init(&w);
	for (unsigned c = 0; c < 4; c++)
		for (unsigned v = 0; v < 3; v++) {
			w.varying[0][c][v] = (float)(v * 4 + c) * 0.125f;
			w.varying[1][c][v] = 0.5f + (float)c;
		}
	for (unsigned l = 0; l < 16; l++) {
		w.bary_persp[0][l] = (float)(l & 1) * 0.25f;       /* varies across x within each quad */
		w.bary_persp[1][l] = (float)((l >> 1) & 1) * 0.5f; /* and across y */
	}
	VT_CHECK_EQ_INT(vgpu_shader_run(s, &w, &env.env), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_INT(env.texture_calls, 1);
	VT_CHECK_EQ_INT(env.last_request.mode, VGPU_ISA_TEX_IMPLICIT);
	for (unsigned l = 0; l < 16; l++) {
		/* The fake texture returns (s, t, ds/dx, dt/dy); the shader multiplies by varying 1 =
		 * 0.5, 1.5, ... */
		float b1 = w.bary_persp[0][l], b2 = w.bary_persp[1][l];
		float s0 = w.varying[0][0][0], s1 = w.varying[0][0][1], s2 = w.varying[0][0][2];
		float t0 = w.varying[0][1][0], t1 = w.varying[0][1][1], t2 = w.varying[0][1][2];
		float tex_s = s0 + b1 * (s1 - s0) + b2 * (s2 - s0),
		      tex_t = t0 + b1 * (t1 - t0) + b2 * (t2 - t0);
		float s_right = s0 + 0.25f * (s1 - s0) + 0.0f * (s2 - s0), s_left = s0 + 0.0f * (s1 - s0);
		float t_bottom = t0 + 0.0f * (t1 - t0) + 0.5f * (t2 - t0), t_top = t0 + 0.0f * (t1 - t0);
		VT_CHECK_EQ_U64(sh_out(&w, 0, 0, l), sh_bits(tex_s * 0.5f));
		VT_CHECK_EQ_U64(sh_out(&w, 0, 1, l), sh_bits(tex_t * 1.5f));
		VT_CHECK_EQ_U64(sh_out(&w, 0, 2, l), sh_bits((s_right - s_left) * 2.5f));
		VT_CHECK_EQ_U64(sh_out(&w, 0, 3, l), sh_bits((t_bottom - t_top) * 3.5f));
	}
	vgpu_shader_free(s);
}

static const struct vt_case cases[] = {
        VT_CASE(test_corpus_round_trips_and_covers_every_opcode),
        VT_CASE(test_float_immediates_round_trip),
        VT_CASE(test_random_instructions_round_trip),
        VT_CASE(test_malformed_assembly_is_refused_with_location),
        VT_CASE(test_disassembler_refuses_invalid_binaries),
        VT_CASE(test_example_matrix_transform),
        VT_CASE(test_example_loop_and_branch),
        VT_CASE(test_example_textured),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
