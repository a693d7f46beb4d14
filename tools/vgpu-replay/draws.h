/* SPDX-License-Identifier: MIT */
/* vgpu-replay --draws DIR: every render target and depth buffer after each 3D draw, as PNG files
 * DIR/draw-NNNNN-colorK.png and DIR/draw-NNNNN-depth.png (depth as grey, 0 black to 1 white). */
#ifndef VGPU_REPLAY_DRAWS_H
#define VGPU_REPLAY_DRAWS_H

#include <stdbool.h>
#include <stddef.h>

struct vgpu;

struct replay_draws {
	const char *dir;
	unsigned count; /* draws written so far */
	bool failed;
	char error[400];
};

/* Observe the draws of gpu (created for the replay) from now on. */
void replay_draws_attach(struct vgpu *gpu, struct replay_draws *draws);

#endif
