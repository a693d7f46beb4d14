/* SPDX-License-Identifier: MIT */
/* Float <-> bit-pattern helpers for the lane loops of the 3D pipeline and the texture unit. */
#ifndef VGPU_FLOAT_BITS_H
#define VGPU_FLOAT_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float bits_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

/* mask ? a : b for a mask of all ones or all zeros, as bit operations: GCC does not vectorise a loop whose
 * float selects it may turn back into branches (it keeps possibly trapping float operations unspeculated). */
static inline float select_float(uint32_t mask, float a, float b)
{
	return bits_float((float_bits(a) & mask) | (float_bits(b) & ~mask));
}

#endif
