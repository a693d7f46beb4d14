/* SPDX-License-Identifier: MIT */
/* The CP worker thread: waits for the doorbell, fetches whole packets from the ring and executes them in
 * order (spec 5.1). gpu->lock is dropped while a packet executes. */
#include "cp/cp.h"

#include <string.h>

#include "core/device.h"
#include "mmu/memory.h"

/* What the thread saw of the ring when it took a packet. */
struct ring_view {
	uint64_t base, head_wb;
	uint32_t size, head, tail, generation;
};

static bool ring_has_work_locked(const struct vgpu *gpu)
{
	const struct ring_state *ring = &gpu->ring;
	if (!(ring->ctrl & VGPU_RING_CTRL_ENABLE) || ring->head == ring->tail)
		return false;
	return !(gpu->cp_stalled && gpu->cp_stalled_tail == ring->tail);
}

static bool read_ring(struct vgpu *gpu, const struct ring_view *view, uint32_t offset, uint32_t *dst,
                      uint32_t dwords, struct vgpu_fault *fault)
{
	uint32_t bytes = dwords * 4;
	uint32_t first = view->size - offset < bytes ? view->size - offset : bytes;
	if (!mem_read_ring(gpu, view->base + offset, dst, first, fault))
		return false;
	return first == bytes || mem_read_ring(gpu, view->base, (uint8_t *)dst + first, bytes - first, fault);
}

enum fetch_result { FETCH_OK, FETCH_PARTIAL, FETCH_DISCARD };

/* Copy the packet at HEAD into gpu->cp.packet. A packet that can never fit (longer than the ring can hold)
 * and an unreachable ring both discard everything up to TAIL (spec 8.2). */
static enum fetch_result fetch_packet(struct vgpu *gpu, const struct ring_view *view, uint32_t *dwords)
{
	uint32_t available = (view->tail - view->head) & (view->size - 1);
	struct vgpu_fault fault;
	uint32_t *packet = gpu->cp.packet;

	if (!read_ring(gpu, view, view->head, packet, 1, &fault)) {
		fault_raise(gpu, &fault, 0, view->head, FAULT_POS_NONE);
		return FETCH_DISCARD;
	}
	uint64_t bytes = 4 * (1ull + VGPU_PKT_LENGTH(packet[0]));
	if (bytes > view->size - 4) {
		fault = (struct vgpu_fault){.type = VGPU_FAULT_BAD_PACKET_LENGTH,
		                            .addr = packet[0],
		                            .info = VGPU_PKT_OPCODE(packet[0])};
		fault_raise(gpu, &fault, gpu->mmu.asid, view->head, FAULT_POS_NONE);
		return FETCH_DISCARD;
	}
	if (bytes > available)
		return FETCH_PARTIAL;
	if (bytes > 4 && !read_ring(gpu, view, (view->head + 4) & (view->size - 1), packet + 1,
	                            (uint32_t)bytes / 4 - 1, &fault)) {
		fault_raise(gpu, &fault, 0, view->head, FAULT_POS_NONE);
		return FETCH_DISCARD;
	}
	*dwords = (uint32_t)bytes / 4;
	return FETCH_OK;
}

static void write_head_back(struct vgpu *gpu, const struct ring_view *view, uint32_t head)
{
	if (!(view->head_wb & VGPU_HEAD_WB_ENABLE))
		return;
	uint8_t bytes[4] = {(uint8_t)head, (uint8_t)(head >> 8), (uint8_t)(head >> 16),
	                    (uint8_t)(head >> 24)};
	struct vgpu_fault fault;
	if (!mem_write(gpu, view->head_wb & ~7ull, bytes, 4, &fault))
		fault_raise(gpu, &fault, 0, view->head, FAULT_POS_NONE);
}

static void *cp_thread_main(void *arg)
{
	struct vgpu *gpu = arg;

	pthread_mutex_lock(&gpu->lock);
	for (;;) {
		while (!gpu->cp_quit && (gpu->pause_count || !ring_has_work_locked(gpu)))
			pthread_cond_wait(&gpu->cp_wake, &gpu->lock);
		if (gpu->cp_quit)
			break;
		struct ring_view view = {.base = gpu->ring.base,
		                         .head_wb = gpu->ring.head_wb,
		                         .size = gpu->ring.size,
		                         .head = gpu->ring.head,
		                         .tail = gpu->ring.tail,
		                         .generation = gpu->ring.generation};
		gpu->cp_executing = true;
		gpu->engines_running++;
		pthread_mutex_unlock(&gpu->lock);

		uint32_t dwords = 0;
		uint32_t new_head = view.tail;
		enum fetch_result result = fetch_packet(gpu, &view, &dwords);
		if (result == FETCH_OK) {
			new_head = (view.head + dwords * 4) & (view.size - 1);
			gpu->exec.ring_pos = view.head;
			gpu->exec.next_head = new_head;
			gpu->exec.generation = view.generation;
			gpu->exec.header = gpu->cp.packet[0];
			cp_execute_ring_packet(gpu, view.head, gpu->cp.packet);
		}
		if (result != FETCH_PARTIAL)
			write_head_back(gpu, &view, new_head);

		pthread_mutex_lock(&gpu->lock);
		if (gpu->ring.generation == view.generation) {
			if (result == FETCH_PARTIAL) {
				gpu->cp_stalled = true;
				gpu->cp_stalled_tail = view.tail;
			} else {
				gpu->cp_stalled = false;
				gpu->ring.head = new_head;
			}
		}
		gpu->cp_executing = false;
		gpu->engines_running--;
		pthread_cond_broadcast(&gpu->cp_cond);
	}
	pthread_mutex_unlock(&gpu->lock);
	return NULL;
}

int cp_start(struct vgpu *gpu)
{
	int err = pthread_create(&gpu->cp_thread, NULL, cp_thread_main, gpu);
	gpu->cp_thread_started = err == 0;
	return err;
}

void cp_stop(struct vgpu *gpu)
{
	if (!gpu->cp_thread_started)
		return;
	pthread_mutex_lock(&gpu->lock);
	atomic_store(&gpu->cp_abort, true);
	gpu->cp_quit = true;
	pthread_cond_broadcast(&gpu->cp_wake);
	pthread_cond_broadcast(&gpu->park_cond);
	pthread_mutex_unlock(&gpu->lock);
	pthread_join(gpu->cp_thread, NULL);
	gpu->cp_thread_started = false;
}
