/* Per-lane arithmetic of the vgpu ISA, exactly as docs/isa.md ("Arithmetic rules") defines it. Each
 * function maps 32-bit register values to a 32-bit result and is written branch-light so the lane loops in
 * exec.c vectorise. Float results pass through canon(): every NaN a float op produces is 0x7fc00000. */
#ifndef VGPU_SHADER_ALU_H
#define VGPU_SHADER_ALU_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef __clang__
/* The ISA's ffma is two roundings; never let the host compiler fuse a multiply and an add. */
#pragma STDC FP_CONTRACT OFF
#endif

#define ALU_NAN       0x7fc00000u
#define ALU_SIGN      0x80000000u
#define ALU_TRUE      0xffffffffu
#define ALU_ONE       0x3f800000u
#define ALU_TWO_POW23 8388608.0f

static inline float alu_f(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

static inline uint32_t alu_u(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline uint32_t canon(float f)
{
	return f != f ? ALU_NAN : alu_u(f);
}

static inline uint32_t alu_bool(int cond)
{
	return cond ? ALU_TRUE : 0;
}

static inline uint32_t alu_saturate(uint32_t a)
{
	float x = alu_f(a);
	return !(x > 0.0f) ? 0 : x > 1.0f ? ALU_ONE : a;
}

static inline uint32_t op_fadd(uint32_t a, uint32_t b)
{
	return canon(alu_f(a) + alu_f(b));
}

static inline uint32_t op_fmul(uint32_t a, uint32_t b)
{
	return canon(alu_f(a) * alu_f(b));
}

static inline uint32_t op_ffma(uint32_t a, uint32_t b, uint32_t c)
{
	float product = alu_f(a) * alu_f(b);
	return canon(product + alu_f(c));
}

/* IEEE minNum/maxNum: a NaN operand loses to a number; -0 is below +0. Written as selects only, so the lane
 * loops vectorise. */
static inline uint32_t op_fmin(uint32_t a, uint32_t b)
{
	float x = alu_f(a), y = alu_f(b);
	return canon(alu_f(x < y || y != y ? a : x == y ? (a | b) : b));
}

static inline uint32_t op_fmax(uint32_t a, uint32_t b)
{
	float x = alu_f(a), y = alu_f(b);
	return canon(alu_f(x > y || y != y ? a : x == y ? (a & b) : b));
}

/* Rounding without libm calls: below 2^23 a float's integer part fits an int32; at or above, the float is
 * already an integer (or inf/NaN). The sign bit is put back so -0.5 truncates to -0. */
static inline uint32_t op_ftrunc(uint32_t a)
{
	float x = alu_f(a), ax = alu_f(a & ~ALU_SIGN);
	int small = ax < ALU_TWO_POW23;
	float t = (float)(int32_t)(small ? x : 0.0f);
	return small ? (alu_u(t) | (a & ALU_SIGN)) : canon(x);
}

static inline uint32_t op_ffloor(uint32_t a)
{
	uint32_t t = op_ftrunc(a);
	float x = alu_f(a), tf = alu_f(t);
	return tf > x ? alu_u(tf - 1.0f) : t;
}

static inline uint32_t op_fceil(uint32_t a)
{
	uint32_t t = op_ftrunc(a);
	float x = alu_f(a), tf = alu_f(t);
	return tf < x ? alu_u(tf + 1.0f) : t;
}

static inline uint32_t op_ffract(uint32_t a)
{
	return canon(alu_f(a) - alu_f(op_ffloor(a)));
}

/* Adding and subtracting 2^23 rounds to an integer in the host's round-to-nearest-even mode. */
static inline uint32_t op_fround(uint32_t a)
{
	float ax = alu_f(a & ~ALU_SIGN);
	float r = (ax + ALU_TWO_POW23) - ALU_TWO_POW23;
	return ax < ALU_TWO_POW23 ? (alu_u(r) | (a & ALU_SIGN)) : canon(alu_f(a));
}

static inline uint32_t op_fsqrt(uint32_t a)
{
	return canon(sqrtf(alu_f(a)));
}

static inline uint32_t op_frsq(uint32_t a)
{
	return canon(1.0f / sqrtf(alu_f(a)));
}

static inline uint32_t op_frcp(uint32_t a)
{
	return canon(1.0f / alu_f(a));
}

static inline uint32_t op_fexp2(uint32_t a)
{
	return canon(exp2f(alu_f(a)));
}

static inline uint32_t op_flog2(uint32_t a)
{
	return canon(log2f(alu_f(a)));
}

static inline uint32_t op_fsin(uint32_t a)
{
	return canon(sinf(alu_f(a)));
}

static inline uint32_t op_fcos(uint32_t a)
{
	return canon(cosf(alu_f(a)));
}

static inline uint32_t op_fsign(uint32_t a)
{
	float x = alu_f(a);
	return x > 0.0f ? ALU_ONE : x < 0.0f ? (ALU_ONE | ALU_SIGN) : canon(x);
}

static inline uint32_t op_imulhi(uint32_t a, uint32_t b)
{
	int64_t product = (int64_t)(int32_t)a * (int64_t)(int32_t)b;
	return (uint32_t)((uint64_t)product >> 32);
}

static inline uint32_t op_umulhi(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a * b) >> 32);
}

/* Division never traps: by zero gives all ones (quotients) or the dividend (remainders);
 * INT32_MIN / -1 wraps to INT32_MIN with remainder 0. */
static inline int alu_div_overflows(uint32_t a, uint32_t b)
{
	return a == ALU_SIGN && b == ALU_TRUE;
}

static inline uint32_t op_idiv(uint32_t a, uint32_t b)
{
	if (b == 0)
		return ALU_TRUE;
	if (alu_div_overflows(a, b))
		return a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t op_udiv(uint32_t a, uint32_t b)
{
	return b ? a / b : ALU_TRUE;
}

static inline uint32_t op_irem(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if (alu_div_overflows(a, b))
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* Remainder with the sign of the divisor (GLSL/NIR imod). */
static inline uint32_t op_imod(uint32_t a, uint32_t b)
{
	uint32_t r = op_irem(a, b);
	if (b != 0 && r != 0 && ((r ^ b) & ALU_SIGN))
		r += b;
	return r;
}

static inline uint32_t op_umod(uint32_t a, uint32_t b)
{
	return b ? a % b : a;
}

static inline uint32_t op_iabs(uint32_t a)
{
	return (a & ALU_SIGN) ? 0u - a : a;
}

static inline uint32_t op_imin(uint32_t a, uint32_t b)
{
	return (int32_t)a < (int32_t)b ? a : b;
}

static inline uint32_t op_imax(uint32_t a, uint32_t b)
{
	return (int32_t)a > (int32_t)b ? a : b;
}

static inline uint32_t op_umin(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t op_umax(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Shift counts use their low 5 bits. */
static inline uint32_t op_ishl(uint32_t a, uint32_t b)
{
	return a << (b & 31);
}

static inline uint32_t op_ushr(uint32_t a, uint32_t b)
{
	return a >> (b & 31);
}

static inline uint32_t op_ishr(uint32_t a, uint32_t b)
{
	uint32_t s = b & 31, fill = (a & ALU_SIGN) ? ~(ALU_TRUE >> s) : 0;
	return (a >> s) | fill;
}

/* Conversions saturate; NaN converts to 0. */
static inline uint32_t op_f2i(uint32_t a)
{
	float x = alu_f(a);
	int in_range = x >= -2147483648.0f && x < 2147483648.0f;
	int32_t i = (int32_t)(in_range ? x : 0.0f);
	return x != x ? 0 : in_range ? (uint32_t)i : x > 0.0f ? 0x7fffffffu : ALU_SIGN;
}

static inline uint32_t op_f2u(uint32_t a)
{
	float x = alu_f(a);
	int in_range = x > -1.0f && x < 4294967296.0f;
	uint32_t u = (uint32_t)(in_range ? x : 0.0f);
	return in_range ? u : x > 0.0f ? ALU_TRUE : 0;
}

static inline uint32_t op_i2f(uint32_t a)
{
	return alu_u((float)(int32_t)a);
}

static inline uint32_t op_u2f(uint32_t a)
{
	return alu_u((float)a);
}

#endif
