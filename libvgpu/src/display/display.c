/* SPDX-License-Identifier: MIT */
#include "display/display.h"

#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "core/device.h"
#include "format/format.h"
#include "mmu/memory.h"

#define CURSOR_BYTES ((uint64_t)VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE * 4)

void display_init(struct display_state *display, uint32_t preferred_width, uint32_t preferred_height)
{
	memset(display, 0, sizeof(*display));
	display->preferred_width = preferred_width;
	display->preferred_height = preferred_height;
}

void display_fini(struct display_state *display)
{
	free(display->sysmem_frame);
	display->sysmem_frame = NULL;
}

void display_reset_locked(struct vgpu *gpu)
{
	struct display_state *display = &gpu->display;
	memset(&display->shadow, 0, sizeof(display->shadow));
	memset(&display->active, 0, sizeof(display->active));
	display->commit_pending = display->commit_failed = false;
	display->vblank_count = 0;
	display->vblank_time = 0;
	display->cursor_ctrl = display->cursor_pos = 0;
	display->cursor_addr = 0;
	display->cursor_addr_valid = false;
	display->damaged = false;
}

static uint64_t config_bytes(const struct display_config *config)
{
	unsigned bpp = format_bytes_per_pixel(config->format);
	return (uint64_t)config->stride * (config->height - 1) + (uint64_t)config->width * bpp;
}

/* A scanout in system memory is copied into a buffer libvgpu owns, rows packed. The copy is bounded so a
 * guest cannot make the host allocate gigabytes per frame. */
#define SYSMEM_FRAME_MAX (256ull << 20)

static uint64_t packed_bytes(const struct display_config *config)
{
	return (uint64_t)config->width * format_bytes_per_pixel(config->format) * config->height;
}

uint32_t display_config_check(const struct vgpu *gpu, const struct display_config *config)
{
	if (config->ctrl & ~VGPU_DISP_CTRL_ENABLE)
		return VGPU_REG_DISP_CTRL;
	if (!(config->ctrl & VGPU_DISP_CTRL_ENABLE))
		return 0;
	if (!format_is_scanout(config->format))
		return VGPU_REG_SCANOUT_FORMAT;
	if (config->width < 1 || config->width > VGPU_MAX_SURFACE_DIM)
		return VGPU_REG_SCANOUT_WIDTH;
	if (config->height < 1 || config->height > VGPU_MAX_SURFACE_DIM)
		return VGPU_REG_SCANOUT_HEIGHT;
	if (config->stride < (uint64_t)config->width * format_bytes_per_pixel(config->format) ||
	    config->stride > VGPU_SURFACE_PITCH_MAX)
		return VGPU_REG_SCANOUT_STRIDE;
	if (!pa_range_valid(gpu, config->addr, config_bytes(config)) ||
	    (pa_is_sysmem(config->addr) && packed_bytes(config) > SYSMEM_FRAME_MAX))
		return VGPU_REG_SCANOUT_ADDR_LO;
	return 0;
}

bool display_cursor_addr_valid(const struct vgpu *gpu, uint64_t addr)
{
	return pa_range_valid(gpu, addr, CURSOR_BYTES);
}

static struct vgpu_rect full_frame(const struct display_config *config)
{
	return (struct vgpu_rect){0, 0, config->width, config->height};
}

static void damage_add_locked(struct vgpu *gpu, struct vgpu_rect rect)
{
	struct display_state *display = &gpu->display;
	if (rect.width == 0 || rect.height == 0)
		return;
	if (!display->damaged) {
		display->damage = rect;
		display->damaged = true;
		if (gpu->ops.display_notify)
			gpu->ops.display_notify(gpu->opaque);
		return;
	}
	struct vgpu_rect *d = &display->damage;
	uint32_t x0 = d->x < rect.x ? d->x : rect.x, y0 = d->y < rect.y ? d->y : rect.y;
	uint32_t x1 = d->x + d->width > rect.x + rect.width ? d->x + d->width : rect.x + rect.width;
	uint32_t y1 = d->y + d->height > rect.y + rect.height ? d->y + d->height : rect.y + rect.height;
	*d = (struct vgpu_rect){x0, y0, x1 - x0, y1 - y0};
}

void display_note_write(struct vgpu *gpu, uint64_t pa, uint64_t len)
{
	pthread_mutex_lock(&gpu->lock);
	const struct display_config *active = &gpu->display.active;
	if ((active->ctrl & VGPU_DISP_CTRL_ENABLE) && len) {
		uint64_t start = active->addr, end = active->addr + config_bytes(active);
		if (pa < end && pa + len > start && pa_is_sysmem(pa) == pa_is_sysmem(start)) {
			uint64_t bpp = format_bytes_per_pixel(active->format);
			uint64_t first = (pa > start ? pa : start) - start;
			uint64_t last = (pa + len < end ? pa + len : end) - 1 - start;
			uint64_t row0 = first / active->stride, row1 = last / active->stride;
			struct vgpu_rect rect = {0, (uint32_t)row0, active->width,
			                         (uint32_t)(row1 - row0 + 1)};
			if (row0 == row1) {
				/* Within one row the columns are known; bytes in the padding past the width
				 * are not. */
				uint64_t x0 = (first % active->stride) / bpp,
				         x1 = (last % active->stride) / bpp;
				if (x0 >= active->width)
					rect.height = 0;
				rect.x = (uint32_t)x0;
				rect.width =
				        (uint32_t)((x1 < active->width ? x1 : active->width - 1) - x0 + 1);
			}
			if (rect.y + rect.height > active->height)
				rect.height = active->height - rect.y;
			damage_add_locked(gpu, rect);
		}
	}
	pthread_mutex_unlock(&gpu->lock);
}

static void vblank_latch_locked(struct vgpu *gpu)
{
	struct display_state *display = &gpu->display;
	uint32_t bad = display_config_check(gpu, &display->shadow);

	display->commit_pending = false;
	if (bad) {
		display->commit_failed = true;
		fault_raise_register_locked(gpu, VGPU_FAULT_DISPLAY_BAD_CONFIG, bad, VGPU_ENGINE_DISPLAY);
		return;
	}
	display->commit_failed = false;
	display->active = display->shadow;
	if (display->active.ctrl & VGPU_DISP_CTRL_ENABLE)
		damage_add_locked(gpu, full_frame(&display->active));
	else if (gpu->ops.display_notify)
		gpu->ops.display_notify(gpu->opaque);
	capture_note_frame_locked(gpu);
}

void vgpu_vblank(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	struct display_state *display = &gpu->display;
	bool flip = display->commit_pending;

	capture_note_vblank(gpu);
	if (flip)
		vblank_latch_locked(gpu);
	display->vblank_count++;
	display->vblank_time = device_clock_ns(gpu);
	irq_raise_locked(gpu, VGPU_INT_VBLANK | (flip ? VGPU_INT_FLIP_DONE : 0));
	pthread_mutex_unlock(&gpu->lock);
}

void vgpu_set_preferred_mode(struct vgpu *gpu, uint32_t width, uint32_t height)
{
	if (width < 1 || height < 1 || width > VGPU_MAX_SURFACE_DIM || height > VGPU_MAX_SURFACE_DIM)
		return; /* the embedder's window cannot be offered as a mode; keep the last one */
	pthread_mutex_lock(&gpu->lock);
	gpu->display.preferred_width = width;
	gpu->display.preferred_height = height;
	irq_raise_locked(gpu, VGPU_INT_HOTPLUG);
	pthread_mutex_unlock(&gpu->lock);
}

bool display_reg_read_locked(struct vgpu *gpu, uint32_t offset, uint32_t *value)
{
	const struct display_state *display = &gpu->display;
	const struct display_config *shadow = &display->shadow;

	switch (offset) {
	case VGPU_REG_DISP_CTRL:
		*value = shadow->ctrl;
		return true;
	case VGPU_REG_SCANOUT_ADDR_LO:
		*value = (uint32_t)shadow->addr;
		return true;
	case VGPU_REG_SCANOUT_ADDR_HI:
		*value = (uint32_t)(shadow->addr >> 32);
		return true;
	case VGPU_REG_SCANOUT_FORMAT:
		*value = shadow->format;
		return true;
	case VGPU_REG_SCANOUT_STRIDE:
		*value = shadow->stride;
		return true;
	case VGPU_REG_SCANOUT_WIDTH:
		*value = shadow->width;
		return true;
	case VGPU_REG_SCANOUT_HEIGHT:
		*value = shadow->height;
		return true;
	case VGPU_REG_DISP_COMMIT:
		*value = display->commit_pending;
		return true;
	case VGPU_REG_PREFERRED_WIDTH:
		*value = display->preferred_width;
		return true;
	case VGPU_REG_PREFERRED_HEIGHT:
		*value = display->preferred_height;
		return true;
	case VGPU_REG_REFRESH_MHZ:
		*value = gpu->refresh_mhz;
		return true;
	case VGPU_REG_VBLANK_COUNT:
		*value = display->vblank_count;
		return true;
	case VGPU_REG_VBLANK_TIME_LO:
		*value = (uint32_t)display->vblank_time;
		return true;
	case VGPU_REG_VBLANK_TIME_HI:
		*value = (uint32_t)(display->vblank_time >> 32);
		return true;
	case VGPU_REG_DISP_STATUS:
		*value = ((display->active.ctrl & VGPU_DISP_CTRL_ENABLE) ? VGPU_DISP_STATUS_ENABLED : 0) |
		         (display->commit_pending ? VGPU_DISP_STATUS_FLIP_PENDING : 0) |
		         (display->commit_failed ? VGPU_DISP_STATUS_COMMIT_FAILED : 0);
		return true;
	case VGPU_REG_CURSOR_CTRL:
		*value = display->cursor_ctrl;
		return true;
	case VGPU_REG_CURSOR_ADDR_LO:
		*value = (uint32_t)display->cursor_addr;
		return true;
	case VGPU_REG_CURSOR_ADDR_HI:
		*value = (uint32_t)(display->cursor_addr >> 32);
		return true;
	case VGPU_REG_CURSOR_POS:
		*value = display->cursor_pos;
		return true;
	default:
		return false;
	}
}

/* The cursor address is checked when the address is complete (HI written, the driver writes LO first) and
 * when the cursor is switched on (spec 7: an address outside memory hides the cursor and faults). */
static void cursor_check_locked(struct vgpu *gpu, uint32_t offset)
{
	struct display_state *display = &gpu->display;
	display->cursor_addr_valid = display_cursor_addr_valid(gpu, display->cursor_addr);
	if (!display->cursor_addr_valid && (display->cursor_ctrl & VGPU_CURSOR_CTRL_ENABLE))
		fault_raise_register_locked(gpu, VGPU_FAULT_DISPLAY_BAD_CONFIG, offset, VGPU_ENGINE_DISPLAY);
	if (gpu->ops.display_notify)
		gpu->ops.display_notify(gpu->opaque);
}

bool display_reg_write_locked(struct vgpu *gpu, uint32_t offset, uint32_t value)
{
	struct display_state *display = &gpu->display;
	struct display_config *shadow = &display->shadow;

	switch (offset) {
	case VGPU_REG_DISP_CTRL:
		shadow->ctrl = value;
		return true;
	case VGPU_REG_SCANOUT_ADDR_LO:
		shadow->addr = (shadow->addr & ~0xffffffffull) | value;
		return true;
	case VGPU_REG_SCANOUT_ADDR_HI:
		shadow->addr = (shadow->addr & 0xffffffffull) | (uint64_t)value << 32;
		return true;
	case VGPU_REG_SCANOUT_FORMAT:
		shadow->format = value;
		return true;
	case VGPU_REG_SCANOUT_STRIDE:
		shadow->stride = value;
		return true;
	case VGPU_REG_SCANOUT_WIDTH:
		shadow->width = value;
		return true;
	case VGPU_REG_SCANOUT_HEIGHT:
		shadow->height = value;
		return true;
	case VGPU_REG_DISP_COMMIT:
		if (value != 1)
			fault_raise_register_locked(gpu, VGPU_FAULT_BAD_REGISTER_VALUE, offset,
			                            VGPU_ENGINE_REGS);
		else
			display->commit_pending = true;
		return true;
	case VGPU_REG_CURSOR_CTRL:
		if (value & ~VGPU_CURSOR_CTRL_ENABLE) {
			fault_raise_register_locked(gpu, VGPU_FAULT_BAD_REGISTER_VALUE, offset,
			                            VGPU_ENGINE_REGS);
			return true;
		}
		display->cursor_ctrl = value;
		cursor_check_locked(gpu, offset);
		return true;
	case VGPU_REG_CURSOR_ADDR_LO:
		display->cursor_addr = (display->cursor_addr & ~0xffffffffull) | value;
		display->cursor_addr_valid = display_cursor_addr_valid(gpu, display->cursor_addr);
		return true;
	case VGPU_REG_CURSOR_ADDR_HI:
		display->cursor_addr = (display->cursor_addr & 0xffffffffull) | (uint64_t)value << 32;
		cursor_check_locked(gpu, offset);
		return true;
	case VGPU_REG_CURSOR_POS:
		display->cursor_pos = value;
		if (gpu->ops.display_notify)
			gpu->ops.display_notify(gpu->opaque);
		return true;
	default:
		return false;
	}
}

/* ---- the embedder's view ------------------------------------------------------------------------------- */

static const uint8_t *frame_pixels_locked(struct vgpu *gpu, const struct display_config *active,
                                          uint32_t *stride)
{
	struct display_state *display = &gpu->display;
	uint64_t row = (uint64_t)active->width * format_bytes_per_pixel(active->format);
	uint64_t bytes = packed_bytes(active);

	*stride = active->stride;
	if (!pa_is_sysmem(active->addr))
		return pa_vram_ptr(gpu, active->addr);
	if (display->sysmem_frame_size < bytes) {
		uint8_t *grown = realloc(display->sysmem_frame, bytes);
		if (!grown)
			return NULL;
		display->sysmem_frame = grown;
		display->sysmem_frame_size = bytes;
	}
	for (uint32_t y = 0; y < active->height; y++) {
		uint64_t pa = active->addr + (uint64_t)y * active->stride;
		if (gpu->ops.dma_read(gpu->opaque, pa & ~VGPU_PA_SYSMEM, display->sysmem_frame + y * row,
		                      row) != 0) {
			struct vgpu_fault fault = {.type = VGPU_FAULT_DMA_ERROR,
			                           .addr = pa,
			                           .info = FAULT_INFO_ENGINE(VGPU_ENGINE_DISPLAY)};
			fault_raise_locked(gpu, &fault, 0, FAULT_POS_NONE, FAULT_POS_NONE);
			return NULL;
		}
	}
	*stride = (uint32_t)row;
	return display->sysmem_frame;
}

/* Read the cursor image into display->cursor_image; returns whether it changed. */
static bool cursor_refresh_locked(struct vgpu *gpu, bool *shown)
{
	struct display_state *display = &gpu->display;
	uint8_t bytes[CURSOR_BYTES];
	struct vgpu_fault fault;

	*shown = (display->cursor_ctrl & VGPU_CURSOR_CTRL_ENABLE) && display->cursor_addr_valid;
	if (!*shown)
		return false;
	if (!mem_read_ring(gpu, display->cursor_addr, bytes, CURSOR_BYTES, &fault)) {
		fault.info = FAULT_INFO_ENGINE(VGPU_ENGINE_DISPLAY);
		fault_raise_locked(gpu, &fault, 0, FAULT_POS_NONE, FAULT_POS_NONE);
		display->cursor_addr_valid = false;
		*shown = false;
		return false;
	}
	uint32_t image[VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE];
	for (unsigned i = 0; i < VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE; i++)
		image[i] = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
		           (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
	bool changed =
	        !display->cursor_image_valid || memcmp(image, display->cursor_image, sizeof(image)) != 0;
	if (changed && capture_active(gpu))
		capture_note_memory(gpu, display->cursor_addr, bytes, CURSOR_BYTES);
	memcpy(display->cursor_image, image, sizeof(image));
	display->cursor_image_valid = true;
	return changed;
}

void vgpu_display_acquire(struct vgpu *gpu, struct vgpu_frame *frame)
{
	pthread_mutex_lock(&gpu->lock);
	struct display_state *display = &gpu->display;
	const struct display_config *active = &display->active;

	memset(frame, 0, sizeof(*frame));
	frame->enabled = (active->ctrl & VGPU_DISP_CTRL_ENABLE) != 0;
	if (frame->enabled) {
		frame->pixels = frame_pixels_locked(gpu, active, &frame->stride);
		frame->enabled = frame->pixels != NULL;
	}
	if (frame->enabled) {
		frame->format = active->format;
		frame->width = active->width;
		frame->height = active->height;
		frame->damage = display->damaged ? display->damage : (struct vgpu_rect){0, 0, 0, 0};
		if (pa_is_sysmem(active->addr)) /* copied afresh: the CPU may have drawn anything */
			frame->damage = full_frame(active);
	}
	frame->mode_changed = !display->acquired_once || frame->format != display->acquired_format ||
	                      frame->width != display->acquired_width ||
	                      frame->height != display->acquired_height;
	display->acquired_once = true;
	display->acquired_format = frame->format;
	display->acquired_width = frame->width;
	display->acquired_height = frame->height;
	display->damaged = false;

	frame->cursor_changed = cursor_refresh_locked(gpu, &frame->cursor_enabled);
	frame->cursor_x = (int16_t)(display->cursor_pos & 0xffff);
	frame->cursor_y = (int16_t)(display->cursor_pos >> 16);
	frame->cursor_pixels = frame->cursor_enabled ? display->cursor_image : NULL;
	pthread_mutex_unlock(&gpu->lock);
}

void vgpu_display_release(struct vgpu *gpu)
{
	/* Nothing is pinned: VRAM stays mapped and the system-memory copy changes only in acquire, which the
	 * embedder does not call while it holds a frame. */
}
