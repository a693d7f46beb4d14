/* SPDX-License-Identifier: MIT */
/*
 * libvgpu public API: the vgpu GPU as a C library.
 *
 * An embedder (the QEMU device, a test, vgpu-replay) creates a GPU over a VRAM buffer it owns, forwards
 * register accesses to it, and supplies host services: guest system-memory access, interrupt and display
 * notifications, a clock. The GPU's engines run on libvgpu's own worker threads, so a doorbell write returns
 * at once; results arrive in memory and as interrupts, exactly as docs/hw-spec.md describes.
 *
 * Threading: the vgpu_* functions below are called from one embedder thread at a time (QEMU: with the big
 * lock held), except where a comment says otherwise. Host callbacks may be called from libvgpu's threads.
 */
#ifndef VGPU_H
#define VGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgpu/vgpu_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vgpu;

/* Services the embedder provides. Callbacks run on libvgpu's worker threads unless noted, possibly with
 * libvgpu's internal locks held: they must not call back into libvgpu. */
struct vgpu_host_ops {
	/* Copy from / to guest system memory at a bus address. Return 0, or -1 when the host refuses the
	 * range (the GPU then records VGPU_FAULT_DMA_ERROR). Required. */
	int (*dma_read)(void *opaque, uint64_t bus_addr, void *dst, size_t len);
	int (*dma_write)(void *opaque, uint64_t bus_addr, const void *src, size_t len);

	/* Interrupt state changed: the embedder should, on its own thread, call vgpu_irq_take_messages()
	 * and vgpu_irq_level(). Required. */
	void (*irq_notify)(void *opaque);

	/* The displayed frame, cursor or damage changed: the embedder should, on its own thread, call
	 * vgpu_display_acquire(). Optional. */
	void (*display_notify)(void *opaque);

	/* The device clock in nanoseconds, monotonic (QEMU: the virtual clock, so it stops with the VM).
	 * Optional: NULL uses CLOCK_MONOTONIC. Called from any thread. */
	uint64_t (*clock_ns)(void *opaque);

	/* One line describing a guest error (no trailing newline), for the embedder's log. Optional. */
	void (*log_guest_error)(void *opaque, const char *message);
};

struct vgpu_config {
	void *vram; /* vram_size bytes owned by the embedder; the guest CPU may map it directly */
	uint64_t vram_size; /* power of two, VGPU_VRAM_SIZE_MIN .. VGPU_VRAM_SIZE_MAX */
	uint32_t preferred_width, preferred_height; /* initial host window size; 0 = 1024x768 */
	uint32_t refresh_mhz; /* 0 = VGPU_REFRESH_MHZ_DEFAULT */
	unsigned render_threads; /* 3D worker threads; 0 = one per host core */
	const struct vgpu_host_ops *ops;
	void *opaque; /* passed to every callback */
};

/* Create a GPU in its reset state. On error returns NULL and writes one line into error. */
struct vgpu *vgpu_create(const struct vgpu_config *config, char *error, size_t error_len);
/* Stop the workers and free everything. The VRAM buffer stays the embedder's. */
void vgpu_destroy(struct vgpu *gpu);

/* BAR0 register access: 32-bit, offset within BAR0 (aligned; unaligned offsets read 0 and are ignored). */
uint32_t vgpu_reg_read(struct vgpu *gpu, uint32_t offset);
void vgpu_reg_write(struct vgpu *gpu, uint32_t offset, uint32_t value);

/* The same as writing VGPU_RESET_MAGIC to VGPU_REG_RESET: waits for the engines, then resets every register
 * and engine (VRAM contents are kept). For QEMU's system_reset. */
void vgpu_reset(struct vgpu *gpu);

/* Stop taking new work from the ring and wait until the engines are idle; resume restarts them. The QEMU
 * device pauses while the VM is stopped, so migration sees a quiescent GPU. Calls nest. */
void vgpu_pause(struct vgpu *gpu);
void vgpu_resume(struct vgpu *gpu);

/* Wait until the command processor has executed everything up to RING_TAIL (or the ring is disabled). Returns
 * false if that took longer than timeout_ms. For tests and tools. */
bool vgpu_wait_idle(struct vgpu *gpu, unsigned timeout_ms);

/* Interrupts: the MSI-X vectors (bit n = vector n) that have a message to deliver since the last call, and
 * the level of the legacy INTx line (INT_PENDING != 0). */
uint32_t vgpu_irq_take_messages(struct vgpu *gpu);
bool vgpu_irq_level(struct vgpu *gpu);

/* Display engine. The embedder calls vgpu_vblank() at the refresh rate (it owns the timer so that vblanks
 * follow its clock and stop with the VM); a pending commit latches there. */
void vgpu_vblank(struct vgpu *gpu);
/* The host window changed size: updates PREFERRED_WIDTH/HEIGHT and raises the HOTPLUG interrupt. */
void vgpu_set_preferred_mode(struct vgpu *gpu, uint32_t width, uint32_t height);

struct vgpu_rect {
	uint32_t x, y, width, height;
};

struct vgpu_frame {
	bool enabled; /* false: show nothing (black) */
	const uint8_t *pixels; /* first pixel; valid until vgpu_display_release() */
	uint32_t format; /* VGPU_FORMAT_B8G8R8X8_UNORM, B8G8R8A8_UNORM or B5G6R5_UNORM */
	uint32_t stride, width, height;
	/* What changed since the previous acquire through the GPU's engines or a flip. Writes of the guest
	 * CPU into VRAM are not seen by libvgpu: the embedder tracks those itself (QEMU: dirty logging). */
	struct vgpu_rect damage;
	bool mode_changed; /* format or size differ from the previous acquire */

	bool cursor_enabled;
	bool cursor_changed; /* image changed since the previous acquire */
	int32_t cursor_x, cursor_y;
	const uint32_t *cursor_pixels; /* 64x64 premultiplied B8G8R8A8 (0xAARRGGBB words) */
};

/* Pin the current frame for reading. Scanout from system memory is copied into a buffer libvgpu owns.
 * Always paired with vgpu_display_release(). */
void vgpu_display_acquire(struct vgpu *gpu, struct vgpu_frame *frame);
void vgpu_display_release(struct vgpu *gpu);

/* Device state for snapshots and migration: registers, ring position, contexts, display, fault record (not
 * VRAM, which the embedder saves as RAM). Save needs a paused GPU. Load validates the blob as untrusted
 * input; on error it returns -1 with one line in error and leaves the GPU reset. */
size_t vgpu_state_size(struct vgpu *gpu);
int vgpu_state_save(struct vgpu *gpu, void *buf, size_t len);
int vgpu_state_load(struct vgpu *gpu, const void *buf, size_t len, char *error, size_t error_len);

/* Capture: record every executed packet and the memory it reads into a file (docs/capture.md), for
 * tools/vgpu-replay. */
int vgpu_capture_start(struct vgpu *gpu, const char *path, char *error, size_t error_len);
void vgpu_capture_stop(struct vgpu *gpu);

#ifdef __cplusplus
}
#endif

#endif /* VGPU_H */
