/* SPDX-License-Identifier: MIT */
/* Replay: a fresh GPU (paused, so its own CP thread never runs) is brought to the captured starting state,
 * then the records are applied in order: register writes through the register interface, each ring packet
 * through the CP's own executor on this thread. Every engine read asks replay_read() first, which takes the
 * next READ record from the file and puts its bytes in place, so each read sees exactly what it saw live.
 * Register writes and vblanks of the embedder's thread that arrive in the middle of a packet are deferred until
 * it ends (live, a reset or a ring stop waits for the packet too). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_format.h"
#include "core/device.h"
#include "cp/cp.h"
#include "draws.h"
#include "format/format.h"
#include "replay.h"
#include "sysmem.h"
#include "vgpu/vgpu.h"

struct record {
	uint32_t type, len;
	uint8_t *payload;
};

struct replay {
	FILE *file;
	uint64_t offset; /* of the next record, for messages */
	bool failed;
	char *error;
	size_t error_len;
	uint8_t *vram;
	uint64_t vram_size;
	struct sparse_memory sysmem;
	struct vgpu *gpu;
	struct record *deferred;
	size_t deferred_count, deferred_first, deferred_capacity;
	unsigned mismatched_reads;
};

static void fail(struct replay *r, const char *message)
{
	if (!r->failed)
		snprintf(r->error, r->error_len, "vgpu-replay: %s (at byte %llu of the capture)", message,
		         (unsigned long long)r->offset);
	r->failed = true;
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t value = 0;
	for (unsigned i = 0; i < bytes; i++)
		value |= (uint64_t)p[i] << (8 * i);
	return value;
}

/* The next record of the file; false at its end (a truncated last record counts as the end). */
static bool read_record(struct replay *r, struct record *record)
{
	uint8_t header[CAPTURE_RECORD_HEADER_SIZE];
	if (r->failed || fread(header, sizeof(header), 1, r->file) != 1)
		return false;
	record->type = (uint32_t)get_le(header, 4);
	record->len = (uint32_t)get_le(header + 4, 4);
	if (record->len > CAPTURE_MAX_PAYLOAD + 64) {
		fail(r, "a record is larger than the format allows: the file is corrupt or not a capture");
		return false;
	}
	record->payload = malloc(record->len ? record->len : 1);
	if (!record->payload || (record->len && fread(record->payload, record->len, 1, r->file) != 1)) {
		free(record->payload);
		return false;
	}
	r->offset += sizeof(header) + record->len;
	return true;
}

static bool defer(struct replay *r, struct record *record)
{
	if (r->deferred_count == r->deferred_capacity) {
		size_t capacity = r->deferred_capacity ? 2 * r->deferred_capacity : 16;
		struct record *grown = realloc(r->deferred, capacity * sizeof(*grown));
		if (!grown) {
			fail(r, "out of memory");
			return false;
		}
		r->deferred = grown;
		r->deferred_capacity = capacity;
	}
	r->deferred[r->deferred_count++] = *record;
	return true;
}

static bool next_record(struct replay *r, struct record *record)
{
	if (r->deferred_first < r->deferred_count) {
		*record = r->deferred[r->deferred_first++];
		if (r->deferred_first == r->deferred_count)
			r->deferred_first = r->deferred_count = 0;
		return true;
	}
	return read_record(r, record);
}

/* MEMORY and READ payloads: PA (u64) then the bytes. */
static void apply_memory(struct replay *r, const struct record *record)
{
	if (record->len < 8) {
		fail(r, "a memory record is too short");
		return;
	}
	uint64_t pa = get_le(record->payload, 8), len = record->len - 8;
	if (pa & VGPU_PA_SYSMEM) {
		if (!sparse_write(&r->sysmem, pa & ~VGPU_PA_SYSMEM, record->payload + 8, len))
			fail(r, "out of memory for the replayed system memory");
	} else if (pa > r->vram_size || len > r->vram_size - pa) {
		fail(r, "a memory record lies outside VRAM");
	} else {
		memcpy(r->vram + pa, record->payload + 8, len);
	}
}

static bool replay_read(void *opaque, uint64_t pa, uint64_t len)
{
	struct replay *r = opaque;
	struct record record;
	bool allowed = true;

	while (len && read_record(r, &record)) {
		if (record.type == CAPTURE_RECORD_READ && record.len >= 8) {
			uint64_t got = record.len - 8;
			if (get_le(record.payload, 8) != pa)
				r->mismatched_reads++;
			apply_memory(r, &record);
			free(record.payload);
			pa += got;
			len = got < len ? len - got : 0;
		} else if (record.type == CAPTURE_RECORD_MEMORY) {
			/* What the display read while this packet ran: in place now, at the same point of the
			 * packet's reads, it holds the packet's writes made so far, as it did live. */
			apply_memory(r, &record);
			free(record.payload);
		} else if (record.type == CAPTURE_RECORD_READ_REFUSED) {
			free(record.payload);
			allowed = false;
			break;
		} else if (!defer(r, &record)) {
			free(record.payload);
			break;
		}
	}
	return allowed;
}

static int replay_dma_read(void *opaque, uint64_t bus, void *dst, size_t len)
{
	struct replay *r = opaque;
	sparse_read(&r->sysmem, bus, dst, len);
	return 0;
}

static int replay_dma_write(void *opaque, uint64_t bus, const void *src, size_t len)
{
	struct replay *r = opaque;
	return sparse_write(&r->sysmem, bus, src, len) ? 0 : -1;
}

static void replay_irq_notify(void *opaque)
{
}

static const struct vgpu_host_ops replay_ops = {
        .dma_read = replay_dma_read,
        .dma_write = replay_dma_write,
        .irq_notify = replay_irq_notify,
};

/* The ring itself is not replayed (its packets are), so its registers are not either. */
static bool is_ring_register(uint32_t offset)
{
	return offset >= VGPU_REG_RING_BASE_LO && offset <= VGPU_REG_RING_HEAD_WB_HI;
}

static void apply_record(struct replay *r, const struct record *record)
{
	char message[200];
	switch (record->type) {
	case CAPTURE_RECORD_STATE:
		if (vgpu_state_load(r->gpu, record->payload, record->len, message, sizeof(message)) != 0)
			fail(r, message);
		break;
	case CAPTURE_RECORD_REG_WRITE:
		if (record->len != 8) {
			fail(r, "a register record has the wrong size");
			break;
		}
		if (!is_ring_register((uint32_t)get_le(record->payload, 4)))
			vgpu_reg_write(r->gpu, (uint32_t)get_le(record->payload, 4),
			               (uint32_t)get_le(record->payload + 4, 4));
		break;
	case CAPTURE_RECORD_PACKET: {
		uint32_t dwords = record->len >= 8 ? (record->len - 4) / 4 : 0;
		if (record->len < 8 || record->len % 4 ||
		    dwords != 1 + VGPU_PKT_LENGTH((uint32_t)get_le(record->payload + 4, 4))) {
			fail(r, "a packet record's size does not match its header");
			break;
		}
		uint32_t *packet = malloc(dwords * sizeof(uint32_t));
		if (!packet) {
			fail(r, "out of memory");
			break;
		}
		for (uint32_t i = 0; i < dwords; i++)
			packet[i] = (uint32_t)get_le(record->payload + 4 + 4 * i, 4);
		cp_execute_ring_packet(r->gpu, (uint32_t)get_le(record->payload, 4), packet);
		free(packet);
		break;
	}
	case CAPTURE_RECORD_READ: /* a read no replayed packet made: the replay went its own way */
		r->mismatched_reads++;
		apply_memory(r, record);
		break;
	case CAPTURE_RECORD_READ_REFUSED:
		r->mismatched_reads++;
		break;
	case CAPTURE_RECORD_MEMORY:
		apply_memory(r, record);
		break;
	case CAPTURE_RECORD_VBLANK:
		vgpu_vblank(r->gpu);
		break;
	default:
		snprintf(message, sizeof(message),
		         "unknown record type %u: the capture is newer than this tool", record->type);
		fail(r, message);
	}
}

static bool read_header(struct replay *r)
{
	uint8_t header[CAPTURE_HEADER_SIZE];
	if (fread(header, sizeof(header), 1, r->file) != 1 || memcmp(header, CAPTURE_MAGIC, 8) != 0) {
		fail(r, "not a vgpu capture (bad magic)");
		return false;
	}
	uint32_t version = (uint32_t)get_le(header + 8, 4), header_size = (uint32_t)get_le(header + 12, 4);
	r->vram_size = get_le(header + 16, 8);
	if (version != CAPTURE_VERSION || header_size != CAPTURE_HEADER_SIZE) {
		fail(r, "unsupported capture version");
		return false;
	}
	r->offset = CAPTURE_HEADER_SIZE;
	return true;
}

/* The displayed frame as RGB8, through the shared format conversions. */
static int grab_frame(struct replay *r, struct replay_image *image)
{
	struct vgpu_frame frame;
	vgpu_display_acquire(r->gpu, &frame);
	if (!frame.enabled) {
		vgpu_display_release(r->gpu);
		fail(r, "the display was off at the end of the capture: there is no frame to write");
		return -1;
	}
	image->width = frame.width;
	image->height = frame.height;
	image->rgb = malloc((size_t)frame.width * frame.height * 3);
	float *rgba = malloc((size_t)frame.width * 4 * sizeof(float));
	uint8_t *rgba8 = malloc((size_t)frame.width * 4);
	if (image->rgb && rgba && rgba8)
		for (uint32_t y = 0; y < frame.height; y++) {
			format_unpack_row(frame.format, frame.pixels + (size_t)y * frame.stride, rgba,
			                  frame.width);
			format_pack_row(VGPU_FORMAT_R8G8B8X8_UNORM, rgba, rgba8, frame.width);
			for (uint32_t x = 0; x < frame.width; x++)
				memcpy(image->rgb + ((size_t)y * frame.width + x) * 3, rgba8 + 4 * x, 3);
		}
	vgpu_display_release(r->gpu);
	free(rgba);
	free(rgba8);
	if (!image->rgb) {
		fail(r, "out of memory");
		return -1;
	}
	return 0;
}

int replay_capture(const char *path, struct replay_image *image, char *error, size_t error_len)
{
	return replay_capture_draws(path, NULL, image, error, error_len);
}

int replay_capture_draws(const char *path, const char *draw_dir, struct replay_image *image, char *error,
                         size_t error_len)
{
	struct replay r = {.error = error, .error_len = error_len};
	struct replay_draws draws = {.dir = draw_dir};
	char message[300];
	memset(image, 0, sizeof(*image));

	r.file = fopen(path, "rb");
	if (!r.file) {
		snprintf(error, error_len, "vgpu-replay: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (read_header(&r)) {
		r.vram = r.vram_size >= VGPU_VRAM_SIZE_MIN && r.vram_size <= VGPU_VRAM_SIZE_MAX
		                 ? calloc(1, r.vram_size)
		                 : NULL;
		struct vgpu_config config = {
		        .vram = r.vram, .vram_size = r.vram_size, .ops = &replay_ops, .opaque = &r};
		r.gpu = r.vram ? vgpu_create(&config, message, sizeof(message)) : NULL;
		if (!r.gpu)
			fail(&r, r.vram ? message
			                : "the capture's VRAM size is invalid or too large for this host");
	}
	if (r.gpu) {
		vgpu_pause(r.gpu);
		r.gpu->replay_opaque = &r;
		r.gpu->replay_read = replay_read;
		if (draw_dir)
			replay_draws_attach(r.gpu, &draws);
		struct record record;
		bool started = false;
		while (!r.failed && next_record(&r, &record)) {
			if (!started && record.type != CAPTURE_RECORD_STATE)
				fail(&r, "the capture does not start with the device state");
			started = true;
			if (!r.failed)
				apply_record(&r, &record);
			free(record.payload);
		}
		if (!r.failed && !started)
			fail(&r, "the capture holds no records");
		if (!r.failed && draws.failed)
			fail(&r, draws.error);
		/* With draw output a capture without a displayed frame is fine: the draws are the result. */
		bool displayed = vgpu_reg_read(r.gpu, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_ENABLED;
		if (!r.failed && (displayed || !draw_dir))
			grab_frame(&r, image);
		r.gpu->replay_read = NULL;
		vgpu_destroy(r.gpu);
	}
	while (r.deferred_first < r.deferred_count)
		free(r.deferred[r.deferred_first++].payload);
	free(r.deferred);
	if (r.mismatched_reads && !r.failed)
		fprintf(stderr,
		        "vgpu-replay: warning: %u reads did not match the capture; the image may differ\n",
		        r.mismatched_reads);
	sparse_free(&r.sysmem);
	free(r.vram);
	fclose(r.file);
	if (r.failed)
		replay_image_free(image);
	return r.failed ? -1 : 0;
}

void replay_image_free(struct replay_image *image)
{
	free(image->rgb);
	image->rgb = NULL;
}
