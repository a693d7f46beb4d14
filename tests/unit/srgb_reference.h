/* SPDX-License-Identifier: MIT */
/* The sRGB transfer functions as the standard (and spec 9.2) writes them, in double precision, for tests
 * that compute expected values without libvgpu. */
#ifndef SRGB_REFERENCE_H
#define SRGB_REFERENCE_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgpu/vgpu_hw.h"

/* x = code / 255 to linear */
static inline double srgb_reference_decode(double x)
{
	return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
}

/* linear to the encoded value in [0, 1] (clamped first); 255 times it rounds to the code */
static inline double srgb_reference_encode(double l)
{
	l = l < 0 ? 0 : l > 1 ? 1 : l;
	return l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055;
}

/* The four sRGB formats of table 9.1, whether B comes first in memory, and whether byte 3 is alpha (else X).
 */
static const uint32_t srgb_reference_formats[4] = {VGPU_FORMAT_R8G8B8A8_SRGB, VGPU_FORMAT_B8G8R8A8_SRGB,
                                                   VGPU_FORMAT_R8G8B8X8_SRGB, VGPU_FORMAT_B8G8R8X8_SRGB};

static inline bool srgb_reference_bgr(uint32_t format)
{
	return format == VGPU_FORMAT_B8G8R8A8_SRGB || format == VGPU_FORMAT_B8G8R8X8_SRGB;
}

static inline bool srgb_reference_alpha(uint32_t format)
{
	return format == VGPU_FORMAT_R8G8B8A8_SRGB || format == VGPU_FORMAT_B8G8R8A8_SRGB;
}

#endif
