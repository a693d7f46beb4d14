/* SPDX-License-Identifier: MIT */
/* Device state save/load for snapshots and migration (spec 12). One visitor walks the fields for sizing,
 * saving and loading, so the three cannot drift apart. The blob is little-endian and versioned; a loaded blob
 * is untrusted and checked with the same rules register writes follow. */
#include <stdio.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/engine3d.h"
#include "mmu/memory.h"

#define STATE_MAGIC 0x53505856u /* "VXPS" */
/* 2: the 3D state follows the registers (engine3d_state_save). 3 (hardware 1.1): the occlusion counter
 * follows the registers and the 3D state may hold 1.1 packets, which a reader of version 2 would refuse one
 * by one. Version 2 blobs load: the 1.1 state stays at reset, the counter 0. */
#define STATE_VERSION     3
#define STATE_VERSION_MIN 2

enum state_mode { STATE_SIZE, STATE_SAVE, STATE_LOAD };

struct state_io {
	enum state_mode mode;
	uint8_t *buf;
	size_t len, pos;
	bool overrun;
};

static void visit_bytes(struct state_io *io, void *value, unsigned bytes)
{
	uint64_t v = 0;
	if (io->pos + bytes > io->len && io->mode != STATE_SIZE) {
		io->overrun = true;
		return;
	}
	switch (io->mode) {
	case STATE_SIZE:
		break;
	case STATE_SAVE:
		if (bytes == 1)
			v = *(uint8_t *)value;
		else if (bytes == 2)
			v = *(uint16_t *)value;
		else if (bytes == 4)
			v = *(uint32_t *)value;
		else
			v = *(uint64_t *)value;
		for (unsigned i = 0; i < bytes; i++)
			io->buf[io->pos + i] = (uint8_t)(v >> (8 * i));
		break;
	case STATE_LOAD:
		for (unsigned i = 0; i < bytes; i++)
			v |= (uint64_t)io->buf[io->pos + i] << (8 * i);
		if (bytes == 1)
			*(uint8_t *)value = (uint8_t)v;
		else if (bytes == 2)
			*(uint16_t *)value = (uint16_t)v;
		else if (bytes == 4)
			*(uint32_t *)value = (uint32_t)v;
		else
			*(uint64_t *)value = v;
		break;
	}
	io->pos += bytes;
}

static void u8(struct state_io *io, bool *value)
{
	uint8_t byte = *value;
	visit_bytes(io, &byte, 1);
	*value = byte != 0;
}
#define U16(io, v) visit_bytes(io, &(v), 2)
#define U32(io, v) visit_bytes(io, &(v), 4)
#define U64(io, v) visit_bytes(io, &(v), 8)

static void visit_config(struct state_io *io, struct display_config *c)
{
	U32(io, c->ctrl), U64(io, c->addr), U32(io, c->format), U32(io, c->stride), U32(io, c->width);
	U32(io, c->height);
}

/* The device state that is not derived: what spec 12 says a snapshot keeps. */
struct saved_state {
	uint32_t scratch, timestamp_hi_latch;
	uint16_t context_asid;
	uint64_t context_root;
	struct irq_state irq;
	struct fault_record fault;
	struct ring_state ring;
	struct display_config shadow, active;
	bool commit_pending, commit_failed;
	uint32_t vblank_count, preferred_width, preferred_height, cursor_ctrl, cursor_pos;
	uint64_t vblank_time, cursor_addr;
	uint64_t samples_passed; /* version 3 */
};

static void visit_state(struct state_io *io, struct saved_state *s)
{
	uint32_t magic = STATE_MAGIC, version = STATE_VERSION;
	U32(io, magic), U32(io, version);
	if (io->mode == STATE_LOAD &&
	    (magic != STATE_MAGIC || version < STATE_VERSION_MIN || version > STATE_VERSION)) {
		io->overrun = true;
		return;
	}
	U32(io, s->scratch), U32(io, s->timestamp_hi_latch), U16(io, s->context_asid),
	        U64(io, s->context_root);
	U32(io, s->irq.status), U32(io, s->irq.mask), U32(io, s->irq.messages), u8(io, &s->irq.level);
	U32(io, s->fault.status), U32(io, s->fault.type), U32(io, s->fault.asid), U64(io, s->fault.addr);
	U32(io, s->fault.info), U32(io, s->fault.ring_pos), U32(io, s->fault.ib_pos), U32(io, s->fault.count);
	U64(io, s->ring.base), U32(io, s->ring.size), U32(io, s->ring.head), U32(io, s->ring.tail);
	U32(io, s->ring.ctrl), U64(io, s->ring.head_wb), U64(io, s->ring.fence_seq),
	        U32(io, s->ring.watchdog);
	visit_config(io, &s->shadow), visit_config(io, &s->active);
	u8(io, &s->commit_pending), u8(io, &s->commit_failed);
	U32(io, s->vblank_count), U64(io, s->vblank_time), U32(io, s->preferred_width);
	U32(io, s->preferred_height), U32(io, s->cursor_ctrl), U64(io, s->cursor_addr),
	        U32(io, s->cursor_pos);
	if (version >= 3)
		U64(io, s->samples_passed);
}

static void gather_locked(struct vgpu *gpu, struct saved_state *s)
{
	const struct display_state *d = &gpu->display;
	memset(s, 0, sizeof(*s));
	s->scratch = gpu->scratch, s->timestamp_hi_latch = gpu->timestamp_hi_latch;
	s->context_asid = gpu->mmu.asid, s->context_root = gpu->mmu.root;
	s->irq = gpu->irq, s->fault = gpu->fault, s->ring = gpu->ring;
	s->shadow = d->shadow, s->active = d->active;
	s->commit_pending = d->commit_pending, s->commit_failed = d->commit_failed;
	s->vblank_count = d->vblank_count, s->vblank_time = d->vblank_time;
	s->preferred_width = d->preferred_width, s->preferred_height = d->preferred_height;
	s->cursor_ctrl = d->cursor_ctrl, s->cursor_addr = d->cursor_addr, s->cursor_pos = d->cursor_pos;
	s->samples_passed = engine3d_samples_passed(gpu->engine3d);
}

/* The pause suspended a ring packet mid-way. The snapshot cannot hold an engine's progress, so it records the
 * packet as cut short at this point (spec 12): HEAD past it and a WATCHDOG fault naming it, with FAULT_ADDR 1
 * (cut short by the host). The running device is not changed: it finishes the packet when it resumes. */
static void save_as_cut_short_locked(struct vgpu *gpu, struct saved_state *s)
{
	if (gpu->exec.generation != gpu->ring.generation)
		return; /* the ring was disabled or reset under it: nothing to continue */
	s->ring.head = gpu->exec.next_head;
	struct vgpu_fault cut = {.type = VGPU_FAULT_WATCHDOG,
	                         .addr = VGPU_WATCHDOG_ADDR_CUT_SHORT,
	                         .info = VGPU_PKT_OPCODE(gpu->exec.header) |
	                                 FAULT_INFO_ENGINE(VGPU_ENGINE_CP)};
	fault_record_latch(&s->fault, &cut, gpu->mmu.asid, gpu->exec.ring_pos, FAULT_POS_NONE);
	bool was_pending = s->irq.status & s->irq.mask & VGPU_INT_FAULT;
	s->irq.status |= VGPU_INT_FAULT;
	if (!was_pending && (s->irq.mask & VGPU_INT_FAULT)) {
		s->irq.messages |= 1u << VGPU_INT_VECTOR(16);
		s->irq.level = true;
	}
}

size_t vgpu_state_size(struct vgpu *gpu)
{
	struct saved_state s = {0};
	struct state_io io = {.mode = STATE_SIZE};
	visit_state(&io, &s);
	return io.pos + 4 + engine3d_state_save(gpu->engine3d, NULL, 0);
}

/* The 3D state's part of the blob: its length as a u32, then engine3d's list of state packets. */
static bool save_3d(struct vgpu *gpu, struct state_io *io)
{
	size_t len = engine3d_state_save(gpu->engine3d, NULL, 0);
	uint32_t len32 = (uint32_t)len;
	visit_bytes(io, &len32, 4);
	if (io->overrun || io->len - io->pos < len)
		return false;
	io->pos += engine3d_state_save(gpu->engine3d, io->buf + io->pos, len);
	return true;
}

int vgpu_state_save(struct vgpu *gpu, void *buf, size_t len)
{
	struct saved_state s;
	struct state_io io = {.mode = STATE_SAVE, .buf = buf, .len = len};

	pthread_mutex_lock(&gpu->lock);
	if (gpu->embedder_pauses == 0 || gpu->engines_running > 0) {
		pthread_mutex_unlock(&gpu->lock);
		return -1;
	}
	gather_locked(gpu, &s);
	if (gpu->cp_executing)
		save_as_cut_short_locked(gpu, &s);
	pthread_mutex_unlock(&gpu->lock);
	visit_state(&io, &s);
	return !io.overrun && save_3d(gpu, &io) ? 0 : -1;
}

/* Why s cannot be the state of a device, or NULL if it can. */
static const char *state_problem(const struct vgpu *gpu, const struct saved_state *s)
{
	const struct ring_state *ring = &s->ring;
	if ((s->irq.status | s->irq.mask) & ~VGPU_INT_ALL || s->irq.messages >> VGPU_MSIX_VECTORS)
		return "interrupt registers hold undefined bits";
	if (s->fault.status & ~(VGPU_FAULT_STATUS_VALID | VGPU_FAULT_STATUS_OVERFLOW))
		return "FAULT_STATUS holds undefined bits";
	if (ring->ctrl & ~VGPU_RING_CTRL_ENABLE || ring->watchdog == 0 || (ring->head_wb & 6))
		return "a CP register holds a value the device never accepts";
	if (ring->ctrl & VGPU_RING_CTRL_ENABLE) {
		if (!ring_config_valid(gpu, ring->base, ring->size))
			return "the enabled ring's base or size is invalid";
		if (ring->head % 4 || ring->head >= ring->size || ring->tail % 4 || ring->tail >= ring->size)
			return "ring HEAD or TAIL lies outside the ring";
	} else if (ring->head % 4 || ring->head >= VGPU_RING_SIZE_MAX || ring->tail % 4 ||
	           ring->tail >= VGPU_RING_SIZE_MAX) {
		return "ring HEAD or TAIL lies outside any ring";
	}
	if (s->context_asid == 0 && s->context_root != 0)
		return "a page-table root without a context";
	if (s->context_asid && ((s->context_root & (VGPU_PAGE_SIZE - 1)) ||
	                        !pa_range_valid(gpu, s->context_root, VGPU_PAGE_SIZE)))
		return "the current context's root table lies outside memory";
	if (!(s->active.ctrl & VGPU_DISP_CTRL_ENABLE) ? s->active.ctrl != 0
	                                              : display_config_check(gpu, &s->active))
		return "the active display state cannot scan out";
	if (s->cursor_ctrl & ~VGPU_CURSOR_CTRL_ENABLE)
		return "CURSOR_CTRL holds undefined bits";
	if (s->preferred_width < 1 || s->preferred_width > VGPU_MAX_SURFACE_DIM || s->preferred_height < 1 ||
	    s->preferred_height > VGPU_MAX_SURFACE_DIM)
		return "the preferred mode is out of range";
	return NULL;
}

static void apply_locked(struct vgpu *gpu, const struct saved_state *s)
{
	struct display_state *d = &gpu->display;
	gpu->scratch = s->scratch, gpu->timestamp_hi_latch = s->timestamp_hi_latch;
	gpu->context_asid = s->context_asid;
	gpu->mmu.asid = s->context_asid, gpu->mmu.root = s->context_root;
	gpu->irq = s->irq;
	gpu->irq.level = (s->irq.status & s->irq.mask) != 0;
	gpu->fault = s->fault;
	uint32_t generation = gpu->ring.generation;
	gpu->ring = s->ring;
	gpu->ring.generation = generation + 1;
	d->shadow = s->shadow, d->active = s->active;
	d->commit_pending = s->commit_pending, d->commit_failed = s->commit_failed;
	d->vblank_count = s->vblank_count, d->vblank_time = s->vblank_time;
	d->preferred_width = s->preferred_width, d->preferred_height = s->preferred_height;
	d->cursor_ctrl = s->cursor_ctrl, d->cursor_addr = s->cursor_addr, d->cursor_pos = s->cursor_pos;
	d->cursor_addr_valid = display_cursor_addr_valid(gpu, d->cursor_addr);
	d->damaged = false;
	d->acquired_once = false; /* the embedder sees a mode change and redraws everything */
}

int vgpu_state_load(struct vgpu *gpu, const void *buf, size_t len, char *error, size_t error_len)
{
	struct saved_state s;
	struct state_io io = {.mode = STATE_LOAD, .buf = (uint8_t *)buf, .len = len};
	const char *problem = NULL;

	memset(&s, 0, sizeof(s));
	visit_state(&io, &s);
	uint32_t len_3d = 0;
	visit_bytes(&io, &len_3d, 4);
	if (io.overrun || len_3d != len - io.pos)
		problem = "the blob is not a vgpu state of this version (wrong size or magic)";
	char problem_3d[200];
	pthread_mutex_lock(&gpu->lock);
	device_abort_and_quiesce_locked(gpu);
	if (!problem)
		problem = state_problem(gpu, &s);
	device_reset_locked(gpu);
	if (!problem) {
		apply_locked(gpu, &s);
		if (engine3d_state_load(gpu->engine3d, io.buf + io.pos, len_3d, problem_3d,
		                        sizeof(problem_3d))) {
			problem = problem_3d;
			device_reset_locked(gpu); /* the device stays reset, as for any rejected blob */
		} else {
			engine3d_set_samples_passed(gpu->engine3d, s.samples_passed);
			if (gpu->irq.messages || gpu->irq.level)
				gpu->ops.irq_notify(gpu->opaque);
		}
	}
	device_unquiesce_locked(gpu);
	pthread_cond_broadcast(&gpu->cp_cond);
	pthread_mutex_unlock(&gpu->lock);
	if (problem) {
		if (error && error_len)
			snprintf(error, error_len, "vgpu_state_load: %s", problem);
		return -1;
	}
	return 0;
}
