/* SPDX-License-Identifier: MIT */
#include "format/srgb.h"

#include <math.h>
#include <pthread.h>

static float decoded[256];
static pthread_once_t decoded_once = PTHREAD_ONCE_INIT;

static void build_decoded(void)
{
	for (int c = 0; c < 256; c++) {
		double x = c / 255.0;
		decoded[c] = (float)(x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4));
	}
}

float srgb8_to_linear(uint8_t code)
{
	pthread_once(&decoded_once, build_decoded);
	return decoded[code];
}

uint8_t linear_to_srgb8(float linear)
{
	if (!(linear > 0.0f)) /* also NaN */
		return 0;
	if (linear >= 1.0f)
		return 255;
	double l = linear;
	double encoded = l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1.0 / 2.4) - 0.055;
	return (uint8_t)nearbyint(encoded * 255.0);
}
