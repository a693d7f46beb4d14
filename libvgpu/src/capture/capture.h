/* SPDX-License-Identifier: MIT */
/* Capture (docs/capture.md): while active, every register write, vblank, executed ring packet and every
 * byte of memory an engine reads is appended to a file that tools/vgpu-replay plays back. */
#ifndef VGPU_CAPTURE_H
#define VGPU_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;
struct capture;

/* Cheap test for the hooks below: a relaxed load of gpu->capture. */
bool capture_active(struct vgpu *gpu);

void capture_note_reg_write(struct vgpu *gpu, uint32_t offset, uint32_t value);
void capture_note_vblank(struct vgpu *gpu);
void capture_note_packet(struct vgpu *gpu, uint32_t ring_pos, const uint32_t *packet, uint32_t dwords);
/* An engine read, in execution order (replay feeds the same bytes to the same read); one the host refused. */
void capture_note_read(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len);
void capture_note_refused_read(struct vgpu *gpu, uint64_t pa, uint64_t len);
/* Memory the display engine read (cursor image, a latched frame): contents to restore, not a read to match.
 */
void capture_note_memory(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len);
/* The display latched a new frame: record its pixels (the CPU may have drawn them). Needs gpu->lock. */
void capture_note_frame_locked(struct vgpu *gpu);

#endif
