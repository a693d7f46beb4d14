/* SPDX-License-Identifier: MIT */
/* Draw observation for vgpu-replay: the render targets of the draw that just ended, read through the maps
 * the draw used, so observing translates nothing and reads no guest memory the capture did not record. */
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "format/format.h"

void engine3d_observe_draws(struct engine3d *e3d, engine3d_draw_observer observer, void *opaque)
{
	e3d->observer = observer;
	e3d->observer_opaque = opaque;
}

static const struct e3d_surface *target(const struct engine3d *e3d, unsigned index)
{
	const struct e3d_state *s = &e3d->state;
	if (index < s->color_count)
		return &s->color[index];
	return index == VGPU_MAX_RENDER_TARGETS && s->depth.format ? &s->depth : NULL;
}

bool engine3d_target(const struct engine3d *e3d, unsigned index, uint32_t *width, uint32_t *height,
                     uint32_t *format)
{
	const struct e3d_surface *surface = target(e3d, index);
	if (!surface)
		return false;
	*width = e3d->state.width;
	*height = e3d->state.height;
	*format = surface->format;
	return true;
}

void engine3d_target_row(const struct engine3d *e3d, unsigned index, uint32_t y, void *dst)
{
	const struct e3d_surface *surface = target(e3d, index);
	const struct surface_map *map =
	        index < VGPU_MAX_RENDER_TARGETS ? &e3d->color_map[index] : &e3d->depth_map;
	surface_read(map, (uint64_t)y * surface->pitch, dst,
	             (size_t)e3d->state.width * format_bytes_per_pixel(surface->format));
}
