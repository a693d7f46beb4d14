/* SPDX-License-Identifier: MIT */
/* BAR0: register reads and writes (spec section 3). Every written value is checked; a bad one is a fault
 * and leaves the register as it was. */
#include <string.h>

#include "capture/capture.h"
#include "core/device.h"
#include "mmu/memory.h"

bool ring_config_valid(const struct vgpu *gpu, uint64_t base, uint32_t size)
{
	return size >= VGPU_RING_SIZE_MIN && size <= VGPU_RING_SIZE_MAX && (size & (size - 1)) == 0 &&
	       (base & (VGPU_PAGE_SIZE - 1)) == 0 && pa_range_valid(gpu, base, size);
}

static uint32_t lo32(uint64_t value)
{
	return (uint32_t)value;
}

static uint32_t hi32(uint64_t value)
{
	return (uint32_t)(value >> 32);
}

static uint64_t with_lo(uint64_t value, uint32_t lo)
{
	return (value & ~0xffffffffull) | lo;
}

static uint64_t with_hi(uint64_t value, uint32_t hi)
{
	return (value & 0xffffffffull) | (uint64_t)hi << 32;
}

static uint32_t status_locked(const struct vgpu *gpu)
{
	uint32_t status = 0;
	if ((gpu->ring.ctrl & VGPU_RING_CTRL_ENABLE) && gpu->ring.head != gpu->ring.tail)
		status |= VGPU_STATUS_CP_BUSY;
	if (gpu->display.commit_pending)
		status |= VGPU_STATUS_FLIP_PENDING;
	return status;
}

static bool reg_read_locked(struct vgpu *gpu, uint32_t offset, uint32_t *value)
{
	const struct ring_state *ring = &gpu->ring;
	const struct fault_record *fault = &gpu->fault;

	switch (offset) {
	case VGPU_REG_MAGIC:
		*value = VGPU_MAGIC;
		return true;
	case VGPU_REG_VERSION:
		*value = VGPU_VERSION;
		return true;
	/* CAPTURE says the host is recording the command stream right now (spec 3.1: 1.0 devices set 0..4).
	 */
	case VGPU_REG_CAPS:
		*value = VGPU_CAP_2D | VGPU_CAP_3D | VGPU_CAP_DISPLAY | VGPU_CAP_CURSOR | VGPU_CAP_TIMESTAMP |
		         VGPU_CAP_TEXTURE_SWIZZLE | VGPU_CAP_VERTEX_SCALED | VGPU_CAP_DEPTH_BIAS |
		         VGPU_CAP_POINT_SPRITE | VGPU_CAP_FORMATS_GL_16BIT | VGPU_CAP_FORMATS_SRGB |
		         VGPU_CAP_OCCLUSION_COUNTER | (capture_active(gpu) ? VGPU_CAP_CAPTURE : 0);
		return true;
	case VGPU_REG_VRAM_SIZE_LO:
		*value = lo32(gpu->vram_size);
		return true;
	case VGPU_REG_VRAM_SIZE_HI:
		*value = hi32(gpu->vram_size);
		return true;
	case VGPU_REG_SCRATCH:
		*value = ~gpu->scratch;
		return true;
	case VGPU_REG_MAX_SURFACE_DIM:
		*value = VGPU_MAX_SURFACE_DIM;
		return true;
	case VGPU_REG_WARP_LANES:
		*value = VGPU_WARP_LANES;
		return true;
	case VGPU_REG_STATUS:
		*value = status_locked(gpu);
		return true;
	case VGPU_REG_TIMESTAMP_LO: {
		uint64_t now = device_clock_ns(gpu);
		gpu->timestamp_hi_latch = hi32(now);
		*value = lo32(now);
		return true;
	}
	case VGPU_REG_TIMESTAMP_HI:
		*value = gpu->timestamp_hi_latch;
		return true;
	case VGPU_REG_INT_STATUS:
		*value = gpu->irq.status;
		return true;
	case VGPU_REG_INT_MASK:
		*value = gpu->irq.mask;
		return true;
	case VGPU_REG_INT_PENDING:
		*value = gpu->irq.status & gpu->irq.mask;
		return true;
	case VGPU_REG_RING_BASE_LO:
		*value = lo32(ring->base);
		return true;
	case VGPU_REG_RING_BASE_HI:
		*value = hi32(ring->base);
		return true;
	case VGPU_REG_RING_SIZE:
		*value = ring->size;
		return true;
	case VGPU_REG_RING_HEAD:
		*value = ring->head;
		return true;
	case VGPU_REG_RING_TAIL:
		*value = ring->tail;
		return true;
	case VGPU_REG_RING_CTRL:
		*value = ring->ctrl;
		return true;
	case VGPU_REG_RING_HEAD_WB_LO:
		*value = lo32(ring->head_wb);
		return true;
	case VGPU_REG_RING_HEAD_WB_HI:
		*value = hi32(ring->head_wb);
		return true;
	case VGPU_REG_FENCE_SEQ_LO:
		*value = lo32(ring->fence_seq);
		return true;
	case VGPU_REG_FENCE_SEQ_HI:
		*value = hi32(ring->fence_seq);
		return true;
	case VGPU_REG_WATCHDOG:
		*value = ring->watchdog;
		return true;
	case VGPU_REG_CONTEXT_ASID:
		*value = gpu->context_asid;
		return true;
	case VGPU_REG_FAULT_STATUS:
		*value = fault->status;
		return true;
	case VGPU_REG_FAULT_TYPE:
		*value = fault->type;
		return true;
	case VGPU_REG_FAULT_ASID:
		*value = fault->asid;
		return true;
	case VGPU_REG_FAULT_ADDR_LO:
		*value = lo32(fault->addr);
		return true;
	case VGPU_REG_FAULT_ADDR_HI:
		*value = hi32(fault->addr);
		return true;
	case VGPU_REG_FAULT_INFO:
		*value = fault->info;
		return true;
	case VGPU_REG_FAULT_RING_POS:
		*value = fault->ring_pos;
		return true;
	case VGPU_REG_FAULT_IB_POS:
		*value = fault->ib_pos;
		return true;
	case VGPU_REG_FAULT_COUNT:
		*value = fault->count;
		return true;
	default:
		return display_reg_read_locked(gpu, offset, value);
	}
}

uint32_t vgpu_reg_read(struct vgpu *gpu, uint32_t offset)
{
	uint32_t value = 0;
	if (offset % 4 || offset >= VGPU_REGS_SIZE)
		return 0;
	pthread_mutex_lock(&gpu->lock);
	if (!reg_read_locked(gpu, offset, &value))
		value = 0;
	pthread_mutex_unlock(&gpu->lock);
	return value;
}

static void bad_value(struct vgpu *gpu, uint32_t offset)
{
	fault_raise_register_locked(gpu, VGPU_FAULT_BAD_REGISTER_VALUE, offset, VGPU_ENGINE_REGS);
}

/* RING_BASE, RING_SIZE and RING_HEAD_WB only change while the ring is disabled (spec 3.3). */
static bool ring_config_writable(struct vgpu *gpu, uint32_t offset)
{
	if (gpu->ring.ctrl & VGPU_RING_CTRL_ENABLE) {
		bad_value(gpu, offset);
		return false;
	}
	return true;
}

static void write_ring_ctrl_locked(struct vgpu *gpu, uint32_t value)
{
	struct ring_state *ring = &gpu->ring;

	if (value & ~VGPU_RING_CTRL_ENABLE) {
		bad_value(gpu, VGPU_REG_RING_CTRL);
		return;
	}
	bool enable = value & VGPU_RING_CTRL_ENABLE;
	bool enabled = ring->ctrl & VGPU_RING_CTRL_ENABLE;
	if (enable == enabled)
		return;
	if (enable) {
		if (!ring_config_valid(gpu, ring->base, ring->size)) {
			bad_value(gpu, VGPU_REG_RING_CTRL);
			return;
		}
		ring->head = ring->tail = 0;
		ring->generation++;
		gpu->cp_stalled = false;
		ring->ctrl = value;
		return;
	}
	/* Disabling cuts the packet in execution short at its next checkpoint (spec 3.3). */
	device_abort_and_quiesce_locked(gpu);
	ring->ctrl = 0;
	ring->generation++;
	gpu->cp_stalled = false;
	device_unquiesce_locked(gpu);
	pthread_cond_broadcast(&gpu->cp_cond);
}

static void write_ring_tail_locked(struct vgpu *gpu, uint32_t value)
{
	struct ring_state *ring = &gpu->ring;
	if (value % 4 || value >= ring->size) {
		bad_value(gpu, VGPU_REG_RING_TAIL);
		return;
	}
	ring->tail = value;
	pthread_cond_broadcast(&gpu->cp_wake);
}

static void reg_write_locked(struct vgpu *gpu, uint32_t offset, uint32_t value)
{
	struct ring_state *ring = &gpu->ring;

	switch (offset) {
	case VGPU_REG_SCRATCH:
		gpu->scratch = value;
		return;
	case VGPU_REG_RESET:
		if (value != VGPU_RESET_MAGIC) {
			bad_value(gpu, offset);
			return;
		}
		device_abort_and_quiesce_locked(gpu);
		device_reset_locked(gpu);
		device_unquiesce_locked(gpu);
		pthread_cond_broadcast(&gpu->cp_cond);
		return;
	case VGPU_REG_INT_STATUS:
		irq_clear_locked(gpu, value);
		return;
	case VGPU_REG_INT_MASK:
		if (value & ~VGPU_INT_ALL) {
			bad_value(gpu, offset);
			return;
		}
		irq_set_mask_locked(gpu, value);
		return;
	case VGPU_REG_RING_BASE_LO:
		if (ring_config_writable(gpu, offset))
			ring->base = with_lo(ring->base, value);
		return;
	case VGPU_REG_RING_BASE_HI:
		if (ring_config_writable(gpu, offset))
			ring->base = with_hi(ring->base, value);
		return;
	case VGPU_REG_RING_SIZE:
		if (ring_config_writable(gpu, offset))
			ring->size = value;
		return;
	case VGPU_REG_RING_TAIL:
		write_ring_tail_locked(gpu, value);
		return;
	case VGPU_REG_RING_CTRL:
		write_ring_ctrl_locked(gpu, value);
		return;
	case VGPU_REG_RING_HEAD_WB_LO:
		if (value & 6) {
			bad_value(gpu, offset);
			return;
		}
		if (ring_config_writable(gpu, offset))
			ring->head_wb = with_lo(ring->head_wb, value);
		return;
	case VGPU_REG_RING_HEAD_WB_HI:
		if (ring_config_writable(gpu, offset))
			ring->head_wb = with_hi(ring->head_wb, value);
		return;
	case VGPU_REG_WATCHDOG:
		if (value == 0) {
			bad_value(gpu, offset);
			return;
		}
		ring->watchdog = value;
		return;
	case VGPU_REG_FAULT_ACK:
		gpu->fault.status = 0;
		return;
	case VGPU_REG_MMU_INVALIDATE:
		atomic_fetch_add_explicit(&gpu->mmu_invalidations, 1, memory_order_relaxed);
		return;
	default:
		if (!display_reg_write_locked(gpu, offset, value))
			fault_raise_register_locked(gpu, VGPU_FAULT_BAD_REGISTER, offset, VGPU_ENGINE_REGS);
		return;
	}
}

void vgpu_reg_write(struct vgpu *gpu, uint32_t offset, uint32_t value)
{
	if (offset % 4)
		return;
	pthread_mutex_lock(&gpu->lock);
	/* Recorded before it takes effect, so a capture orders it before the work it starts. */
	capture_note_reg_write(gpu, offset, value);
	if (offset >= VGPU_REGS_SIZE)
		fault_raise_register_locked(gpu, VGPU_FAULT_BAD_REGISTER, offset, VGPU_ENGINE_REGS);
	else
		reg_write_locked(gpu, offset, value);
	pthread_mutex_unlock(&gpu->lock);
}
