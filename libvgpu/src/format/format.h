/* SPDX-License-Identifier: MIT */
/* Pixel formats (spec section 9): sizes, classes and the conversions through float RGBA that BLIT uses and
 * the 3D pipeline will share. */
#ifndef VGPU_FORMAT_H
#define VGPU_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes per pixel of a format code, or 0 for an unknown code. */
unsigned format_bytes_per_pixel(uint32_t format);
bool format_is_color(uint32_t format);
bool format_is_scanout(uint32_t format);
/* The _SRGB formats (1.1): R, G, B stored sRGB-encoded, converted to and from linear (spec 9.2). */
bool format_is_srgb(uint32_t format);
/* Z16_UNORM, Z24_UNORM_S8_UINT, Z32_FLOAT. */
bool format_is_depth(uint32_t format);
/* A depth pixel's depth as a float (UNORM depth as value / (2^n - 1)); its stencil is byte 3 of Z24S8. */
float format_unpack_depth(uint32_t format, const uint8_t *src);

/* Convert count pixels between memory layout and float RGBA (4 floats per pixel). Missing channels read as
 * G = B = 0, A = 1. Only for colour formats. */
void format_unpack_row(uint32_t format, const uint8_t *src, float *rgba, uint32_t count);
void format_pack_row(uint32_t format, const float *rgba, uint8_t *dst, uint32_t count);

/* IEEE binary16 conversions, round to nearest even. */
uint16_t format_float_to_half(float value);
float format_half_to_float(uint16_t half);

#endif
