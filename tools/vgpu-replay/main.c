/* SPDX-License-Identifier: MIT */
/* vgpu-replay CAPTURE OUTPUT.png [--draws DIR]: replay a libvgpu capture offline and write the frame displayed
 * at its end; with --draws, also every render target and depth buffer after each 3D draw (draws.h).
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"

int main(int argc, char **argv)
{
	char error[400];
	struct replay_image image;
	const char *draw_dir = NULL;

	if (argc == 5 && strcmp(argv[3], "--draws") == 0)
		draw_dir = argv[4];
	if (argc != 3 && !draw_dir) {
		fprintf(stderr,
		        "usage: %s CAPTURE OUTPUT.png [--draws DIR]  (replays a vgpu capture, writes its last "
		        "frame; --draws also writes every render target of each draw into DIR)\n",
		        argv[0]);
		return 2;
	}
	if (replay_capture_draws(argv[1], draw_dir, &image, error, sizeof(error)) != 0 ||
	    (image.rgb && replay_write_png(argv[2], &image, error, sizeof(error)) != 0)) {
		fprintf(stderr, "%s\n", error);
		replay_image_free(&image);
		return 1;
	}
	if (!image.rgb)
		fprintf(stderr, "vgpu-replay: the display was off at the end; %s was not written\n", argv[2]);
	replay_image_free(&image);
	return 0;
}
