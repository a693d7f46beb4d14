/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"

int replay_write_png(const char *path, const struct replay_image *image, char *error, size_t error_len)
{
	FILE *file = fopen(path, "wb");
	if (!file) {
		snprintf(error, error_len, "vgpu-replay: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(file);
		snprintf(error, error_len, "vgpu-replay: writing %s failed (libpng error or disk full)",
		         path);
		return -1;
	}
	png_init_io(png, file);
	png_set_IHDR(png, info, image->width, image->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < image->height; y++)
		png_write_row(png, image->rgb + (size_t)y * image->width * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(file) != 0) {
		snprintf(error, error_len, "vgpu-replay: writing %s failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
