/* SPDX-License-Identifier: MIT */
/* The command processor (spec section 5): its worker thread takes packets from the ring and executes them
 * one at a time; packet handlers of every engine run on it. */
#ifndef VGPU_CP_H
#define VGPU_CP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/fault.h"
#include "vgpu/vgpu_hw.h"

struct vgpu;

/* The ring-level packet being executed, with its watchdog budget (spec 5.5). */
struct cp_job {
	struct vgpu *gpu;
	uint32_t ring_pos;
	uint64_t budget;         /* work units left */
	struct vgpu_fault fault; /* filled by a handler that returns false */
};

/* A packet handler: payload dwords as the header's length says. Returns false with job->fault filled. */
typedef bool (*cp_packet_fn)(struct cp_job *job, const uint32_t *payload, uint32_t length);

/* Spend work units; false (with a WATCHDOG fault) when the budget ran out. */
bool cp_charge(struct cp_job *job, uint64_t units);
/* Long loops call this at bounded intervals (a preemption point, spec 12): false (with a WATCHDOG fault, not
 * recorded) when a reset, ring disable or destroy ends the packet; parks while the embedder pauses the GPU.
 */
bool cp_keep_going(struct cp_job *job);
/* Fill job->fault and return false, for handlers: `return cp_fail(job, VGPU_FAULT_..., addr);` */
bool cp_fail(struct cp_job *job, uint32_t type, uint64_t addr);

/* Start and stop the worker thread. */
int cp_start(struct vgpu *gpu);
void cp_stop(struct vgpu *gpu);

/* Execute one complete ring packet (header + payload) the way the CP thread does: faults recorded, work
 * bounded by the watchdog. For the CP thread and for vgpu-replay (with the GPU paused). */
void cp_execute_ring_packet(struct vgpu *gpu, uint32_t ring_pos, const uint32_t *packet);

/* Handlers of the CP's own packets and the packet table (packets.c). */
struct cp_packet_desc {
	cp_packet_fn run;
	uint16_t length;
	bool variable_length; /* length is a minimum */
	bool ring_only;
	uint8_t engine; /* VGPU_ENGINE_* for FAULT_INFO */
};
const struct cp_packet_desc *cp_packet_lookup(uint32_t opcode);

#endif
