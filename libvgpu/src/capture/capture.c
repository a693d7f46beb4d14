/* SPDX-License-Identifier: MIT */
/* The capture writer. Records come from the embedder's thread (register writes, vblanks, display reads) and
 * from the CP thread (packets, engine reads); a mutex keeps each record whole and the file in the order the
 * device saw them. Register writes are recorded under gpu->lock before they take effect, so the packets a
 * doorbell releases always follow it in the file. */
#include "capture/capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_format.h"
#include "core/device.h"
#include "format/format.h"
#include "mmu/memory.h"

struct capture {
	pthread_mutex_t lock;
	FILE *file;
	bool failed;
	char path[256];
};

bool capture_active(struct vgpu *gpu)
{
	return atomic_load_explicit(&gpu->capture, memory_order_acquire) != NULL;
}

static void put_le(uint8_t *dst, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		dst[i] = (uint8_t)(value >> (8 * i));
}

/* One record: header, a small fixed prefix, then the body. A write error ends the capture's usefulness:
 * later records are dropped and the embedder's log says why. */
static void write_record(struct vgpu *gpu, uint32_t type, const void *prefix, uint32_t prefix_len,
                         const void *body, uint32_t body_len)
{
	struct capture *capture = atomic_load_explicit(&gpu->capture, memory_order_acquire);
	uint8_t header[CAPTURE_RECORD_HEADER_SIZE];

	if (!capture)
		return;
	put_le(header, type, 4);
	put_le(header + 4, prefix_len + body_len, 4);
	pthread_mutex_lock(&capture->lock);
	if (!capture->failed) {
		bool ok = fwrite(header, sizeof(header), 1, capture->file) == 1 &&
		          (!prefix_len || fwrite(prefix, prefix_len, 1, capture->file) == 1) &&
		          (!body_len || fwrite(body, body_len, 1, capture->file) == 1);
		if (!ok) {
			capture->failed = true;
			if (gpu->ops.log_guest_error) {
				char line[320];
				snprintf(line, sizeof(line), "vgpu: capture to %s stopped: write failed: %s",
				         capture->path, strerror(errno));
				gpu->ops.log_guest_error(gpu->opaque, line);
			}
		}
	}
	pthread_mutex_unlock(&capture->lock);
}

void capture_note_reg_write(struct vgpu *gpu, uint32_t offset, uint32_t value)
{
	uint8_t payload[8];
	put_le(payload, offset, 4);
	put_le(payload + 4, value, 4);
	write_record(gpu, CAPTURE_RECORD_REG_WRITE, payload, 8, NULL, 0);
}

void capture_note_vblank(struct vgpu *gpu)
{
	write_record(gpu, CAPTURE_RECORD_VBLANK, NULL, 0, NULL, 0);
}

void capture_note_packet(struct vgpu *gpu, uint32_t ring_pos, const uint32_t *packet, uint32_t dwords)
{
	uint8_t prefix[4];
	uint8_t *body = malloc((size_t)dwords * 4);
	if (!body)
		return;
	put_le(prefix, ring_pos, 4);
	for (uint32_t i = 0; i < dwords; i++)
		put_le(body + 4 * i, packet[i], 4);
	write_record(gpu, CAPTURE_RECORD_PACKET, prefix, 4, body, dwords * 4);
	free(body);
}

/* Memory records are split so that no payload exceeds CAPTURE_MAX_PAYLOAD. */
static void write_memory(struct vgpu *gpu, uint32_t type, uint64_t pa, const void *data, uint64_t len)
{
	const uint8_t *bytes = data;
	while (len) {
		uint32_t chunk = len < CAPTURE_MAX_PAYLOAD - 8 ? (uint32_t)len : CAPTURE_MAX_PAYLOAD - 8;
		uint8_t prefix[8];
		put_le(prefix, pa, 8);
		write_record(gpu, type, prefix, 8, bytes, chunk);
		pa += chunk, bytes += chunk, len -= chunk;
	}
}

void capture_note_read(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len)
{
	write_memory(gpu, CAPTURE_RECORD_READ, pa, data, len);
}

void capture_note_refused_read(struct vgpu *gpu, uint64_t pa, uint64_t len)
{
	uint8_t payload[16];
	put_le(payload, pa, 8);
	put_le(payload + 8, len, 8);
	write_record(gpu, CAPTURE_RECORD_READ_REFUSED, payload, 16, NULL, 0);
}

void capture_note_memory(struct vgpu *gpu, uint64_t pa, const void *data, uint64_t len)
{
	write_memory(gpu, CAPTURE_RECORD_MEMORY, pa, data, len);
}

void capture_note_frame_locked(struct vgpu *gpu)
{
	const struct display_config *active = &gpu->display.active;
	if (!capture_active(gpu) || !(active->ctrl & VGPU_DISP_CTRL_ENABLE))
		return;
	uint64_t row = (uint64_t)active->width * format_bytes_per_pixel(active->format);
	uint8_t *buf = malloc(row);
	if (!buf)
		return;
	for (uint32_t y = 0; y < active->height; y++) {
		uint64_t pa = active->addr + (uint64_t)y * active->stride;
		struct vgpu_fault fault;
		if (mem_read_ring(gpu, pa, buf, row, &fault))
			capture_note_memory(gpu, pa, buf, row);
	}
	free(buf);
}

int vgpu_capture_start(struct vgpu *gpu, const char *path, char *error, size_t error_len)
{
	/* Checked before opening: a second start must not truncate the file of the first. Only the embedder's
	 * thread starts and stops captures, so the answer cannot change under us. */
	if (capture_active(gpu)) {
		snprintf(error, error_len, "vgpu_capture_start: a capture is already running; stop it first");
		return -1;
	}
	struct capture *capture = calloc(1, sizeof(*capture));
	if (!capture) {
		snprintf(error, error_len, "vgpu_capture_start: out of memory");
		return -1;
	}
	capture->file = fopen(path, "wb");
	if (!capture->file) {
		snprintf(error, error_len, "vgpu_capture_start: cannot create %s: %s", path, strerror(errno));
		free(capture);
		return -1;
	}
	pthread_mutex_init(&capture->lock, NULL);
	snprintf(capture->path, sizeof(capture->path), "%s", path);

	uint8_t header[CAPTURE_HEADER_SIZE];
	memcpy(header, CAPTURE_MAGIC, 8);
	put_le(header + 8, CAPTURE_VERSION, 4);
	put_le(header + 12, CAPTURE_HEADER_SIZE, 4);
	put_le(header + 16, gpu->vram_size, 8);

	/* The starting point: the device state, taken with the CP outside a packet. */
	vgpu_pause(gpu);
	size_t state_len = vgpu_state_size(gpu);
	uint8_t *state = malloc(state_len);
	bool ok = state && vgpu_state_save(gpu, state, state_len) == 0 &&
	          fwrite(header, sizeof(header), 1, capture->file) == 1;
	if (ok) {
		pthread_mutex_lock(&gpu->lock);
		/* Replay starts with an empty TLB; so does the capture, so both walk the same tables. */
		mmu_invalidate(&gpu->mmu);
		atomic_store_explicit(&gpu->capture, capture, memory_order_release);
		write_record(gpu, CAPTURE_RECORD_STATE, NULL, 0, state, (uint32_t)state_len);
		capture_note_frame_locked(gpu);
		pthread_mutex_unlock(&gpu->lock);
	}
	vgpu_resume(gpu);
	free(state);
	if (!ok) {
		snprintf(error, error_len,
		         "vgpu_capture_start: cannot write %s (out of memory or disk space)", path);
		fclose(capture->file);
		pthread_mutex_destroy(&capture->lock);
		free(capture);
		return -1;
	}
	return 0;
}

void vgpu_capture_stop(struct vgpu *gpu)
{
	/* The CP may be inside a record: take the capture away only while it is outside a packet. */
	pthread_mutex_lock(&gpu->lock);
	device_quiesce_locked(gpu);
	struct capture *capture = atomic_exchange(&gpu->capture, NULL);
	device_unquiesce_locked(gpu);
	pthread_mutex_unlock(&gpu->lock);
	if (!capture)
		return;
	fclose(capture->file);
	pthread_mutex_destroy(&capture->lock);
	free(capture);
}
