/* SPDX-License-Identifier: MIT */
/* The capture file format, shared by the writer (capture.c) and tools/vgpu-replay. docs/capture.md is the
 * prose version; the two change together. All fields little-endian. */
#ifndef VGPU_CAPTURE_FORMAT_H
#define VGPU_CAPTURE_FORMAT_H

#include <stdint.h>

/* File header: magic (8 bytes), version (u32), header size in bytes (u32), VRAM size (u64). */
#define CAPTURE_MAGIC       "VGPUCAP\n"
#define CAPTURE_VERSION     1
#define CAPTURE_HEADER_SIZE 24

/* Each record: type (u32), payload length in bytes (u32), payload. */
#define CAPTURE_RECORD_HEADER_SIZE  8
#define CAPTURE_RECORD_STATE        1 /* the vgpu_state_save() blob when the capture started */
#define CAPTURE_RECORD_REG_WRITE    2 /* offset (u32), value (u32) */
#define CAPTURE_RECORD_PACKET       3 /* ring byte offset (u32), the packet's dwords (header first) */
#define CAPTURE_RECORD_READ         4 /* PA (u64), the bytes an engine read there, in execution order */
#define CAPTURE_RECORD_VBLANK       5 /* empty */
#define CAPTURE_RECORD_READ_REFUSED 6 /* PA (u64), length (u64): an engine read the host refused */
#define CAPTURE_RECORD_MEMORY       7 /* PA (u64), bytes the display engine read (frame, cursor) */

/* Payloads are split so that a reader never needs more than this in one piece. */
#define CAPTURE_MAX_PAYLOAD (1u << 20)

#endif
