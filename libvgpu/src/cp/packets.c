/* SPDX-License-Identifier: MIT */
/* Packet decoding (spec 5.3), indirect buffers (5.2), the watchdog (5.5) and the CP's own packets (6.1). */
#include "cp/cp.h"

#include "capture/capture.h"
#include "core/device.h"
#include "engine2d/engine2d.h"
#include "engine3d/engine3d.h"
#include "mmu/memory.h"

bool cp_fail(struct cp_job *job, uint32_t type, uint64_t addr)
{
	job->fault = (struct vgpu_fault){.type = type, .addr = addr};
	return false;
}

bool cp_charge(struct cp_job *job, uint64_t units)
{
	if (units > job->budget) {
		job->budget = 0;
		return cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
	}
	job->budget -= units;
	return true;
}

bool cp_keep_going(struct cp_job *job)
{
	if (!device_checkpoint(job->gpu))
		return cp_fail(job, VGPU_FAULT_WATCHDOG, 0);
	return true;
}

/* A packet cut short by an abort request (reset, ring disable) records no fault: the driver asked for it. */
static void raise_unless_cut_short(struct vgpu *gpu, const struct vgpu_fault *fault, uint32_t ring_pos,
                                   uint32_t ib_pos)
{
	if (!atomic_load(&gpu->cp_abort))
		fault_raise(gpu, fault, gpu->mmu.asid, ring_pos, ib_pos);
}

static uint64_t dwords_to_u64(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

static bool run_nop(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	return true;
}

static bool run_set_context(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	uint32_t asid = payload[0];
	uint64_t root = dwords_to_u64(payload[1], payload[2]);

	if (asid == 0 || asid > 65535)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 0);
	if (root & (VGPU_PAGE_SIZE - 1))
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 1);
	if (!mmu_set_context(job->gpu, (uint16_t)asid, root, &job->fault))
		return false;
	pthread_mutex_lock(&job->gpu->lock);
	job->gpu->context_asid = (uint16_t)asid;
	pthread_mutex_unlock(&job->gpu->lock);
	return true;
}

static void store_u64(uint8_t *bytes, uint64_t value)
{
	for (int i = 0; i < 8; i++)
		bytes[i] = (uint8_t)(value >> (8 * i));
}

static bool run_fence(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	uint64_t pa = dwords_to_u64(payload[0], payload[1]);
	uint64_t seq = dwords_to_u64(payload[2], payload[3]);
	uint32_t flags = payload[4];
	uint8_t bytes[8];

	if (flags & ~VGPU_FENCE_FLAG_INTERRUPT)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 4);
	if (pa & 7) {
		job->fault = (struct vgpu_fault){
		        .type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = pa, .info = VGPU_FAULT_INFO_WRITE};
		return false;
	}
	store_u64(bytes, seq);
	if (!mem_write(job->gpu, pa, bytes, 8, &job->fault))
		return false;
	pthread_mutex_lock(&job->gpu->lock);
	job->gpu->ring.fence_seq = seq;
	if (flags & VGPU_FENCE_FLAG_INTERRUPT)
		irq_raise_locked(job->gpu, VGPU_INT_FENCE);
	pthread_mutex_unlock(&job->gpu->lock);
	return true;
}

static bool run_mmu_invalidate(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	mmu_invalidate(&job->gpu->mmu);
	return true;
}

/* A virtual write target must be aligned to `alignment` bytes (spec 6.1). */
static bool va_aligned(struct cp_job *job, uint64_t va, unsigned alignment)
{
	if (va & (alignment - 1)) {
		job->fault = (struct vgpu_fault){
		        .type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = va, .info = VGPU_FAULT_INFO_WRITE};
		return false;
	}
	return true;
}

static bool run_write_data(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	uint64_t va = dwords_to_u64(payload[0], payload[1]);
	uint32_t count = length - 2;
	uint8_t *bytes = (uint8_t *)job->gpu->cp.row[0];

	if (!va_aligned(job, va, 4))
		return false;
	/* Little-endian in memory whatever the host's byte order. */
	for (uint32_t i = 0; i < count; i++)
		for (int b = 0; b < 4; b++)
			bytes[4 * i + b] = (uint8_t)(payload[2 + i] >> (8 * b));
	return va_write(job->gpu, va, bytes, (uint64_t)count * 4, &job->fault);
}

static bool run_timestamp(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	uint64_t va = dwords_to_u64(payload[0], payload[1]);
	uint8_t bytes[8];

	if (!va_aligned(job, va, 8))
		return false;
	store_u64(bytes, device_clock_ns(job->gpu));
	return va_write(job->gpu, va, bytes, 8, &job->fault);
}

static bool run_indirect(struct cp_job *job, const uint32_t *payload, uint32_t length);

#define CP_PACKET(fn, len, ring)                                                                             \
	{                                                                                                    \
		.run = fn, .length = len, .ring_only = ring, .engine = VGPU_ENGINE_CP                        \
	}
#define PACKET_3D(len)                                                                                       \
	{                                                                                                    \
		.run = engine3d_packet, .length = len, .engine = VGPU_ENGINE_3D                              \
	}

static const struct cp_packet_desc packet_table[256] = {
        [VGPU_PKT_NOP] = {.run = run_nop, .length = 0, .variable_length = true, .engine = VGPU_ENGINE_CP},
        [VGPU_PKT_INDIRECT] = CP_PACKET(run_indirect, 3, true),
        [VGPU_PKT_SET_CONTEXT] = CP_PACKET(run_set_context, 3, true),
        [VGPU_PKT_FENCE] = CP_PACKET(run_fence, 5, true),
        [VGPU_PKT_MMU_INVALIDATE] = CP_PACKET(run_mmu_invalidate, 0, true),
        [VGPU_PKT_WRITE_DATA] = {.run = run_write_data,
                                 .length = 3,
                                 .variable_length = true,
                                 .engine = VGPU_ENGINE_CP},
        [VGPU_PKT_TIMESTAMP] = CP_PACKET(run_timestamp, 2, false),
        [VGPU_PKT_FILL] = {.run = engine2d_fill, .length = 7, .engine = VGPU_ENGINE_2D},
        [VGPU_PKT_COPY] = {.run = engine2d_copy, .length = 11, .engine = VGPU_ENGINE_2D},
        [VGPU_PKT_BLIT] = {.run = engine2d_blit, .length = 13, .engine = VGPU_ENGINE_2D},
        [VGPU_PKT_SET_RENDER_TARGETS] = PACKET_3D(22),
        [VGPU_PKT_SET_VIEWPORT] = PACKET_3D(6),
        [VGPU_PKT_SET_SCISSOR] = PACKET_3D(2),
        [VGPU_PKT_SET_RASTER] = PACKET_3D(3),
        [VGPU_PKT_SET_DEPTH_STENCIL] = PACKET_3D(5),
        [VGPU_PKT_SET_BLEND] = PACKET_3D(8),
        [VGPU_PKT_SET_SHADER] = PACKET_3D(4),
        [VGPU_PKT_SET_VERTEX_BUFFER] = PACKET_3D(5),
        [VGPU_PKT_SET_VERTEX_ATTRIB] = PACKET_3D(4),
        [VGPU_PKT_SET_UNIFORM_BUFFER] = PACKET_3D(4),
        [VGPU_PKT_SET_TEXTURE] = PACKET_3D(6),
        [VGPU_PKT_SET_SAMPLER] = PACKET_3D(5),
        [VGPU_PKT_SET_INDEX_BUFFER] = PACKET_3D(4),
        [VGPU_PKT_SET_DEPTH_BIAS] = PACKET_3D(3),
        [VGPU_PKT_SET_POINT_SPRITE] = PACKET_3D(1),
        [VGPU_PKT_DRAW] = PACKET_3D(4),
        [VGPU_PKT_DRAW_INDEXED] = PACKET_3D(5),
        [VGPU_PKT_CLEAR] = PACKET_3D(7),
        [VGPU_PKT_OCCLUSION_COUNT] = PACKET_3D(2),
};

const struct cp_packet_desc *cp_packet_lookup(uint32_t opcode)
{
	return opcode < 256 && packet_table[opcode].run ? &packet_table[opcode] : NULL;
}

/* Decode and run one packet whose dwords are all present. On a fault, job->fault is complete (FAULT_INFO
 * with opcode and engine) and false is returned. */
static bool run_packet(struct cp_job *job, const uint32_t *packet, bool in_ib)
{
	uint32_t header = packet[0];
	uint32_t opcode = VGPU_PKT_OPCODE(header);
	uint32_t length = VGPU_PKT_LENGTH(header);
	const struct cp_packet_desc *desc = cp_packet_lookup(opcode);
	bool ok;

	if (!cp_charge(job, 1) || !cp_keep_going(job))
		ok = false;
	else if (VGPU_PKT_RESERVED(header))
		ok = cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, FAULT_POS_NONE);
	else if (!desc)
		ok = cp_fail(job, VGPU_FAULT_BAD_OPCODE, header);
	else if (desc->variable_length ? length < desc->length : length != desc->length)
		ok = cp_fail(job, VGPU_FAULT_BAD_PACKET_LENGTH, header);
	else if (in_ib && desc->ring_only)
		ok = cp_fail(job, VGPU_FAULT_PRIVILEGED_PACKET, header);
	else
		ok = desc->run(job, packet + 1, length);
	if (!ok)
		job->fault.info = (job->fault.info & VGPU_FAULT_INFO_WRITE) | opcode |
		                  FAULT_INFO_ENGINE(desc ? desc->engine : VGPU_ENGINE_CP);
	return ok;
}

static bool run_indirect(struct cp_job *job, const uint32_t *payload, uint32_t length)
{
	struct vgpu *gpu = job->gpu;
	uint64_t va = dwords_to_u64(payload[0], payload[1]);
	uint32_t size = payload[2];
	uint32_t *ib = gpu->cp.ib;

	if (va & 3)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 0);
	if (size == 0 || size > VGPU_IB_MAX_DWORDS)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 2);

	/* Read what translates; a packet reaching into the part that did not faults with the read's fault. */
	struct vgpu_fault read_fault = {0};
	uint32_t readable = (uint32_t)(va_read_prefix(gpu, va, ib, (uint64_t)size * 4, &read_fault) / 4);
	uint32_t pos = 0;
	while (pos < size) {
		uint32_t dwords = 1 + VGPU_PKT_LENGTH(pos < readable ? ib[pos] : 0);
		bool ok;
		if (pos >= readable) {
			job->fault = read_fault;
			ok = false;
		} else if (dwords > size - pos) {
			ok = cp_fail(job, VGPU_FAULT_IB_OVERRUN, ib[pos]);
		} else if (dwords > readable - pos) {
			job->fault = read_fault;
			ok = false;
		} else {
			ok = run_packet(job, ib + pos, true);
		}
		if (!ok) {
			if (pos >= readable || dwords > readable - pos || dwords > size - pos)
				job->fault.info = (job->fault.info & VGPU_FAULT_INFO_WRITE) |
				                  (pos < readable ? VGPU_PKT_OPCODE(ib[pos]) : 0);
			/* Recorded here: the INDIRECT itself completes, and the ring goes on (spec 8.2). */
			raise_unless_cut_short(gpu, &job->fault, job->ring_pos, pos);
			return true;
		}
		pos += dwords;
	}
	return true;
}

void cp_execute_ring_packet(struct vgpu *gpu, uint32_t ring_pos, const uint32_t *packet)
{
	struct cp_job job = {.gpu = gpu, .ring_pos = ring_pos};

	pthread_mutex_lock(&gpu->lock);
	job.budget = (uint64_t)gpu->ring.watchdog * 65536;
	pthread_mutex_unlock(&gpu->lock);
	if (capture_active(gpu))
		capture_note_packet(gpu, ring_pos, packet, 1 + VGPU_PKT_LENGTH(packet[0]));
	if (!run_packet(&job, packet, false))
		raise_unless_cut_short(gpu, &job.fault, ring_pos, FAULT_POS_NONE);
}
