/* SPDX-License-Identifier: MIT */
/* An independent reference for triangle coverage, written from the spec's words (10.4) in the plainest way:
 * snap to 1/256 pixel, then a pixel centre is inside when it is strictly inside every edge, or exactly on an
 * edge whose inward normal points right (a left edge) or straight down (a top edge; y grows downward). */
#ifndef REFERENCE_H
#define REFERENCE_H

#include <stdbool.h>

/* Window-space vertices (x, y) in pixels; pixel centres at (px + 0.5, py + 0.5). */
bool ref_triangle_covers(const float v[3][2], int px, int py);

#endif
