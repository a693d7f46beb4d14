/* SPDX-License-Identifier: MIT */
#include "reference.h"

#include <math.h>
#include <stdint.h>

bool ref_triangle_covers(const float v[3][2], int px, int py)
{
	int64_t x[3], y[3];
	for (int i = 0; i < 3; i++) {
		x[i] = (int64_t)llrint((double)v[i][0] * 256.0);
		y[i] = (int64_t)llrint((double)v[i][1] * 256.0);
	}
	int64_t cx = (int64_t)px * 256 + 128, cy = (int64_t)py * 256 + 128;
	int64_t area = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]);
	if (area == 0)
		return false;
	for (int i = 0; i < 3; i++) {
		int j = (i + 1) % 3, k = (i + 2) % 3;
		/* A normal of edge i->j, flipped to point at the third vertex. */
		int64_t nx = -(y[j] - y[i]), ny = x[j] - x[i];
		if (nx * (x[k] - x[i]) + ny * (y[k] - y[i]) < 0)
			nx = -nx, ny = -ny;
		int64_t d = nx * (cx - x[i]) + ny * (cy - y[i]);
		bool left = nx > 0, top = nx == 0 && ny > 0;
		if (d < 0 || (d == 0 && !left && !top))
			return false;
	}
	return true;
}
