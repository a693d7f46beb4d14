/* SPDX-License-Identifier: MIT */
/* Replaying a capture (docs/capture.md) on a fresh libvgpu, offline. */
#ifndef VGPU_REPLAY_H
#define VGPU_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* The displayed frame at the end of a capture, as 8-bit RGB rows (width * 3 bytes each). */
struct replay_image {
	uint32_t width, height;
	uint8_t *rgb;
};

/* Replay the capture at path. On error returns -1 with one line in error. */
int replay_capture(const char *path, struct replay_image *image, char *error, size_t error_len);
/* The same, also writing the render targets of every 3D draw as PNG files into draw_dir (draws.h). */
int replay_capture_draws(const char *path, const char *draw_dir, struct replay_image *image, char *error,
                         size_t error_len);
void replay_image_free(struct replay_image *image);

/* Write an image as an 8-bit RGB PNG; returns -1 with one line in error. */
int replay_write_png(const char *path, const struct replay_image *image, char *error, size_t error_len);

#endif
