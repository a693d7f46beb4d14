/* SPDX-License-Identifier: MIT */
/* The display engine (spec section 7): shadow and active scanout state, vblank and flips, the cursor, and
 * the damage the embedder sees through vgpu_display_acquire(). State lives in gpu->display under gpu->lock.
 */
#ifndef VGPU_DISPLAY_H
#define VGPU_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "vgpu/vgpu.h"

struct vgpu;

struct display_config {
	uint32_t ctrl;
	uint64_t addr;
	uint32_t format, stride, width, height;
};

struct display_state {
	struct display_config shadow, active;
	bool commit_pending, commit_failed;
	uint32_t vblank_count;
	uint64_t vblank_time;
	uint32_t preferred_width, preferred_height;
	uint32_t cursor_ctrl, cursor_pos;
	uint64_t cursor_addr;
	bool cursor_addr_valid;

	/* Embedder-side bookkeeping, not device state. */
	bool damaged;
	struct vgpu_rect damage;
	bool acquired_once;
	uint32_t acquired_format, acquired_width, acquired_height;
	uint8_t *sysmem_frame;
	uint64_t sysmem_frame_size;
	uint32_t cursor_image[VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE];
	bool cursor_image_valid;
};

void display_init(struct display_state *display, uint32_t preferred_width, uint32_t preferred_height);
void display_fini(struct display_state *display);
/* Device reset: everything but the preferred mode and the embedder-side bookkeeping. */
void display_reset_locked(struct vgpu *gpu);

/* Register access for offsets 0x500..0x5ff; false if the offset is not a display register (or not
 * writable). Need gpu->lock. */
bool display_reg_read_locked(struct vgpu *gpu, uint32_t offset, uint32_t *value);
bool display_reg_write_locked(struct vgpu *gpu, uint32_t offset, uint32_t value);

/* The offset of the first shadow register that makes config unfit to scan out, or 0 when it is good. */
uint32_t display_config_check(const struct vgpu *gpu, const struct display_config *config);
bool display_cursor_addr_valid(const struct vgpu *gpu, uint64_t addr);

/* An engine wrote [pa, pa + len): damage the frame if that is inside the active scanout. Takes gpu->lock. */
void display_note_write(struct vgpu *gpu, uint64_t pa, uint64_t len);

#endif
