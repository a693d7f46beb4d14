/* Random structured programs (nested if/else, loops with data-dependent trip counts, conditional break,
 * continue and discard) run on the SIMT core and, lane by lane, on a plain sequential interpreter of the
 * same program tree. The core's masks, reconvergence and skipping must give each lane exactly the result it
 * would get running alone. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shader_harness.h"
#include "vgpu_test.h"

#define MAX_STMTS 4
#define MAX_DEPTH 5
#define COND_REG  15 /* and-result a condition tests */
#define COUNTER0  16 /* loop counter at loop depth d: r16 + d */
#define LIMIT0    20 /* loop limit scratch at loop depth d: r20 + d */

enum kind { S_ALU, S_IF, S_LOOP, S_BREAK, S_CONTINUE, S_DISCARD };

struct block;

struct stmt {
	enum kind kind;
	unsigned op, d, a, b, loop_depth;
	uint32_t k;
	struct block *then, *otherwise; /* S_IF (otherwise may be NULL); S_LOOP body in then */
};

struct block {
	struct stmt s[MAX_STMTS];
	unsigned n;
};

static struct block pool[512];
static unsigned pool_used;
static uint32_t rng;

static uint32_t next(unsigned bound)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % bound;
}

static const uint32_t masks[] = {1, 2, 4, 8, 3, 5, 6, 9, 0x10, 0x55, 0xffffffff};

static struct block *generate(unsigned depth, int loop_depth)
{
	struct block *b = &pool[pool_used++];
	b->n = 1 + next(MAX_STMTS);
	for (unsigned i = 0; i < b->n; i++) {
		struct stmt *s = &b->s[i];
		unsigned choice = next(depth < MAX_DEPTH && pool_used < 500 ? 10 : 6);
		memset(s, 0, sizeof(*s));
		s->a = next(8);
		s->k = masks[next(sizeof(masks) / sizeof(masks[0]))];
		s->loop_depth = (unsigned)loop_depth;
		if (choice < 3 || (choice >= 3 && choice < 6 && loop_depth < 0 && choice != 5)) {
			s->kind = S_ALU;
			s->op = next(4);
			s->d = 1 + next(7);
			s->b = next(8);
			s->k = s->op == 3 ? next(32) : s->op == 2 ? 2 * next(1000) + 1 : next(100000);
		} else if (choice < 5) {
			s->kind = choice == 3 ? S_BREAK : S_CONTINUE;
		} else if (choice == 5) {
			s->kind = S_DISCARD;
			s->k = next(4) ? 0x40000000 : 0x11; /* mostly rare: keep some lanes alive */
		} else if (choice < 8 || loop_depth >= 2) {
			s->kind = S_IF;
			s->then = generate(depth + 1, loop_depth);
			s->otherwise = next(2) ? generate(depth + 1, loop_depth) : NULL;
		} else {
			s->kind = S_LOOP;
			s->loop_depth = (unsigned)(loop_depth + 1);
			s->then = generate(depth + 1, loop_depth + 1);
		}
	}
	return b;
}

/* ---- assembly ---- */

struct text {
	char buf[65536];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t->len += (size_t)vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
}

static void emit_block(struct text *t, const struct block *b)
{
	static const char *const alu[] = {"iadd", "xor", "imul", "ushr"};
	for (unsigned i = 0; i < b->n; i++) {
		const struct stmt *s = &b->s[i];
		unsigned c = COUNTER0 + s->loop_depth, lim = LIMIT0 + s->loop_depth;
		switch (s->kind) {
		case S_ALU:
			if (s->op == 1)
				emit(t, " xor r%u, r%u, r%u\n", s->d, s->a, s->b);
			else
				emit(t, " %s r%u, r%u, %u\n", alu[s->op], s->d, s->a, s->k);
			break;
		case S_IF:
			emit(t, " and r%u, r%u, %u\n if r%u\n", COND_REG, s->a, s->k, COND_REG);
			emit_block(t, s->then);
			if (s->otherwise) {
				emit(t, " else\n");
				emit_block(t, s->otherwise);
			}
			emit(t, " endif\n");
			break;
		case S_LOOP:
			emit(t,
			     " mov r%u, 0\n loop\n iadd r%u, r%u, 1\n and r%u, r%u, 3\n iadd r%u, r%u, 1\n",
			     c, c, c, lim, s->a, lim, lim);
			emit(t, " ult r%u, r%u, r%u\n breakc r%u\n", lim, lim, c, lim);
			emit_block(t, s->then);
			emit(t, " endloop\n");
			break;
		case S_BREAK:
		case S_CONTINUE:
		case S_DISCARD:
			emit(t, " and r%u, r%u, %u\n %s r%u\n", COND_REG, s->a, s->k,
			     s->kind == S_BREAK      ? "breakc"
			     : s->kind == S_CONTINUE ? "continuec"
			                             : "discardc",
			     COND_REG);
			break;
		}
	}
}

/* ---- the per-lane reference: ordinary sequential execution ---- */

enum outcome { NORMAL, BROKE, CONTINUED, KILLED };

static enum outcome run_block(uint32_t *r, const struct block *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct stmt *s = &b->s[i];
		unsigned c = COUNTER0 + s->loop_depth, lim = LIMIT0 + s->loop_depth;
		enum outcome o = NORMAL;
		switch (s->kind) {
		case S_ALU:
			r[s->d] = s->op == 0   ? r[s->a] + s->k
			          : s->op == 1 ? r[s->a] ^ r[s->b]
			          : s->op == 2 ? r[s->a] * s->k
			                       : r[s->a] >> s->k;
			break;
		case S_IF:
			r[COND_REG] = r[s->a] & s->k;
			if (r[COND_REG])
				o = run_block(r, s->then);
			else if (s->otherwise)
				o = run_block(r, s->otherwise);
			break;
		case S_LOOP:
			r[c] = 0;
			for (;;) {
				enum outcome body;
				r[c]++;
				r[lim] = (r[s->a] & 3) + 1;
				r[lim] = r[lim] < r[c] ? 0xffffffffu : 0;
				if (r[lim])
					break;
				body = run_block(r, s->then);
				if (body == KILLED)
					return KILLED;
				if (body == BROKE)
					break;
			}
			break;
		case S_BREAK:
		case S_CONTINUE:
		case S_DISCARD:
			r[COND_REG] = r[s->a] & s->k;
			if (r[COND_REG])
				o = s->kind == S_BREAK ? BROKE : s->kind == S_CONTINUE ? CONTINUED : KILLED;
			break;
		}
		if (o != NORMAL)
			return o;
	}
	return NORMAL;
}

static uint32_t initial(unsigned reg, unsigned lane)
{
	return reg == 0 ? lane : lane * (2 * reg + 1) + reg;
}

static void test_random_programs_match_sequential_lanes(void)
{
	static struct vgpu_shader_warp w;
	unsigned failures = 0;

	rng = 2024;
	for (unsigned program = 0; program < 400 && failures < 3; program++) {
		static struct text t;
		struct vgpu_shader *shader;
		struct block *body;
		struct sh_env env;
		uint32_t lane_mask = program % 3 ? 0xffff : (0xffff & (next(0x10000) | 1));

		pool_used = 0;
		body = generate(0, -1);
		t.len = 0;
		emit(&t, ".stage fragment\n.regs 24\n mov r0, sr.laneid\n");
		for (unsigned reg = 1; reg < 8; reg++)
			emit(&t, " imul r%u, r0, %u\n iadd r%u, r%u, %u\n", reg, 2 * reg + 1, reg, reg, reg);
		emit_block(&t, body);
		for (unsigned reg = 1; reg < 8; reg++)
			emit(&t, " st.out color%u.%c, r%u\n", (reg - 1) / 4, "xyzw"[(reg - 1) % 4], reg);
		emit(&t, " end\n");
		shader = sh_load(t.buf);
		if (!shader) {
			failures++;
			continue;
		}
		sh_env_init(&env, 1u << 24);
		sh_warp_init(&w);
		w.lane_mask = lane_mask;
		VT_CHECK_EQ_INT(vgpu_shader_run(shader, &w, &env.env), VGPU_SHADER_FAULT_NONE);
		for (unsigned lane = 0; lane < 16; lane++) {
			uint32_t r[32] = {0};
			int runs = (lane_mask >> lane) & 1;
			enum outcome o;
			for (unsigned reg = 0; reg < 8; reg++)
				r[reg] = initial(reg, lane);
			o = runs ? run_block(r, body) : KILLED;
			if (((w.kill_mask >> lane) & 1) != (runs && o == KILLED)) {
				vt_fail(__FILE__, __LINE__, "program %u lane %u: kill bit %u", program, lane,
				        (w.kill_mask >> lane) & 1);
				failures++;
			}
			for (unsigned reg = 1; reg < 8; reg++) {
				uint32_t want = o == KILLED ? 0 : r[reg];
				uint32_t got = sh_out(&w, (reg - 1) / 4, (reg - 1) % 4, lane);
				if (got != want) {
					vt_fail(__FILE__, __LINE__,
					        "program %u lane %u r%u = 0x%x, sequential 0x%x", program,
					        lane, reg, got, want);
					failures++;
					break;
				}
			}
		}
		if (failures)
			printf("# failing program:\n%s", t.buf);
		vgpu_shader_free(shader);
	}
}

static const struct vt_case cases[] = {
        VT_CASE(test_random_programs_match_sequential_lanes),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
