/* Every ALU opcode of the vgpu ISA against reference math written from docs/isa.md ("Arithmetic rules"),
 * over value lists that include NaN, infinities, signed zeros, denormals, overflow and division by zero.
 * The references compute in double precision (or 64-bit integers) and round once to the ISA's result. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "shader_harness.h"
#include "vgpu_test.h"

#define CANONICAL_NAN 0x7fc00000u

typedef uint32_t (*ref_fn)(uint32_t a, uint32_t b, uint32_t c);

static float F(uint32_t u)
{
	return sh_float(u);
}

static uint32_t from_double(double d)
{
	float f = (float)d;
	return isnan(f) ? CANONICAL_NAN : sh_bits(f);
}

static uint32_t from_float(float f)
{
	return isnan(f) ? CANONICAL_NAN : sh_bits(f);
}

static uint32_t boolean(int b)
{
	return b ? 0xffffffffu : 0;
}

static uint32_t ref_mov(uint32_t a, uint32_t b, uint32_t c)
{
	return a;
}
static uint32_t ref_sel(uint32_t a, uint32_t b, uint32_t c)
{
	return a ? b : c;
}
static uint32_t ref_fadd(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double((double)F(a) + (double)F(b));
}
static uint32_t ref_fmul(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double((double)F(a) * (double)F(b));
}
/* Not fused: the product is rounded to float before the add. */
static uint32_t ref_ffma(uint32_t a, uint32_t b, uint32_t c)
{
	float product = (float)((double)F(a) * (double)F(b));
	return from_double((double)product + (double)F(c));
}
static uint32_t min_max(uint32_t a, uint32_t b, int want_max)
{
	double x = F(a), y = F(b);
	if (isnan(x) && isnan(y))
		return CANONICAL_NAN;
	if (isnan(x))
		return b;
	if (isnan(y))
		return a;
	if (x == y) {
		if (x != 0)
			return a;
		/* zeros: min prefers -0, max prefers +0 */
		return (signbit(x) != 0) == !want_max ? a : b;
	}
	return (x > y) == want_max ? a : b;
}
static uint32_t ref_fmin(uint32_t a, uint32_t b, uint32_t c)
{
	return min_max(a, b, 0);
}
static uint32_t ref_fmax(uint32_t a, uint32_t b, uint32_t c)
{
	return min_max(a, b, 1);
}
static uint32_t ref_ffloor(uint32_t a, uint32_t b, uint32_t c)
{
	return from_float(floorf(F(a)));
}
static uint32_t ref_fceil(uint32_t a, uint32_t b, uint32_t c)
{
	return from_float(ceilf(F(a)));
}
static uint32_t ref_ftrunc(uint32_t a, uint32_t b, uint32_t c)
{
	return from_float(truncf(F(a)));
}
static uint32_t ref_ffract(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double((double)F(a) - floor((double)F(a)));
}
static uint32_t ref_fround(uint32_t a, uint32_t b, uint32_t c)
{
	return from_float(rintf(F(a))); /* default rounding mode: to nearest, ties to even */
}
static uint32_t ref_fsqrt(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(sqrt((double)F(a)));
}
static uint32_t ref_frsq(uint32_t a, uint32_t b, uint32_t c)
{
	float root = (float)sqrt((double)F(a));
	return from_double(1.0 / (double)root);
}
static uint32_t ref_frcp(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(1.0 / (double)F(a));
}
static uint32_t ref_fexp2(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(exp2((double)F(a)));
}
static uint32_t ref_flog2(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(log2((double)F(a)));
}
static uint32_t ref_fsin(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(sin((double)F(a)));
}
static uint32_t ref_fcos(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double(cos((double)F(a)));
}
static uint32_t ref_fsign(uint32_t a, uint32_t b, uint32_t c)
{
	double x = F(a);
	if (isnan(x))
		return CANONICAL_NAN;
	return x > 0 ? sh_bits(1.0f) : x < 0 ? sh_bits(-1.0f) : a;
}
static int64_t S(uint32_t u)
{
	return (int32_t)u;
}
static uint32_t wrap(int64_t v)
{
	return (uint32_t)(uint64_t)v;
}
static uint32_t ref_iadd(uint32_t a, uint32_t b, uint32_t c)
{
	return wrap(S(a) + S(b));
}
static uint32_t ref_isub(uint32_t a, uint32_t b, uint32_t c)
{
	return wrap(S(a) - S(b));
}
static uint32_t ref_imul(uint32_t a, uint32_t b, uint32_t c)
{
	return wrap((int64_t)((uint64_t)a * (uint64_t)b));
}
static uint32_t ref_imulhi(uint32_t a, uint32_t b, uint32_t c)
{
	int64_t p = S(a) * S(b);
	return wrap(p < 0 ? -((-p + 0xffffffffll) / 0x100000000ll) : p / 0x100000000ll); /* floor(p / 2^32) */
}
static uint32_t ref_umulhi(uint32_t a, uint32_t b, uint32_t c)
{
	return (uint32_t)(((uint64_t)a * b) / 0x100000000ull);
}
static uint32_t ref_idiv(uint32_t a, uint32_t b, uint32_t c)
{
	return b == 0 ? 0xffffffffu : wrap(S(a) / S(b)); /* INT32_MIN / -1 = 2^31 wraps to INT32_MIN */
}
static uint32_t ref_udiv(uint32_t a, uint32_t b, uint32_t c)
{
	return b == 0 ? 0xffffffffu : a / b;
}
static uint32_t ref_irem(uint32_t a, uint32_t b, uint32_t c)
{
	return b == 0 ? a : wrap(S(a) % S(b));
}
static uint32_t ref_imod(uint32_t a, uint32_t b, uint32_t c)
{
	int64_t q;
	if (b == 0)
		return a;
	q = S(a) / S(b);
	if (q * S(b) != S(a) && ((S(a) < 0) != (S(b) < 0)))
		q--; /* floor division */
	return wrap(S(a) - q * S(b));
}
static uint32_t ref_umod(uint32_t a, uint32_t b, uint32_t c)
{
	return b == 0 ? a : a % b;
}
static uint32_t ref_ineg(uint32_t a, uint32_t b, uint32_t c)
{
	return wrap(-S(a));
}
static uint32_t ref_iabs(uint32_t a, uint32_t b, uint32_t c)
{
	return wrap(S(a) < 0 ? -S(a) : S(a));
}
static uint32_t ref_imin(uint32_t a, uint32_t b, uint32_t c)
{
	return S(a) < S(b) ? a : b;
}
static uint32_t ref_imax(uint32_t a, uint32_t b, uint32_t c)
{
	return S(a) > S(b) ? a : b;
}
static uint32_t ref_umin(uint32_t a, uint32_t b, uint32_t c)
{
	return a < b ? a : b;
}
static uint32_t ref_umax(uint32_t a, uint32_t b, uint32_t c)
{
	return a > b ? a : b;
}
static uint32_t ref_ishl(uint32_t a, uint32_t b, uint32_t c)
{
	return (uint32_t)(((uint64_t)a << (b % 32)) & 0xffffffffu);
}
static uint32_t ref_ishr(uint32_t a, uint32_t b, uint32_t c)
{
	int64_t v = S(a), d = (int64_t)1 << (b % 32);
	return wrap(v >= 0 ? v / d : -((-v + d - 1) / d)); /* floor(v / 2^n) */
}
static uint32_t ref_ushr(uint32_t a, uint32_t b, uint32_t c)
{
	return (uint32_t)((uint64_t)a / ((uint64_t)1 << (b % 32)));
}
static uint32_t ref_and(uint32_t a, uint32_t b, uint32_t c)
{
	return a & b;
}
static uint32_t ref_or(uint32_t a, uint32_t b, uint32_t c)
{
	return a | b;
}
static uint32_t ref_xor(uint32_t a, uint32_t b, uint32_t c)
{
	return a ^ b;
}
static uint32_t ref_not(uint32_t a, uint32_t b, uint32_t c)
{
	return ~a;
}
static uint32_t ref_f2i(uint32_t a, uint32_t b, uint32_t c)
{
	double t = trunc((double)F(a));
	if (isnan(t))
		return 0;
	return t >= 2147483647.0 ? 0x7fffffffu : t <= -2147483648.0 ? 0x80000000u : wrap((int64_t)t);
}
static uint32_t ref_f2u(uint32_t a, uint32_t b, uint32_t c)
{
	double t = trunc((double)F(a));
	if (isnan(t) || t <= 0)
		return 0;
	return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}
static uint32_t ref_i2f(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double((double)S(a));
}
static uint32_t ref_u2f(uint32_t a, uint32_t b, uint32_t c)
{
	return from_double((double)a);
}
static uint32_t ref_feq(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean((double)F(a) == (double)F(b));
}
static uint32_t ref_fne(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(isnan(F(a)) || isnan(F(b)) || (double)F(a) != (double)F(b));
}
static uint32_t ref_flt(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(isless(F(a), F(b)));
}
static uint32_t ref_fge(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(isgreaterequal(F(a), F(b)));
}
static uint32_t ref_ieq(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(a == b);
}
static uint32_t ref_ine(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(a != b);
}
static uint32_t ref_ilt(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(S(a) < S(b));
}
static uint32_t ref_ige(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(S(a) >= S(b));
}
static uint32_t ref_ult(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(a < b);
}
static uint32_t ref_uge(uint32_t a, uint32_t b, uint32_t c)
{
	return boolean(a >= b);
}

/* How a result is compared: exactly, or within docs/isa.md's accuracy for the transcendental ops. */
enum accuracy { EXACT, EXP_LOG, TRIG };

static const struct op_case {
	unsigned opcode;
	ref_fn ref;
	enum accuracy accuracy;
} op_cases[] = {
        {VGPU_OP_MOV, ref_mov, EXACT},       {VGPU_OP_SEL, ref_sel, EXACT},
        {VGPU_OP_FADD, ref_fadd, EXACT},     {VGPU_OP_FMUL, ref_fmul, EXACT},
        {VGPU_OP_FFMA, ref_ffma, EXACT},     {VGPU_OP_FMIN, ref_fmin, EXACT},
        {VGPU_OP_FMAX, ref_fmax, EXACT},     {VGPU_OP_FFLOOR, ref_ffloor, EXACT},
        {VGPU_OP_FCEIL, ref_fceil, EXACT},   {VGPU_OP_FTRUNC, ref_ftrunc, EXACT},
        {VGPU_OP_FFRACT, ref_ffract, EXACT}, {VGPU_OP_FROUND, ref_fround, EXACT},
        {VGPU_OP_FSQRT, ref_fsqrt, EXACT},   {VGPU_OP_FRSQ, ref_frsq, EXACT},
        {VGPU_OP_FRCP, ref_frcp, EXACT},     {VGPU_OP_FEXP2, ref_fexp2, EXP_LOG},
        {VGPU_OP_FLOG2, ref_flog2, EXP_LOG}, {VGPU_OP_FSIN, ref_fsin, TRIG},
        {VGPU_OP_FCOS, ref_fcos, TRIG},      {VGPU_OP_FSIGN, ref_fsign, EXACT},
        {VGPU_OP_IADD, ref_iadd, EXACT},     {VGPU_OP_ISUB, ref_isub, EXACT},
        {VGPU_OP_IMUL, ref_imul, EXACT},     {VGPU_OP_IMULHI, ref_imulhi, EXACT},
        {VGPU_OP_UMULHI, ref_umulhi, EXACT}, {VGPU_OP_IDIV, ref_idiv, EXACT},
        {VGPU_OP_UDIV, ref_udiv, EXACT},     {VGPU_OP_IREM, ref_irem, EXACT},
        {VGPU_OP_IMOD, ref_imod, EXACT},     {VGPU_OP_UMOD, ref_umod, EXACT},
        {VGPU_OP_INEG, ref_ineg, EXACT},     {VGPU_OP_IABS, ref_iabs, EXACT},
        {VGPU_OP_IMIN, ref_imin, EXACT},     {VGPU_OP_IMAX, ref_imax, EXACT},
        {VGPU_OP_UMIN, ref_umin, EXACT},     {VGPU_OP_UMAX, ref_umax, EXACT},
        {VGPU_OP_ISHL, ref_ishl, EXACT},     {VGPU_OP_ISHR, ref_ishr, EXACT},
        {VGPU_OP_USHR, ref_ushr, EXACT},     {VGPU_OP_AND, ref_and, EXACT},
        {VGPU_OP_OR, ref_or, EXACT},         {VGPU_OP_XOR, ref_xor, EXACT},
        {VGPU_OP_NOT, ref_not, EXACT},       {VGPU_OP_F2I, ref_f2i, EXACT},
        {VGPU_OP_F2U, ref_f2u, EXACT},       {VGPU_OP_I2F, ref_i2f, EXACT},
        {VGPU_OP_U2F, ref_u2f, EXACT},       {VGPU_OP_FEQ, ref_feq, EXACT},
        {VGPU_OP_FNE, ref_fne, EXACT},       {VGPU_OP_FLT, ref_flt, EXACT},
        {VGPU_OP_FGE, ref_fge, EXACT},       {VGPU_OP_IEQ, ref_ieq, EXACT},
        {VGPU_OP_INE, ref_ine, EXACT},       {VGPU_OP_ILT, ref_ilt, EXACT},
        {VGPU_OP_IGE, ref_ige, EXACT},       {VGPU_OP_ULT, ref_ult, EXACT},
        {VGPU_OP_UGE, ref_uge, EXACT},
};

static const uint32_t float_values[] = {
        0x00000000, 0x80000000, 0x3f800000, 0xbf800000, /* +-0, +-1 */
        0x3f000000, 0xbf000000, 0x3fc00000, 0xbfc00000, /* +-0.5, +-1.5 */
        0x40200000, 0xc0200000, 0x406ccccd, 0xc06ccccd, /* +-2.5, +-3.7 */
        0x00000001, 0x807fffff, 0x00800000, 0x00400000, /* denormals, FLT_MIN */
        0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, /* +-FLT_MAX, +-inf */
        0x7fc00000, 0x7f800001, 0xffc12345,             /* NaNs: quiet, signalling, negative with payload */
        0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, /* around +-2^31 */
        0x4f7fffff, 0x4f800000, 0x4b000001, 0x4affffff, /* around 2^32 and 2^23 */
        0x3effffff, 0x40490fdb, 0x501502f9, 0xc2c80000, /* 0.49999997, pi, 1e10, -100 */
        0x3f7fffff, 0x42fe0000, 0xc3160000,             /* below 1, 127, -150 */
};

static const uint32_t int_values[] = {
        0,  1,          0xffffffff, 2,          0xfffffffe, 7,          0xfffffff9,
        3,  0xfffffffd, 0x80000000, 0x7fffffff, 0x80000001, 0xffff,     31,
        32, 33,         0x12345678, 0xfffffffe, 0x10000,    0x3f800000, 0xdeadbeef,
};

static int within_accuracy(uint32_t got, uint32_t want, enum accuracy accuracy)
{
	double g = F(got), w = F(want), tolerance;

	if (isnan(w))
		return got == CANONICAL_NAN;
	if (isinf(w) || w == 0)
		return accuracy == TRIG ? fabs(g - w) <= 0x1p-20 : got == want || fabs(g - w) <= 0x1p-126;
	if (accuracy == TRIG)
		tolerance = 0x1p-20;
	else
		tolerance = fmax(fabs(w) * 0x1p-21, fabs(w) < 1 ? 0x1p-21 : 0);
	return fabs(g - w) <= fmax(tolerance, 0x1p-149);
}

static struct vgpu_shader *alu_shader(const struct vgpu_isa_opinfo *info)
{
	char text[256];
	static const char *const operands[] = {"", ", r0", ", r0, r1", ", r0, r1, r2"};

	snprintf(text, sizeof(text),
	         ".stage vertex\n ld.in r0, a0.x\n ld.in r1, a0.y\n ld.in r2, a0.z\n %s r3%s\n"
	         " st.out var0.x, r3\n end\n",
	         info->name, operands[info->nsrc]);
	return sh_load(text);
}

static void check_op(const struct op_case *oc)
{
	const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(oc->opcode);
	const uint32_t *values = info->type == VGPU_ISA_T_F ? float_values : int_values;
	size_t n = info->type == VGPU_ISA_T_F ? VT_COUNT(float_values) : VT_COUNT(int_values);
	size_t n3 = n < 12 ? n : 12; /* three-source ops take triples of the first values */
	size_t total = info->nsrc == 1 ? n : info->nsrc == 2 ? n * n : n3 * n3 * n3;
	struct vgpu_shader *shader = alu_shader(info);
	static struct vgpu_shader_warp w;
	struct sh_env env;
	unsigned failures = 0;

	if (!shader)
		return;
	sh_env_init(&env, 100);
	for (size_t first = 0; first < total; first += VGPU_ISA_LANES) {
		uint32_t in[3][VGPU_ISA_LANES] = {{0}};
		sh_warp_init(&w);
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
			size_t k = (first + l) % total;
			if (info->nsrc == 3) {
				in[0][l] = values[k % n3];
				in[1][l] = values[k / n3 % n3];
				in[2][l] = values[k / n3 / n3];
			} else {
				in[0][l] = values[k % n];
				in[1][l] = values[k / n % n];
			}
			for (unsigned s = 0; s < 3; s++)
				w.attrib[0][s][l] = sh_float(in[s][l]);
		}
		VT_CHECK_EQ_INT(vgpu_shader_run(shader, &w, &env.env), VGPU_SHADER_FAULT_NONE);
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
			uint32_t got = sh_out(&w, VGPU_ISA_OUT_VARYING0, 0, l);
			uint32_t want = oc->ref(in[0][l], in[1][l], in[2][l]);
			int ok = oc->accuracy == EXACT ? got == want
			                               : within_accuracy(got, want, oc->accuracy);
			if (!ok && failures++ < 8)
				vt_fail(__FILE__, __LINE__,
				        "%s(0x%08x, 0x%08x, 0x%08x) = 0x%08x (%g), expected 0x%08x (%g)",
				        info->name, in[0][l], in[1][l], in[2][l], got, (double)F(got), want,
				        (double)F(want));
		}
	}
	vgpu_shader_free(shader);
}

static void test_every_alu_opcode_matches_reference(void)
{
	for (size_t i = 0; i < VT_COUNT(op_cases); i++)
		check_op(&op_cases[i]);
}

/* Guards the table above: a new ALU opcode without a reference case fails here. Derivatives need quads
 * and are tested in test_shader_flow.c. */
static void test_reference_table_covers_every_alu_opcode(void)
{
	for (unsigned code = 0; code < 256; code++) {
		const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(code);
		int found = 0;
		if (!info || info->format != VGPU_ISA_FMT_ALU || !(info->stages & VGPU_ISA_STAGES_VERTEX))
			continue;
		for (size_t i = 0; i < VT_COUNT(op_cases); i++)
			found |= op_cases[i].opcode == code;
		if (!found)
			vt_fail(__FILE__, __LINE__, "opcode %s has no reference case", info->name);
	}
}

/* Runs a one-instruction vertex shader over 16 input pairs and returns lane results. */
static void run_pairs(const char *inst, const uint32_t a[16], const uint32_t b[16], uint32_t out[16])
{
	char text[256];
	struct vgpu_shader *shader;
	static struct vgpu_shader_warp w;
	struct sh_env env;

	snprintf(text, sizeof(text),
	         ".stage vertex\n ld.in r0, a0.x\n ld.in r1, a0.y\n %s\n st.out var0.x, r3\n end\n", inst);
	shader = sh_load(text);
	if (!shader)
		return;
	sh_env_init(&env, 100);
	sh_warp_init(&w);
	for (unsigned l = 0; l < 16; l++) {
		w.attrib[0][0][l] = sh_float(a[l]);
		w.attrib[0][1][l] = sh_float(b[l]);
	}
	VT_CHECK_EQ_INT(vgpu_shader_run(shader, &w, &env.env), VGPU_SHADER_FAULT_NONE);
	for (unsigned l = 0; l < 16; l++)
		out[l] = sh_out(&w, VGPU_ISA_OUT_VARYING0, 0, l);
	vgpu_shader_free(shader);
}

static void test_source_modifiers(void)
{
	uint32_t a[16], b[16], out[16];

	for (unsigned l = 0; l < 16; l++) {
		a[l] = float_values[l];
		b[l] = float_values[l + 16];
	}
	run_pairs("fadd r3, -r0, |r1|", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], ref_fadd(a[l] ^ 0x80000000u, b[l] & 0x7fffffffu, 0));
	run_pairs("fmul r3, -|r0|, r1", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], ref_fmul(a[l] | 0x80000000u, b[l], 0));
	/* mov with modifiers is fneg/fabs: a pure sign-bit operation, NaN payloads included. */
	run_pairs("mov r3, -r1", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], b[l] ^ 0x80000000u);
	run_pairs("mov r3, |r1|", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], b[l] & 0x7fffffffu);
}

static void test_saturate(void)
{
	const uint32_t in[16] = {0x7fc00000, 0x80000000, 0x40000000, 0x3f000000, 0xff800000, 0x7f800000,
	                         0x3f800000, 0x3f7fffff, 0xbf800000, 0x00000001, 0x00000000, 0x3f800001,
	                         0xffc00000, 0x3e800000, 0x80000001, 0x7f7fffff};
	const uint32_t want[16] = {0,          0,          0x3f800000, 0x3f000000, 0, 0x3f800000,
	                           0x3f800000, 0x3f7fffff, 0,          0x00000001, 0, 0x3f800000,
	                           0,          0x3e800000, 0,          0x3f800000};
	const uint32_t zero[16] = {0};
	uint32_t out[16];

	run_pairs("fadd.sat r3, r0, r1", in, zero, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], want[l]);
	run_pairs("mov.sat r3, r0", in, zero, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], want[l]); /* saturate sends -0 to +0 too */
}

static void test_immediates(void)
{
	uint32_t a[16], b[16] = {0}, out[16];

	for (unsigned l = 0; l < 16; l++)
		a[l] = int_values[l];
	run_pairs("iadd r3, r0, -7", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], a[l] - 7u);
	run_pairs("ushr r3, 0x80000000, r0", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], 0x80000000u >> (a[l] & 31));
	for (unsigned l = 0; l < 16; l++) {
		a[l] = float_values[l];
		b[l] = sh_bits(-1e-3f);
	}
	run_pairs("ffma r3, r0, 2.5, r1", a, b, out);
	for (unsigned l = 0; l < 16; l++)
		VT_CHECK_EQ_U64(out[l], ref_ffma(a[l], sh_bits(2.5f), sh_bits(-1e-3f)));
}

/* The documented denormal rule spelled out: preserved on input and output, never flushed. */
static void test_denormals_are_preserved(void)
{
	uint32_t a[16], b[16], out[16];

	for (unsigned l = 0; l < 16; l++) {
		a[l] = 0x00800000u; /* FLT_MIN */
		b[l] = sh_bits(0.5f);
	}
	a[1] = 0x00000003; /* 3 * 2^-149 */
	a[2] = 0x00000001; /* 2^-149 * 0.5 ties to even: 0 */
	run_pairs("fmul r3, r0, r1", a, b, out);
	VT_CHECK_EQ_U64(out[0], 0x00400000u);
	VT_CHECK_EQ_U64(out[1], 0x00000002u); /* 1.5 * 2^-149 rounds to even: 2 * 2^-149 */
	VT_CHECK_EQ_U64(out[2], 0x00000000u);
	run_pairs("fadd r3, r0, -r0", a, b, out);
	VT_CHECK_EQ_U64(out[1], 0);
}

/* The documented accuracy of the transcendentals over many inputs, not only the special values above. */
static void test_transcendental_accuracy_sweep(void)
{
	static const struct {
		unsigned opcode;
		float lo, hi;
	} ranges[] = {
	        {VGPU_OP_FEXP2, -140.0f, 127.0f}, {VGPU_OP_FLOG2, 0.0f, 1e30f}, {VGPU_OP_FLOG2, 0.5f, 2.0f},
	        {VGPU_OP_FSIN, -10.0f, 10.0f},    {VGPU_OP_FSIN, -1e6f, 1e6f},  {VGPU_OP_FCOS, -10.0f, 10.0f},
	        {VGPU_OP_FCOS, -1e6f, 1e6f},      {VGPU_OP_FEXP2, -1.0f, 1.0f},
	};
	uint32_t state = 7;

	for (size_t r = 0; r < VT_COUNT(ranges); r++) {
		const struct vgpu_isa_opinfo *info = vgpu_isa_opinfo(ranges[r].opcode);
		const struct op_case *oc = NULL;
		struct vgpu_shader *shader = alu_shader(info);
		static struct vgpu_shader_warp w;
		struct sh_env env;
		unsigned failures = 0;

		for (size_t i = 0; i < VT_COUNT(op_cases); i++)
			if (op_cases[i].opcode == ranges[r].opcode)
				oc = &op_cases[i];
		if (!shader || !oc)
			return;
		sh_env_init(&env, 100);
		for (unsigned batch = 0; batch < 256; batch++) {
			sh_warp_init(&w);
			for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
				state = state * 1664525u + 1013904223u;
				w.attrib[0][0][l] = ranges[r].lo + (ranges[r].hi - ranges[r].lo) *
				                                           (float)(state >> 8) / 16777216.0f;
			}
			vgpu_shader_run(shader, &w, &env.env);
			for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
				uint32_t in = sh_bits(w.attrib[0][0][l]);
				uint32_t got = sh_out(&w, VGPU_ISA_OUT_VARYING0, 0, l),
				         want = oc->ref(in, 0, 0);
				if (!within_accuracy(got, want, oc->accuracy) && failures++ < 4)
					vt_fail(__FILE__, __LINE__, "%s(%.9g) = %.9g, expected %.9g",
					        info->name, (double)F(in), (double)F(got), (double)F(want));
			}
		}
		vgpu_shader_free(shader);
	}
}

static const struct vt_case cases[] = {
        VT_CASE(test_every_alu_opcode_matches_reference),
        VT_CASE(test_reference_table_covers_every_alu_opcode),
        VT_CASE(test_source_modifiers),
        VT_CASE(test_saturate),
        VT_CASE(test_immediates),
        VT_CASE(test_denormals_are_preserved),
        VT_CASE(test_transcendental_accuracy_sweep),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
