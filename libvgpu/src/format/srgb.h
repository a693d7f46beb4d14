/* SPDX-License-Identifier: MIT */
/* The sRGB transfer function of the _SRGB pixel formats (spec 9.2): decode on every read (texture fetch,
 * blending's destination, BLIT's source), encode on every write (render target, CLEAR, BLIT). */
#ifndef VGPU_FORMAT_SRGB_H
#define VGPU_FORMAT_SRGB_H

#include <stdint.h>

/* An 8-bit sRGB code as linear intensity: the standard's function in double precision, rounded to float. */
float srgb8_to_linear(uint8_t code);
/* Linear intensity to the 8-bit sRGB code: clamped to [0, 1] (NaN to 0), encoded in double precision, then
 * 255 times it rounded to the nearest integer (ties to even). */
uint8_t linear_to_srgb8(float linear);

#endif
