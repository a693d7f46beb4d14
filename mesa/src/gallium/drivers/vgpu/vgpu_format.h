/* SPDX-License-Identifier: MIT */
#ifndef VGPU_FORMAT_H
#define VGPU_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "pipe/p_format.h"

/* The hardware format (VGPU_FORMAT_*, hw-spec 9.1) that stores a gallium format bit for bit, or
 * VGPU_FORMAT_NONE. */
uint32_t vgpu_format(enum pipe_format format);

/* Colour formats the 2D engine, render targets and textures take; depth formats for depth/stencil. */
bool vgpu_format_is_color(enum pipe_format format);
bool vgpu_format_is_depth(enum pipe_format format);

#endif
