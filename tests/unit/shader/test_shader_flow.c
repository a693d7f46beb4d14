/* SIMT control flow, derivatives, discard, the instruction budget and load-time validation of the vgpu ISA
 * (docs/isa.md, "Control flow" and "Validation"). Expected per-lane results come from plain C versions of
 * the same programs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shader_harness.h"
#include "vgpu_asm.h"
#include "vgpu_test.h"

static struct vgpu_shader_warp warp;

static enum vgpu_shader_fault run(struct vgpu_shader *shader, uint32_t budget)
{
	struct sh_env env;
	sh_env_init(&env, budget);
	return vgpu_shader_run(shader, &warp, &env.env);
}

static void test_nested_if_else(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	mov r0, sr.laneid\n"
	                                "	and r1, r0, 1\n"
	                                "	and r2, r0, 2\n"
	                                "	mov r3, 0\n"
	                                "	if r1\n"
	                                "		if r2\n"
	                                "			mov r3, 1\n"
	                                "		else\n"
	                                "			mov r3, 2\n"
	                                "		endif\n"
	                                "		iadd r3, r3, 20\n"
	                                "	else\n"
	                                "		if r2\n"
	                                "			mov r3, 3\n"
	                                "		endif\n"
	                                "		iadd r3, r3, 10\n"
	                                "	endif\n"
	                                "	st.out var0.x, r3\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	warp.lane_mask = 0x7fff; /* lane 15 does not run: its output stays 0 */
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		uint32_t want;
		if (l & 1)
			want = ((l & 2) ? 1 : 2) + 20;
		else
			want = ((l & 2) ? 3 : 0) + 10;
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 0, l), l == 15 ? 0 : want);
	}
	vgpu_shader_free(s);
}

/* Each lane loops laneid times; continue skips part of every fourth iteration; an inner loop breaks from
 * inside an if. */
static void test_loops_with_lane_dependent_trip_counts(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	mov r0, sr.laneid\n"
	                                "	mov r1, 0\n"
	                                "	mov r2, 0\n"
	                                "	loop\n"
	                                "		uge r3, r1, r0\n"
	                                "		breakc r3\n"
	                                "		iadd r2, r2, r1\n"
	                                "		iadd r1, r1, 1\n"
	                                "		and r4, r1, 3\n"
	                                "		ieq r5, r4, 0\n"
	                                "		continuec r5\n"
	                                "		mov r6, 0\n"
	                                "		loop\n"
	                                "			iadd r6, r6, 1\n"
	                                "			ilt r7, r6, r1\n"
	                                "			if r7\n"
	                                "				iadd r2, r2, 100\n"
	                                "			else\n"
	                                "				break\n"
	                                "			endif\n"
	                                "		endloop\n"
	                                "	endloop\n"
	                                "	st.out var0.x, r2\n"
	                                "	st.out var0.y, r1\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 100000), VGPU_SHADER_FAULT_NONE);
	for (uint32_t l = 0; l < 16; l++) {
		uint32_t i = 0, sum = 0;
		for (;;) {
			if (i >= l)
				break;
			sum += i;
			i++;
			if ((i & 3) == 0)
				continue;
			for (uint32_t j = 1; j < i; j++)
				sum += 100;
		}
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 0, l), sum);
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 1, l), i);
	}
	vgpu_shader_free(s);
}

/* Lanes that break stay off through the rest of the body, including after an endif. */
static void test_break_inside_if_stays_off_until_endloop(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	mov r0, sr.laneid\n"
	                                "	ult r1, r0, 8\n"
	                                "	loop\n"
	                                "		if r1\n"
	                                "			break\n"
	                                "		endif\n"
	                                "		iadd r2, r2, 1\n"
	                                "		break\n"
	                                "	endloop\n"
	                                "	st.out var0.x, r2\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 0, l), l < 8 ? 0 : 1);
	vgpu_shader_free(s);
}

/* When no lane takes a side, the core skips it and those instructions cost nothing. */
static void test_uniform_branch_skips_the_untaken_side(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	if r0\n"
	                                "		mov r1, 1\n"
	                                "		mov r1, 2\n"
	                                "	else\n"
	                                "		mov r1, 3\n"
	                                "	endif\n"
	                                "	st.out var0.x, r1\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_U64(warp.issued, 6); /* if, else, mov, endif, st.out, end */
	VT_CHECK_EQ_U64(sh_out(&warp, VGPU_ISA_OUT_VARYING0, 0, 5), 3);
	vgpu_shader_free(s);
}

static void test_budget_ends_an_endless_loop(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n"
	                                "	loop\n"
	                                "		iadd r0, r0, 1\n"
	                                "	endloop\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 1001), VGPU_SHADER_FAULT_BUDGET);
	VT_CHECK_EQ_INT(warp.fault, VGPU_SHADER_FAULT_BUDGET);
	VT_CHECK_EQ_U64(warp.issued, 1001);
	VT_CHECK_EQ_U64(warp.fault_pc, 1); /* loop, then 500 x (iadd, endloop): the next is iadd at word 1 */
	VT_CHECK_EQ_U64(warp.reg.u[0][3], 500);
	/* The same warp struct runs again cleanly: registers and faults are reset. */
	VT_CHECK_EQ_INT(run(s, 0), VGPU_SHADER_FAULT_BUDGET);
	VT_CHECK_EQ_U64(warp.issued, 0);
	VT_CHECK_EQ_U64(warp.reg.u[0][3], 0);
	vgpu_shader_free(s);
}

static char *nested(unsigned depth)
{
	size_t cap = 64 + depth * 40;
	char *text = malloc(cap);
	size_t len = (size_t)snprintf(text, cap, ".stage vertex\n");
	for (unsigned i = 0; i < depth; i++)
		len += (size_t)snprintf(text + len, cap - len, i % 2 ? " if r0\n" : " loop\n break\n");
	for (unsigned i = depth; i-- > 0;)
		len += (size_t)snprintf(text + len, cap - len, i % 2 ? " endif\n" : " endloop\n");
	snprintf(text + len, cap - len, " end\n");
	return text;
}

/* Nesting is bounded statically, so the mask stack cannot overflow at run time. */
static void test_nesting_deeper_than_16_is_rejected_at_load(void)
{
	char error[VGPU_ASM_ERROR_SIZE];
	unsigned char *bytes;
	size_t size;
	char *ok = nested(16), *deep = nested(17);
	struct vgpu_shader *s = sh_load(ok);

	if (s) {
		sh_warp_init(&warp);
		VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
		vgpu_shader_free(s);
	}
	VT_CHECK(vgpu_assemble(deep, "deep.s", &bytes, &size, error) != 0);
	VT_CHECK(strstr(error, "deep.s:26:2: control flow nests deeper than 16 levels") != NULL);
	free(ok);
	free(deep);
}

static void test_discard(void)
{
	struct vgpu_shader *s = sh_load(".stage fragment\n"
	                                "	mov r0, sr.laneid\n"
	                                "	and r1, r0, 1\n"
	                                "	st.out color0.y, 1.0\n"
	                                "	discardc r1\n"
	                                "	st.out color0.x, 2.0\n"
	                                "	ult r2, r0, 4\n"
	                                "	if r2\n"
	                                "		discard\n"
	                                "	endif\n"
	                                "	st.out color0.z, 3.0\n"
	                                "	end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_U64(warp.kill_mask, 0xaaaa | 0x5);
	for (unsigned l = 0; l < 16; l++) {
		int alive = !(l & 1), reaches_end = alive && l >= 4;
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 1, l), sh_bits(1.0f));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, l), sh_bits(alive ? 2.0f : 0.0f));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 2, l), sh_bits(reaches_end ? 3.0f : 0.0f));
	}
	/* All lanes discarded: the invocation ends there. */
	sh_warp_init(&warp);
	warp.lane_mask = 0x5555;
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_U64(warp.kill_mask, 0x5);
	vgpu_shader_free(s);
	s = sh_load(".stage fragment\n discard\n st.out color0.x, 2.0\n end\n");
	if (!s)
		return;
	sh_warp_init(&warp);
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	VT_CHECK_EQ_U64(warp.kill_mask, 0xffff);
	VT_CHECK_EQ_U64(warp.issued, 1);
	vgpu_shader_free(s);
}

/* v = x*x + 3*y*y*y over each 2x2 quad, from frag_coord; check coarse and fine derivatives. */
static void test_derivatives(void)
{
	struct vgpu_shader *s = sh_load(".stage fragment\n"
	                                "	mov r0, sr.fragcoord.x\n"
	                                "	mov r1, sr.fragcoord.y\n"
	                                "	fmul r2, r0, r0\n"
	                                "	fmul r3, r1, r1\n"
	                                "	fmul r3, r3, r1\n"
	                                "	ffma r2, r3, 3.0, r2\n"
	                                "	ddx r4, r2\n"
	                                "	ddy r5, r2\n"
	                                "	ddx.fine r6, r2\n"
	                                "	ddy.fine r7, -r2\n"
	                                "	st.out color0.x, r4\n"
	                                "	st.out color0.y, r5\n"
	                                "	st.out color0.z, r6\n"
	                                "	st.out color0.w, r7\n"
	                                "	end\n");
	float v[16];
	if (!s)
		return;
	sh_warp_init(&warp);
	for (unsigned l = 0; l < 16; l++) {
		float x = (float)(2 * (l / 4) + (l & 1)) + 0.5f, y = (float)((l & 2) ? 8 : 7) + 0.5f;
		warp.frag_coord[0][l] = x;
		warp.frag_coord[1][l] = y;
		v[l] = x * x + 3 * y * y * y;
	}
	VT_CHECK_EQ_INT(run(s, 1000), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++) {
		unsigned q = l & ~3u, col = l & 1, row = l & 2;
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 0, l), sh_bits(v[q + 1] - v[q]));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 1, l), sh_bits(v[q + 2] - v[q]));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 2, l), sh_bits(v[q + row + 1] - v[q + row]));
		VT_CHECK_EQ_U64(sh_out(&warp, 0, 3, l), sh_bits(-v[q + col + 2] + v[q + col]));
	}
	vgpu_shader_free(s);
}

/* Binaries are checked word by word; each broken rule names the word. */
static void test_loader_rejects_bad_binaries(void)
{
	static const struct {
		unsigned word; /* word to replace (or ~0u: patch the header) */
		uint64_t value;
		unsigned hdr_offset;
		const char *message;
		uint64_t next; /* if not 0: the new word 1 */
	} cases[] = {
	        {0, 0x00, 0, "word 0: opcode 0x00 does not exist", 0},
	        {0, 0xff, 0, "word 0: opcode 0xff does not exist", 0},
	        {0, (uint64_t)VGPU_OP_MOV | 1ull << 8 | 1ull << 45, 0, "word 0: mov: reserved bit 45 is set",
	         0},
	        {0, (uint64_t)VGPU_OP_MOV | 9ull << 8, 0, "word 0: destination register r9 is out of range",
	         0},
	        {0, (uint64_t)VGPU_OP_IADD | 1ull << 8 | 1ull << 37, 0,
	         "source 0 cannot take neg/abs modifiers", 0},
	        {0, (uint64_t)VGPU_OP_IADD | 1ull << 8 | 1ull << 15, 0, "iadd does not produce a float", 0},
	        {0, (uint64_t)VGPU_OP_FSQRT | 1ull << 8 | 2ull << 23, 0, "unused source field 1 is r2", 0},
	        {0, (uint64_t)VGPU_OP_ELSE, 0, "word 0: else without a matching if", 0},
	        {0, (uint64_t)VGPU_OP_BREAK, 0, "word 0: break outside a loop", 0},
	        {0, (uint64_t)VGPU_OP_END, 0, "word 0: end must be the last instruction", 0},
	        {1, (uint64_t)VGPU_OP_NOT | 1ull << 8, 0, "word 1: the program must finish with an end", 0},
	        {0, (uint64_t)VGPU_OP_MOV_SR | 1ull << 8 | 3ull << 46, 0,
	         "special register 3 is not available", 0},
	        {0, (uint64_t)VGPU_OP_MOV | 1ull << 8 | 1ull << 43, 0,
	         "word 1: immediate word has non-zero upper", 1ull << 32},
	        {0, (uint64_t)VGPU_OP_MOV | 1ull << 8 | 1ull << 43, 0,
	         "word 0: the program must finish with an end", VGPU_OP_END},
	        {~0u, 0x12345678, 0, "header: bad magic 0x12345678", 0},
	        {~0u, 2, 4, "header: version 2 is not supported", 0},
	        {~0u, 2, 6, "header: stage 2 does not exist", 0},
	        {~0u, 0, 7, "header: register count 0 is outside 1..128", 0},
	        {~0u, 200, 7, "header: register count 200 is outside 1..128", 0},
	        {~0u, 1, 8, "header: input mask 0x1 does not match", 0},
	        {~0u, 3, 16, "header: size 40 bytes does not match the header's 3 words (48 bytes)", 0},
	};
	for (size_t i = 0; i < VT_COUNT(cases); i++) {
		unsigned char bin[VGPU_ISA_HEADER_SIZE + 16] = {0};
		char error[VGPU_SHADER_ERROR_SIZE] = "";
		struct vgpu_shader *s;

		vgpu_isa_put32(bin + VGPU_ISA_HDR_MAGIC, VGPU_ISA_MAGIC);
		bin[VGPU_ISA_HDR_VERSION] = VGPU_ISA_VERSION;
		bin[VGPU_ISA_HDR_STAGE] = VGPU_ISA_STAGE_VERTEX;
		bin[VGPU_ISA_HDR_REGS] = 4;
		vgpu_isa_put32(bin + VGPU_ISA_HDR_WORDS, 2);
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE, (uint64_t)VGPU_OP_MOV | 1ull << 8);
		vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8, VGPU_OP_END);
		if (cases[i].word == ~0u) {
			if (cases[i].hdr_offset == VGPU_ISA_HDR_MAGIC ||
			    cases[i].hdr_offset >= VGPU_ISA_HDR_INPUTS)
				vgpu_isa_put32(bin + cases[i].hdr_offset, (uint32_t)cases[i].value);
			else
				bin[cases[i].hdr_offset] = (unsigned char)cases[i].value;
		} else {
			vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + cases[i].word * 8, cases[i].value);
		}
		if (cases[i].next)
			vgpu_isa_put64(bin + VGPU_ISA_HEADER_SIZE + 8, cases[i].next);
		s = vgpu_shader_load(bin, sizeof(bin), error, NULL);
		VT_CHECK(s == NULL);
		if (!strstr(error, cases[i].message))
			vt_fail(__FILE__, __LINE__, "case %zu: error '%s' lacks '%s'", i, error,
			        cases[i].message);
		vgpu_shader_free(s);
	}
}

struct thread_job {
	struct vgpu_shader *shader;
	uint32_t base;
	int mismatches;
};

static void *run_many(void *arg)
{
	struct thread_job *job = arg;
	struct vgpu_shader_warp *w = malloc(sizeof(*w));
	struct sh_env env;

	sh_env_init(&env, 1000);
	for (uint32_t iter = 0; iter < 2000; iter++) {
		sh_warp_init(w);
		for (unsigned l = 0; l < 16; l++)
			w->vertex_id[l] = job->base + iter * 16 + l;
		vgpu_shader_run(job->shader, w, &env.env);
		for (unsigned l = 0; l < 16; l++)
			job->mismatches +=
			        sh_out(w, VGPU_ISA_OUT_VARYING0, 0, l) != (job->base + iter * 16 + l) * 3;
	}
	free(w);
	return NULL;
}

/* One loaded shader, warps on two threads at once. */
static void test_concurrent_warps_share_a_shader(void)
{
	struct vgpu_shader *s = sh_load(".stage vertex\n mov r0, sr.vertexid\n imul r1, r0, 3\n"
	                                " st.out var0.x, r1\n end\n");
	struct thread_job jobs[2] = {{s, 0, 0}, {s, 1u << 20, 0}};
	pthread_t threads[2];

	if (!s)
		return;
	for (int i = 0; i < 2; i++)
		VT_CHECK(pthread_create(&threads[i], NULL, run_many, &jobs[i]) == 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		VT_CHECK_EQ_INT(jobs[i].mismatches, 0);
	}
	vgpu_shader_free(s);
}

static const struct vt_case cases[] = {
        VT_CASE(test_nested_if_else),
        VT_CASE(test_loops_with_lane_dependent_trip_counts),
        VT_CASE(test_break_inside_if_stays_off_until_endloop),
        VT_CASE(test_uniform_branch_skips_the_untaken_side),
        VT_CASE(test_budget_ends_an_endless_loop),
        VT_CASE(test_nesting_deeper_than_16_is_rejected_at_load),
        VT_CASE(test_discard),
        VT_CASE(test_derivatives),
        VT_CASE(test_loader_rejects_bad_binaries),
        VT_CASE(test_concurrent_warps_share_a_shader),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
