#include "vt_png.h"

#include <png.h>
#include <stdlib.h>

#include "vgpu_test.h"

uint8_t *vt_read_png_rgb(const char *path, uint32_t *width, uint32_t *height)
{
	png_image image = { .version = PNG_IMAGE_VERSION };
	uint8_t *rgb;

	if (!png_image_begin_read_from_file(&image, path)) {
		vt_fail(__FILE__, __LINE__, "cannot read %s: %s", path, image.message);
		return NULL;
	}
	image.format = PNG_FORMAT_RGB;
	rgb = malloc(PNG_IMAGE_SIZE(image));
	if (!rgb || !png_image_finish_read(&image, NULL, rgb, 0, NULL)) {
		vt_fail(__FILE__, __LINE__, "cannot decode %s: %s", path, image.message);
		png_image_free(&image);
		free(rgb);
		return NULL;
	}
	*width = image.width;
	*height = image.height;
	return rgb;
}
