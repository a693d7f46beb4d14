/* SPDX-License-Identifier: MIT */
/* The device object: creation, destruction, reset, pause/resume and the device clock. */
#include "core/device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp/cp.h"
#include "engine3d/engine3d.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t device_clock_ns(struct vgpu *gpu)
{
	return gpu->ops.clock_ns ? gpu->ops.clock_ns(gpu->opaque) : monotonic_ns();
}

static void set_error(char *error, size_t error_len, const char *message)
{
	if (error && error_len)
		snprintf(error, error_len, "%s", message);
}

static bool scratch_alloc(struct cp_scratch *scratch)
{
	size_t row_bytes = (size_t)VGPU_MAX_SURFACE_DIM * 16;
	scratch->packet = malloc((1u + 65535u) * 4);
	scratch->ib = malloc((size_t)VGPU_IB_MAX_DWORDS * 4);
	for (int i = 0; i < 2; i++) {
		scratch->row[i] = malloc(row_bytes);
		scratch->rgba[i] = malloc((size_t)VGPU_MAX_SURFACE_DIM * 4 * sizeof(float));
	}
	return scratch->packet && scratch->ib && scratch->row[0] && scratch->row[1] && scratch->rgba[0] &&
	       scratch->rgba[1];
}

static void scratch_free(struct cp_scratch *scratch)
{
	free(scratch->packet);
	free(scratch->ib);
	for (int i = 0; i < 2; i++) {
		free(scratch->row[i]);
		free(scratch->rgba[i]);
	}
}

struct vgpu *vgpu_create(const struct vgpu_config *config, char *error, size_t error_len)
{
	if (!config || !config->vram || !config->ops || !config->ops->dma_read || !config->ops->dma_write ||
	    !config->ops->irq_notify) {
		set_error(error, error_len,
		          "vgpu_create: vram, ops->dma_read, dma_write and irq_notify are required");
		return NULL;
	}
	uint64_t size = config->vram_size;
	if (size < VGPU_VRAM_SIZE_MIN || size > VGPU_VRAM_SIZE_MAX || (size & (size - 1))) {
		set_error(error, error_len,
		          "vgpu_create: vram_size must be a power of two from 16 MiB to 4 GiB");
		return NULL;
	}
	uint32_t width = config->preferred_width ? config->preferred_width : 1024;
	uint32_t height = config->preferred_height ? config->preferred_height : 768;
	if (width > VGPU_MAX_SURFACE_DIM || height > VGPU_MAX_SURFACE_DIM) {
		set_error(error, error_len, "vgpu_create: the preferred mode must be at most 16384x16384");
		return NULL;
	}

	struct vgpu *gpu = calloc(1, sizeof(*gpu));
	if (!gpu || !scratch_alloc(&gpu->cp)) {
		if (gpu)
			scratch_free(&gpu->cp);
		free(gpu);
		set_error(error, error_len, "vgpu_create: out of memory");
		return NULL;
	}
	gpu->vram = config->vram;
	gpu->vram_size = size;
	gpu->ops = *config->ops;
	gpu->opaque = config->opaque;
	gpu->refresh_mhz = config->refresh_mhz ? config->refresh_mhz : VGPU_REFRESH_MHZ_DEFAULT;
	pthread_mutex_init(&gpu->lock, NULL);
	pthread_cond_init(&gpu->cp_wake, NULL);
	pthread_cond_init(&gpu->cp_cond, NULL);
	pthread_cond_init(&gpu->park_cond, NULL);
	atomic_init(&gpu->pause_request, false);
	atomic_init(&gpu->mmu_invalidations, 0);
	atomic_init(&gpu->capture, NULL);
	display_init(&gpu->display, width, height);
	gpu->engine3d = engine3d_create(gpu, config->render_threads);
	if (!gpu->engine3d) {
		set_error(error, error_len, "vgpu_create: out of memory for the 3D pipeline");
		vgpu_destroy(gpu);
		return NULL;
	}
	pthread_mutex_lock(&gpu->lock);
	device_reset_locked(gpu);
	pthread_mutex_unlock(&gpu->lock);

	int err = cp_start(gpu);
	if (err) {
		char message[120];
		snprintf(message, sizeof(message),
		         "vgpu_create: cannot start the command processor thread: %s", strerror(err));
		set_error(error, error_len, message);
		vgpu_destroy(gpu);
		return NULL;
	}
	return gpu;
}

void vgpu_destroy(struct vgpu *gpu)
{
	if (!gpu)
		return;
	vgpu_capture_stop(gpu);
	cp_stop(gpu);
	engine3d_destroy(gpu->engine3d);
	display_fini(&gpu->display);
	scratch_free(&gpu->cp);
	pthread_cond_destroy(&gpu->cp_cond);
	pthread_cond_destroy(&gpu->park_cond);
	pthread_cond_destroy(&gpu->cp_wake);
	pthread_mutex_destroy(&gpu->lock);
	free(gpu);
}

/* Parking applies to the CP thread's packets only: vgpu-replay executes packets on its own thread while the
 * GPU is paused, and must not park. */
static bool must_park_locked(struct vgpu *gpu)
{
	return atomic_load(&gpu->pause_request) && gpu->cp_executing && !atomic_load(&gpu->cp_abort);
}

bool device_checkpoint(struct vgpu *gpu)
{
	if (atomic_load_explicit(&gpu->cp_abort, memory_order_relaxed))
		return false;
	if (!atomic_load_explicit(&gpu->pause_request, memory_order_relaxed))
		return true;
	pthread_mutex_lock(&gpu->lock);
	if (must_park_locked(gpu)) {
		gpu->engines_running--;
		pthread_cond_broadcast(&gpu->cp_cond);
		while (must_park_locked(gpu))
			pthread_cond_wait(&gpu->park_cond, &gpu->lock);
		gpu->engines_running++;
	}
	pthread_mutex_unlock(&gpu->lock);
	return !atomic_load(&gpu->cp_abort);
}

void device_engine_enter(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	while (must_park_locked(gpu))
		pthread_cond_wait(&gpu->park_cond, &gpu->lock);
	gpu->engines_running++;
	pthread_mutex_unlock(&gpu->lock);
}

void device_engine_leave(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	gpu->engines_running--;
	pthread_cond_broadcast(&gpu->cp_cond);
	pthread_mutex_unlock(&gpu->lock);
}

void device_abort_and_quiesce_locked(struct vgpu *gpu)
{
	atomic_store(&gpu->cp_abort, true);
	pthread_cond_broadcast(&gpu->park_cond); /* parked threads see the abort */
	device_quiesce_locked(gpu);
	atomic_store(&gpu->cp_abort, false);
}

void device_quiesce_locked(struct vgpu *gpu)
{
	gpu->pause_count++;
	while (gpu->cp_executing)
		pthread_cond_wait(&gpu->cp_cond, &gpu->lock);
}

void device_unquiesce_locked(struct vgpu *gpu)
{
	gpu->pause_count--;
	pthread_cond_broadcast(&gpu->cp_wake);
}

void device_reset_locked(struct vgpu *gpu)
{
	uint32_t generation = gpu->ring.generation;

	gpu->scratch = 0;
	gpu->timestamp_hi_latch = 0;
	gpu->context_asid = 0;
	memset(&gpu->ring, 0, sizeof(gpu->ring));
	gpu->ring.watchdog = VGPU_WATCHDOG_DEFAULT;
	gpu->ring.generation = generation + 1;
	gpu->cp_stalled = false;
	memset(&gpu->fault, 0, sizeof(gpu->fault));
	mmu_reset(&gpu->mmu);
	display_reset_locked(gpu);
	if (gpu->engine3d)
		engine3d_reset(gpu->engine3d);
	/* Masked and cleared: the edges below cannot raise a message, but the INTx level may drop. */
	irq_set_mask_locked(gpu, 0);
	irq_clear_locked(gpu, ~0u);
	gpu->irq.messages = 0;
}

void vgpu_reset(struct vgpu *gpu)
{
	vgpu_reg_write(gpu, VGPU_REG_RESET, VGPU_RESET_MAGIC);
}

/* Takes effect at the engines' next checkpoint: a packet in execution is suspended there, not waited for, so
 * the embedder (QEMU's stop, savevm, migration) never waits out a long packet. */
void vgpu_pause(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	gpu->pause_count++; /* no new packet starts */
	gpu->embedder_pauses++;
	atomic_store(&gpu->pause_request, true);
	while (gpu->engines_running > 0)
		pthread_cond_wait(&gpu->cp_cond, &gpu->lock);
	pthread_mutex_unlock(&gpu->lock);
}

void vgpu_resume(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	if (gpu->embedder_pauses > 0) {
		if (--gpu->embedder_pauses == 0) {
			atomic_store(&gpu->pause_request, false);
			pthread_cond_broadcast(&gpu->park_cond);
		}
		device_unquiesce_locked(gpu);
	}
	pthread_mutex_unlock(&gpu->lock);
}

static bool cp_idle_locked(const struct vgpu *gpu)
{
	if (gpu->cp_executing)
		return false;
	if (!(gpu->ring.ctrl & VGPU_RING_CTRL_ENABLE) || gpu->ring.head == gpu->ring.tail)
		return true;
	return gpu->cp_stalled && gpu->cp_stalled_tail == gpu->ring.tail;
}

bool vgpu_wait_idle(struct vgpu *gpu, unsigned timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&gpu->lock);
	bool idle;
	while (!(idle = cp_idle_locked(gpu)))
		if (pthread_cond_timedwait(&gpu->cp_cond, &gpu->lock, &deadline) == ETIMEDOUT) {
			idle = cp_idle_locked(gpu);
			break;
		}
	pthread_mutex_unlock(&gpu->lock);
	return idle;
}
