/* Running a loaded shader on one warp: SIMT over 16 lanes with an execution mask and a control-flow mask
 * stack (docs/isa.md, "Control flow"). Instructions were validated at load time, so nothing here can index
 * out of range; the only ways to stop early are the instruction budget and callback faults. */
#include <stdbool.h>
#include <string.h>

#include "alu.h"
#include "decoded.h"

#define LANES     VGPU_ISA_LANES
#define ALL_LANES 0xffffu

struct cf_entry {
	uint32_t saved;   /* lanes active when the if/loop began */
	uint32_t pending; /* if: lanes that take the else side */
	uint32_t brk;     /* loop: lanes that left with break */
	uint32_t cont;    /* loop: lanes waiting for the next iteration after continue */
	uint32_t resume;  /* where to go when no lane is left on this side: else, endif or endloop */
	int outer_loop;   /* stack index of the enclosing loop, -1 for none */
};

struct run_state {
	uint32_t exec;   /* lanes that execute the current instruction */
	uint32_t killed; /* lanes that executed discard */
	uint32_t lane_bits[LANES];
	struct cf_entry stack[VGPU_ISA_MAX_DEPTH];
	int sp;   /* entries in use */
	int loop; /* stack index of the innermost loop, -1 for none */
};

static void set_exec(struct run_state *st, uint32_t mask)
{
	st->exec = mask;
	if (mask == ALL_LANES) { /* the usual case, without the per-lane shifts SSE2 cannot vectorise */
		memset(st->lane_bits, 0xff, sizeof(st->lane_bits));
		return;
	}
	for (unsigned l = 0; l < LANES; l++)
		st->lane_bits[l] = 0u - ((mask >> l) & 1u);
}

/* Lanes that must stay off until their if/loop closes: discarded ones, and those of the innermost loop that
 * took break or continue. */
static uint32_t parked_lanes(const struct run_state *st)
{
	uint32_t parked = st->killed;
	if (st->loop >= 0)
		parked |= st->stack[st->loop].brk | st->stack[st->loop].cont;
	return parked;
}

/* The innermost open if/loop (the bottom entry when none is open: the loader only lets the closing
 * instructions that use it run inside one). */
static struct cf_entry *innermost(struct run_state *st)
{
	return &st->stack[st->sp ? st->sp - 1 : 0];
}

static uint32_t true_lanes(const uint32_t *row, uint32_t exec)
{
	uint32_t mask = 0;
	for (unsigned l = 0; l < LANES; l++)
		mask |= (uint32_t)(row[l] != 0) << l;
	return mask & exec;
}

static inline void write_row(uint32_t *restrict dst, const uint32_t *restrict t, const struct run_state *st)
{
	if (st->exec == ALL_LANES) {
		memcpy(dst, t, LANES * sizeof(*t));
		return;
	}
	for (unsigned l = 0; l < LANES; l++)
		dst[l] = (t[l] & st->lane_bits[l]) | (dst[l] & ~st->lane_bits[l]);
}

static const uint32_t *source_row(const struct shader_inst *in, struct vgpu_shader_warp *w, unsigned i)
{
	return w->reg.u[in->src[i]]; /* an immediate source names SHADER_IMM_ROW */
}

/* 2x2 quad derivatives; `fine` differences within each row/column, coarse uses the top row/left column.
 * Lanes of a quad: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
static void derivative(const uint32_t *v, uint32_t keep, uint32_t flip, bool vertical, bool fine,
                       uint32_t t[LANES])
{
	for (unsigned q = 0; q < LANES; q += 4) {
		float tl = alu_f((v[q] & keep) ^ flip), tr = alu_f((v[q + 1] & keep) ^ flip);
		float bl = alu_f((v[q + 2] & keep) ^ flip), br = alu_f((v[q + 3] & keep) ^ flip);
		uint32_t first, second; /* the top row's (left column's) difference, the other one's */
		if (vertical)
			first = canon(bl - tl), second = fine ? canon(br - tr) : first;
		else
			first = canon(tr - tl), second = fine ? canon(br - bl) : first;
		t[q] = first;
		t[q + 1] = vertical ? second : first;
		t[q + 2] = vertical ? first : second;
		t[q + 3] = second;
	}
}

/* restrict: the loop vectorises whether or not it is inlined */
static void interpolate(const struct vgpu_shader_warp *w, const struct shader_inst *in,
                        uint32_t t[restrict LANES])
{
	const float *v = w->varying[in->slot][in->comp];
	const float(*bary)[LANES] = in->mode == VGPU_ISA_INTERP_SMOOTH ? w->bary_persp : w->bary_linear;

	if (in->mode == VGPU_ISA_INTERP_FLAT) {
		uint32_t value = alu_u(v[w->provoking_vertex < 3 ? w->provoking_vertex : 0]);
		for (unsigned l = 0; l < LANES; l++)
			t[l] = value;
		return;
	}
	for (unsigned l = 0; l < LANES; l++) {
		float b1 = bary[0][l] * (v[1] - v[0]);
		float b2 = bary[1][l] * (v[2] - v[0]);
		t[l] = canon(v[0] + b1 + b2);
	}
}

static uint32_t special_value(const struct vgpu_shader_warp *w, unsigned sr, unsigned lane)
{
	switch (sr) {
	case VGPU_ISA_SR_LANEID:
		return lane;
	case VGPU_ISA_SR_VERTEXID:
		return w->vertex_id[lane];
	case VGPU_ISA_SR_INSTANCEID:
		return w->instance_id[lane];
	case VGPU_ISA_SR_FRONTFACING:
		return alu_bool(w->front_facing != 0);
	default:
		return alu_u(w->frag_coord[sr - VGPU_ISA_SR_FRAGCOORD_X][lane]);
	}
}

/* A callback's float results as register values (every NaN canonical). restrict: the loop vectorises
 * whether or not it is inlined. */
static void canon_row(uint32_t t[restrict LANES], const float v[restrict LANES])
{
	for (unsigned l = 0; l < LANES; l++)
		t[l] = canon(v[l]);
}

static bool sample(struct vgpu_shader_warp *w, const struct vgpu_shader_env *env,
                   const struct shader_inst *in, const struct run_state *st)
{
	struct vgpu_shader_tex_request req;
	float out[4][LANES];
	unsigned coords = (in->cube ? 3u : 2u) + in->shadow, derived = in->cube ? 3u : 2u;
	bool derive = in->mode != VGPU_ISA_TEX_LOD && !(env->lod_free_samplers >> in->sampler & 1);
	uint32_t t[LANES];

	/* Each row written once, unused ones zero (cheaper than clearing the whole request first). */
	req.texture = in->slot;
	req.sampler = in->sampler;
	req.mode = (enum vgpu_isa_tex_mode)in->mode;
	req.cube = in->cube;
	req.shadow = in->shadow;
	req.mask = st->exec;
	for (unsigned c = 0; c < 4; c++) {
		if (c < coords)
			memcpy(req.coord[c], w->reg.f[in->src[0] + c], sizeof(req.coord[c]));
		else
			memset(req.coord[c], 0, sizeof(req.coord[c]));
	}
	if (in->mode != VGPU_ISA_TEX_IMPLICIT)
		memcpy(req.lod_or_bias, source_row(in, w, 1), sizeof(req.lod_or_bias));
	else
		memset(req.lod_or_bias, 0, sizeof(req.lod_or_bias));
	for (unsigned c = 0; c < 3; c++) {
		if (!derive || c >= derived) {
			memset(req.ddx[c], 0, sizeof(req.ddx[c]));
			memset(req.ddy[c], 0, sizeof(req.ddy[c]));
			continue;
		}
		derivative(w->reg.u[in->src[0] + c], ALU_TRUE, 0, false, false, t);
		memcpy(req.ddx[c], t, sizeof(t));
		derivative(w->reg.u[in->src[0] + c], ALU_TRUE, 0, true, false, t);
		memcpy(req.ddy[c], t, sizeof(t));
	}
	/* With every lane running, the results go straight to the four destination registers (a fault ends
	 * the run, so partly written registers are never read). */
	bool direct = st->exec == ALL_LANES;
	float(*result)[LANES] = direct ? &w->reg.f[in->dst] : out;
	if (!direct)
		memset(out, 0, sizeof(out));
	w->fault_detail = env->texture_sample ? env->texture_sample(env->ctx, &req, result) : 1;
	if (w->fault_detail)
		return false;
	for (unsigned c = 0; c < 4; c++) {
		canon_row(t, result[c]);
		if (direct)
			memcpy(w->reg.u[in->dst + c], t, sizeof(t));
		else
			write_row(w->reg.u[in->dst + c], t, st);
	}
	return true;
}

static bool load_uniform(struct vgpu_shader_warp *w, const struct vgpu_shader_env *env,
                         const struct shader_inst *in, const struct run_state *st)
{
	const uint32_t *base = source_row(in, w, 0);
	uint32_t addr[LANES], t[LANES];

	for (unsigned l = 0; l < LANES; l++) {
		addr[l] = (base[l] + in->offset) & ~3u;
		t[l] = 0;
	}
	w->fault_detail = env->ubo_load ? env->ubo_load(env->ctx, in->slot, addr, st->exec, t) : 1;
	if (w->fault_detail)
		return false;
	write_row(w->reg.u[in->dst], t, st);
	return true;
}

static void store_output(struct vgpu_shader_warp *w, const struct shader_inst *in, const struct run_state *st)
{
	const uint32_t *a = source_row(in, w, 0);
	float *out = w->out[in->slot][in->comp];

	if (st->exec == ALL_LANES) {
		memcpy(out, a, LANES * sizeof(*a));
		return;
	}
	float merged[LANES]; /* built apart, so the loop vectorises whether or not out and a alias */
	for (unsigned l = 0; l < LANES; l++)
		merged[l] = alu_f((a[l] & st->lane_bits[l]) | (alu_u(out[l]) & ~st->lane_bits[l]));
	memcpy(out, merged, sizeof(merged));
}

static void reset_warp(const struct vgpu_shader *s, struct vgpu_shader_warp *w)
{
	/* row by row: fixed-size clears compile to a few vector stores, a variable-size memset to a string
	 * instruction with a long start-up */
	for (unsigned r = 0; r < s->regs; r++)
		memset(w->reg.u[r], 0, sizeof(w->reg.u[r]));
	for (uint32_t slots = s->outputs; slots; slots &= slots - 1)
		for (unsigned c = 0; c < 4; c++)
			memset(w->out[__builtin_ctz(slots)][c], 0, sizeof(w->out[0][c]));
	w->kill_mask = 0;
	w->fault = VGPU_SHADER_FAULT_NONE;
	w->fault_pc = 0;
	w->fault_detail = 0;
	w->issued = 0;
}

/* One ALU instruction over all lanes: x, y, z are the sources with their modifiers applied. Unused sources
 * cost nothing (the compiler drops them), and the loop vectorises. */
#define ALU_LOOP(expr)                                                                                       \
	do {                                                                                                 \
		const uint32_t *a = w->reg.u[in->src[0]], *b = w->reg.u[in->src[1]],                         \
		               *c = w->reg.u[in->src[2]];                                                    \
		const uint32_t k0 = in->keep[0], k1 = in->keep[1], k2 = in->keep[2];                         \
		const uint32_t f0 = in->flip[0], f1 = in->flip[1], f2 = in->flip[2];                         \
		for (unsigned l = 0; l < LANES; l++) {                                                       \
			uint32_t x = (a[l] & k0) ^ f0, y = (b[l] & k1) ^ f1, z = (c[l] & k2) ^ f2;           \
			(void)y;                                                                             \
			(void)z;                                                                             \
			t[l] = (expr);                                                                       \
		}                                                                                            \
	} while (0)

enum vgpu_shader_fault vgpu_shader_run(const struct vgpu_shader *s, struct vgpu_shader_warp *w,
                                       const struct vgpu_shader_env *env)
{
	struct run_state st;
	uint32_t t[LANES];
	uint32_t pc = 0;

	reset_warp(s, w);
	if (!(w->lane_mask & ALL_LANES))
		return VGPU_SHADER_FAULT_NONE;
	st.killed = 0;
	st.sp = 0;
	st.loop = -1;
	set_exec(&st, w->lane_mask & ALL_LANES);

	for (;;) {
		const struct shader_inst *in = &s->inst[pc];

		if (w->issued >= env->budget) {
			w->fault = VGPU_SHADER_FAULT_BUDGET;
			w->fault_pc = in->word;
			return w->fault;
		}
		w->issued++;
		if (in->has_imm)
			for (unsigned l = 0; l < LANES; l++)
				w->reg.u[SHADER_IMM_ROW][l] = in->imm;

		switch ((enum vgpu_isa_opcode)in->op) {
		case VGPU_OP_END:
			w->kill_mask = st.killed;
			return VGPU_SHADER_FAULT_NONE;
		case VGPU_OP_IF: {
			uint32_t taken = true_lanes(source_row(in, w, 0), st.exec);
			st.stack[st.sp++] = (struct cf_entry){.saved = st.exec,
			                                      .pending = st.exec & ~taken,
			                                      .resume = in->target,
			                                      .outer_loop = st.loop};
			set_exec(&st, taken);
			goto mask_changed;
		}
		case VGPU_OP_ELSE: {
			struct cf_entry *top = innermost(&st);
			top->resume = in->target;
			set_exec(&st, top->pending & ~parked_lanes(&st));
			goto mask_changed;
		}
		case VGPU_OP_ENDIF: {
			struct cf_entry *top = innermost(&st);
			st.sp--;
			set_exec(&st, top->saved & ~parked_lanes(&st));
			goto mask_changed;
		}
		case VGPU_OP_LOOP:
			st.stack[st.sp] = (struct cf_entry){
			        .saved = st.exec, .resume = in->target, .outer_loop = st.loop};
			st.loop = st.sp++;
			goto mask_changed;
		case VGPU_OP_ENDLOOP: {
			struct cf_entry *top = innermost(&st);
			uint32_t again = (st.exec | top->cont) & ~st.killed;
			if (again) {
				top->cont = 0;
				set_exec(&st, again);
				pc = in->target + 1;
				continue;
			}
			st.loop = top->outer_loop;
			st.sp--;
			set_exec(&st, top->saved & ~st.killed);
			goto mask_changed;
		}
		case VGPU_OP_BREAK:
		case VGPU_OP_BREAKC:
		case VGPU_OP_CONTINUE:
		case VGPU_OP_CONTINUEC: {
			struct cf_entry *loop = &st.stack[st.loop];
			bool conditional = in->op == VGPU_OP_BREAKC || in->op == VGPU_OP_CONTINUEC;
			uint32_t leaving = conditional ? true_lanes(source_row(in, w, 0), st.exec) : st.exec;
			if (in->op == VGPU_OP_BREAK || in->op == VGPU_OP_BREAKC)
				loop->brk |= leaving;
			else
				loop->cont |= leaving;
			set_exec(&st, st.exec & ~leaving);
			goto mask_changed;
		}
		case VGPU_OP_DISCARD:
		case VGPU_OP_DISCARDC: {
			uint32_t dying = in->op == VGPU_OP_DISCARDC
			                         ? true_lanes(source_row(in, w, 0), st.exec)
			                         : st.exec;
			st.killed |= dying;
			set_exec(&st, st.exec & ~dying);
			if (!(w->lane_mask & ALL_LANES & ~st.killed)) {
				w->kill_mask = st.killed;
				return VGPU_SHADER_FAULT_NONE;
			}
			goto mask_changed;
		}
		case VGPU_OP_LD_IN:
			memcpy(t, w->attrib[in->slot][in->comp], sizeof(t));
			goto write;
		case VGPU_OP_LD_VAR:
			interpolate(w, in, t);
			goto write;
		case VGPU_OP_ST_OUT:
			store_output(w, in, &st);
			break;
		case VGPU_OP_MOV_SR:
			for (unsigned l = 0; l < LANES; l++)
				t[l] = special_value(w, in->slot, l);
			goto write;
		case VGPU_OP_LD_UBO:
			if (!load_uniform(w, env, in, &st)) {
				w->fault = VGPU_SHADER_FAULT_UBO;
				w->fault_pc = in->word;
				return w->fault;
			}
			break;
		case VGPU_OP_TEX:
			if (!sample(w, env, in, &st)) {
				w->fault = VGPU_SHADER_FAULT_TEXTURE;
				w->fault_pc = in->word;
				return w->fault;
			}
			break;
		case VGPU_OP_MOV:
			ALU_LOOP(x);
			goto write;
		case VGPU_OP_SEL:
			ALU_LOOP(x ? y : z);
			goto write;
		case VGPU_OP_FADD:
			ALU_LOOP(op_fadd(x, y));
			goto write;
		case VGPU_OP_FMUL:
			ALU_LOOP(op_fmul(x, y));
			goto write;
		case VGPU_OP_FFMA:
			ALU_LOOP(op_ffma(x, y, z));
			goto write;
		case VGPU_OP_FMIN:
			ALU_LOOP(op_fmin(x, y));
			goto write;
		case VGPU_OP_FMAX:
			ALU_LOOP(op_fmax(x, y));
			goto write;
		case VGPU_OP_FFLOOR:
			ALU_LOOP(op_ffloor(x));
			goto write;
		case VGPU_OP_FCEIL:
			ALU_LOOP(op_fceil(x));
			goto write;
		case VGPU_OP_FTRUNC:
			ALU_LOOP(op_ftrunc(x));
			goto write;
		case VGPU_OP_FFRACT:
			ALU_LOOP(op_ffract(x));
			goto write;
		case VGPU_OP_FROUND:
			ALU_LOOP(op_fround(x));
			goto write;
		case VGPU_OP_FSQRT:
			ALU_LOOP(op_fsqrt(x));
			goto write;
		case VGPU_OP_FRSQ:
			ALU_LOOP(op_frsq(x));
			goto write;
		case VGPU_OP_FRCP:
			ALU_LOOP(op_frcp(x));
			goto write;
		case VGPU_OP_FEXP2:
			ALU_LOOP(op_fexp2(x));
			goto write;
		case VGPU_OP_FLOG2:
			ALU_LOOP(op_flog2(x));
			goto write;
		case VGPU_OP_FSIN:
			ALU_LOOP(op_fsin(x));
			goto write;
		case VGPU_OP_FCOS:
			ALU_LOOP(op_fcos(x));
			goto write;
		case VGPU_OP_FSIGN:
			ALU_LOOP(op_fsign(x));
			goto write;
		case VGPU_OP_IADD:
			ALU_LOOP(x + y);
			goto write;
		case VGPU_OP_ISUB:
			ALU_LOOP(x - y);
			goto write;
		case VGPU_OP_IMUL:
			ALU_LOOP(x * y);
			goto write;
		case VGPU_OP_IMULHI:
			ALU_LOOP(op_imulhi(x, y));
			goto write;
		case VGPU_OP_UMULHI:
			ALU_LOOP(op_umulhi(x, y));
			goto write;
		case VGPU_OP_IDIV:
			ALU_LOOP(op_idiv(x, y));
			goto write;
		case VGPU_OP_UDIV:
			ALU_LOOP(op_udiv(x, y));
			goto write;
		case VGPU_OP_IREM:
			ALU_LOOP(op_irem(x, y));
			goto write;
		case VGPU_OP_IMOD:
			ALU_LOOP(op_imod(x, y));
			goto write;
		case VGPU_OP_UMOD:
			ALU_LOOP(op_umod(x, y));
			goto write;
		case VGPU_OP_INEG:
			ALU_LOOP(0u - x);
			goto write;
		case VGPU_OP_IABS:
			ALU_LOOP(op_iabs(x));
			goto write;
		case VGPU_OP_IMIN:
			ALU_LOOP(op_imin(x, y));
			goto write;
		case VGPU_OP_IMAX:
			ALU_LOOP(op_imax(x, y));
			goto write;
		case VGPU_OP_UMIN:
			ALU_LOOP(op_umin(x, y));
			goto write;
		case VGPU_OP_UMAX:
			ALU_LOOP(op_umax(x, y));
			goto write;
		case VGPU_OP_ISHL:
			ALU_LOOP(op_ishl(x, y));
			goto write;
		case VGPU_OP_ISHR:
			ALU_LOOP(op_ishr(x, y));
			goto write;
		case VGPU_OP_USHR:
			ALU_LOOP(op_ushr(x, y));
			goto write;
		case VGPU_OP_AND:
			ALU_LOOP(x & y);
			goto write;
		case VGPU_OP_OR:
			ALU_LOOP(x | y);
			goto write;
		case VGPU_OP_XOR:
			ALU_LOOP(x ^ y);
			goto write;
		case VGPU_OP_NOT:
			ALU_LOOP(~x);
			goto write;
		case VGPU_OP_F2I:
			ALU_LOOP(op_f2i(x));
			goto write;
		case VGPU_OP_F2U:
			ALU_LOOP(op_f2u(x));
			goto write;
		case VGPU_OP_I2F:
			ALU_LOOP(op_i2f(x));
			goto write;
		case VGPU_OP_U2F:
			ALU_LOOP(op_u2f(x));
			goto write;
		case VGPU_OP_FEQ:
			ALU_LOOP(alu_bool(alu_f(x) == alu_f(y)));
			goto write;
		case VGPU_OP_FNE:
			ALU_LOOP(alu_bool(!(alu_f(x) == alu_f(y))));
			goto write;
		case VGPU_OP_FLT:
			ALU_LOOP(alu_bool(alu_f(x) < alu_f(y)));
			goto write;
		case VGPU_OP_FGE:
			ALU_LOOP(alu_bool(alu_f(x) >= alu_f(y)));
			goto write;
		case VGPU_OP_IEQ:
			ALU_LOOP(alu_bool(x == y));
			goto write;
		case VGPU_OP_INE:
			ALU_LOOP(alu_bool(x != y));
			goto write;
		case VGPU_OP_ILT:
			ALU_LOOP(alu_bool((int32_t)x < (int32_t)y));
			goto write;
		case VGPU_OP_IGE:
			ALU_LOOP(alu_bool((int32_t)x >= (int32_t)y));
			goto write;
		case VGPU_OP_ULT:
			ALU_LOOP(alu_bool(x < y));
			goto write;
		case VGPU_OP_UGE:
			ALU_LOOP(alu_bool(x >= y));
			goto write;
		case VGPU_OP_DDX:
		case VGPU_OP_DDY:
		case VGPU_OP_DDX_FINE:
		case VGPU_OP_DDY_FINE:
			derivative(source_row(in, w, 0), in->keep[0], in->flip[0],
			           in->op == VGPU_OP_DDY || in->op == VGPU_OP_DDY_FINE,
			           in->op == VGPU_OP_DDX_FINE || in->op == VGPU_OP_DDY_FINE, t);
			goto write;
		}
		pc++;
		continue;
	mask_changed:
		/* No lane left on this side: go straight to where lanes can come back (docs/isa.md 6). */
		if (!st.exec && st.sp) {
			pc = st.stack[st.sp - 1].resume;
			continue;
		}
		pc++;
		continue;
	write:
		if (in->sat)
			for (unsigned l = 0; l < LANES; l++)
				t[l] = alu_saturate(t[l]);
		write_row(w->reg.u[in->dst], t, &st);
		pc++;
	}
}
