/* SPDX-License-Identifier: MIT */
/* vgpu-replay CAPTURE OUTPUT.png: replay a libvgpu capture offline and write the frame displayed at its end.
 */
#include <stdio.h>

#include "replay.h"

int main(int argc, char **argv)
{
	char error[400];
	struct replay_image image;

	if (argc != 3) {
		fprintf(stderr,
		        "usage: %s CAPTURE OUTPUT.png  (replays a vgpu capture, writes its last frame)\n",
		        argv[0]);
		return 2;
	}
	if (replay_capture(argv[1], &image, error, sizeof(error)) != 0 ||
	    replay_write_png(argv[2], &image, error, sizeof(error)) != 0) {
		fprintf(stderr, "%s\n", error);
		replay_image_free(&image);
		return 1;
	}
	replay_image_free(&image);
	return 0;
}
