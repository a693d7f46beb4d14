/* SPDX-License-Identifier: MIT */
#include "draws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/engine3d.h"
#include "format/format.h"
#include "replay.h"

/* One target as 8-bit RGB: colour through the shared format conversions, depth as grey. */
static bool target_image(struct engine3d *e3d, unsigned index, struct replay_image *image)
{
	uint32_t width, height, format;
	if (!engine3d_target(e3d, index, &width, &height, &format))
		return false;
	unsigned bpp = format_bytes_per_pixel(format);
	image->width = width;
	image->height = height;
	image->rgb = malloc((size_t)width * height * 3);
	uint8_t *row = malloc((size_t)width * bpp);
	float *rgba = malloc((size_t)width * 4 * sizeof(float));
	uint8_t *rgbx = malloc((size_t)width * 4);
	bool ok = image->rgb && row && rgba && rgbx;
	for (uint32_t y = 0; ok && y < height; y++) {
		engine3d_target_row(e3d, index, y, row);
		if (format_is_depth(format)) {
			for (uint32_t x = 0; x < width; x++) {
				float d = format_unpack_depth(format, row + (size_t)x * bpp);
				for (int c = 0; c < 4; c++)
					rgba[4 * x + c] = c == 3 ? 1.0f : d;
			}
		} else {
			format_unpack_row(format, row, rgba, width);
		}
		/* an sRGB target's PNG holds its encoded bytes, as PNG viewers expect */
		format_pack_row(format_is_srgb(format) ? VGPU_FORMAT_R8G8B8X8_SRGB
		                                       : VGPU_FORMAT_R8G8B8X8_UNORM,
		                rgba, rgbx, width);
		for (uint32_t x = 0; x < width; x++)
			memcpy(image->rgb + ((size_t)y * width + x) * 3, rgbx + 4 * x, 3);
	}
	free(row);
	free(rgba);
	free(rgbx);
	if (!ok)
		replay_image_free(image);
	return ok;
}

static void observe(void *opaque, struct engine3d *e3d)
{
	struct replay_draws *draws = opaque;
	unsigned draw = draws->count++;
	for (unsigned index = 0; index <= 4 && !draws->failed; index++) {
		struct replay_image image = {0};
		if (!target_image(e3d, index, &image))
			continue;
		char path[4096];
		if (index < 4)
			snprintf(path, sizeof(path), "%s/draw-%05u-color%u.png", draws->dir, draw, index);
		else
			snprintf(path, sizeof(path), "%s/draw-%05u-depth.png", draws->dir, draw);
		if (replay_write_png(path, &image, draws->error, sizeof(draws->error)) != 0)
			draws->failed = true;
		replay_image_free(&image);
	}
}

void replay_draws_attach(struct vgpu *gpu, struct replay_draws *draws)
{
	engine3d_observe_draws(gpu->engine3d, observe, draws);
}
