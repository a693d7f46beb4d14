/* SPDX-License-Identifier: MIT */
/* The device object every block hangs off, and the rules that keep its threads apart:
 * - gpu->lock guards every register-visible field (irq, fault, ring, display, context_asid). It is held only
 *   briefly, never across the execution of a packet, so register reads never wait for engine work.
 * - Packet execution (CP thread, or vgpu-replay with the GPU paused) owns gpu->mmu and the scratch buffers.
 * - cp_executing tells pause/reset/RING_CTRL when the CP is inside a packet; they wait on cp_cond.
 * - Preemption (spec 12): the engines call device_checkpoint at bounded intervals. An abort request (reset,
 *   ring disable, destroy, state load) makes it return false, and the packet ends there; a pause request
 *   (vgpu_pause) parks the calling thread there until resume, so a pause takes effect mid-packet and the
 * packet goes on afterwards. engines_running counts the threads inside packet work that are not parked. */
#ifndef VGPU_CORE_DEVICE_H
#define VGPU_CORE_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/fault.h"
#include "core/irq.h"
#include "display/display.h"
#include "mmu/mmu.h"
#include "vgpu/vgpu.h"

struct capture;
struct engine3d;

struct ring_state {
	uint64_t base;
	uint32_t size, head, tail, ctrl;
	uint64_t head_wb; /* RING_HEAD_WB_HI:LO as written */
	uint64_t fence_seq;
	uint32_t watchdog;
	uint32_t
	        generation; /* bumped when the ring is (re)enabled or reset: a stale HEAD update is dropped */
};

/* Scratch memory of the executing thread, allocated once. */
struct cp_scratch {
	uint32_t *packet; /* one ring packet: header + up to 65535 payload dwords */
	uint32_t *ib;     /* one indirect buffer */
	uint8_t *row[2];  /* 2D rows: VGPU_MAX_SURFACE_DIM pixels of 16 bytes */
	float *rgba[2];   /* the same as float RGBA */
};

struct vgpu {
	uint8_t *vram;
	uint64_t vram_size;
	struct vgpu_host_ops ops;
	void *opaque;
	uint32_t refresh_mhz;

	pthread_mutex_t lock;
	pthread_cond_t cp_wake; /* the CP thread waits here for work */
	pthread_cond_t cp_cond; /* others wait here for the CP to leave a packet */
	pthread_t cp_thread;
	bool cp_thread_started;
	bool cp_quit;
	bool cp_executing;
	/* Reset and destroy cut the packet in execution short instead of waiting out a watchdog budget the
	 * guest may have set to hours. */
	atomic_bool cp_abort;
	uint32_t cp_stalled_tail; /* the CP waits for TAIL to move past this (a partial packet) */
	bool cp_stalled;
	unsigned pause_count;
	/* vgpu_pause nesting; while non-zero, pause_request parks the engines at their checkpoints */
	unsigned embedder_pauses;
	atomic_bool pause_request;
	unsigned engines_running;
	pthread_cond_t park_cond; /* parked engine threads wait here for resume or abort */
	/* The ring packet the CP thread executes (written before its first checkpoint), so a state saved
	 * while it is parked can record it as cut short (spec 12). */
	struct {
		uint32_t ring_pos, next_head, generation, header;
	} exec;

	uint32_t scratch;
	uint32_t timestamp_hi_latch;
	uint16_t context_asid;
	struct irq_state irq;
	struct fault_record fault;
	struct ring_state ring;
	struct display_state display;

	struct mmu mmu;
	atomic_uint mmu_invalidations; /* MMU_INVALIDATE register writes */
	struct cp_scratch cp;
	struct engine3d *engine3d; /* the 3D pipeline and its render workers */

	_Atomic(struct capture *) capture;
	/* vgpu-replay only: called before every engine read so the recorded bytes can be put in place first;
	 * returning false makes the read fail as the host refused it. Set while the GPU is paused. */
	bool (*replay_read)(void *opaque, uint64_t pa, uint64_t len);
	void *replay_opaque;
};

uint64_t device_clock_ns(struct vgpu *gpu);

/* A preemption point of the engines (any thread inside packet work): false when the packet must end now;
 * parks while the embedder has the GPU paused. Two relaxed atomic loads when nothing is requested. */
bool device_checkpoint(struct vgpu *gpu);
/* Render worker threads joining and leaving packet work (the CP thread is counted by the CP itself), and the
 * CP thread stepping out while it waits for them; entering parks while paused. */
void device_engine_enter(struct vgpu *gpu);
void device_engine_leave(struct vgpu *gpu);
/* Abort the packet in execution (it ends at its next checkpoint) and wait until the CP is outside a packet
 * (gpu->lock held); device_unquiesce_locked lets it go on with the next packet. */
void device_abort_and_quiesce_locked(struct vgpu *gpu);

/* Wait (gpu->lock held) until the CP is outside a packet and keep it out until device_unquiesce_locked. */
void device_quiesce_locked(struct vgpu *gpu);
void device_unquiesce_locked(struct vgpu *gpu);
/* Reset every register and engine (spec 12); the CP must be quiesced. */
void device_reset_locked(struct vgpu *gpu);

/* Register blocks (regs.c) used by state load to validate values the same way writes do. */
bool ring_config_valid(const struct vgpu *gpu, uint64_t base, uint32_t size);

#endif
