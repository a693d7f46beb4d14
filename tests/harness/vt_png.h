/* Reading PNG files in tests (screendumps, vgpu-replay output): one reader for every suite. */
#ifndef VT_PNG_H
#define VT_PNG_H

#include <stdint.h>

/* Decode any PNG to 8-bit RGB rows (width * 3 bytes each, no padding); the caller frees the result.
 * Returns NULL, after reporting the reason as a failed check, when the file cannot be read or decoded. */
uint8_t *vt_read_png_rgb(const char *path, uint32_t *width, uint32_t *height);

#endif
