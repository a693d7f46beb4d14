/* SPDX-License-Identifier: MIT */
#include "core/irq.h"

#include "core/device.h"

/* Every change of status or mask goes through here, so messages follow the 0 -> 1 edges of INT_PENDING. */
static void irq_update_locked(struct vgpu *gpu, uint32_t status, uint32_t mask)
{
	struct irq_state *irq = &gpu->irq;
	uint32_t old_pending = irq->status & irq->mask;
	uint32_t new_pending = status & mask;
	uint32_t rising = new_pending & ~old_pending;
	uint32_t messages = irq->messages;

	irq->status = status;
	irq->mask = mask;
	for (unsigned bit = 0; bit < 32; bit++)
		if (rising & (1u << bit))
			messages |= 1u << VGPU_INT_VECTOR(bit);
	bool level = new_pending != 0;
	if (messages != irq->messages || level != irq->level) {
		irq->messages = messages;
		irq->level = level;
		gpu->ops.irq_notify(gpu->opaque);
	}
}

void irq_raise_locked(struct vgpu *gpu, uint32_t bits)
{
	irq_update_locked(gpu, gpu->irq.status | bits, gpu->irq.mask);
}

void irq_clear_locked(struct vgpu *gpu, uint32_t bits)
{
	irq_update_locked(gpu, gpu->irq.status & ~bits, gpu->irq.mask);
}

void irq_set_mask_locked(struct vgpu *gpu, uint32_t mask)
{
	irq_update_locked(gpu, gpu->irq.status, mask);
}

uint32_t vgpu_irq_take_messages(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	uint32_t messages = gpu->irq.messages;
	gpu->irq.messages = 0;
	pthread_mutex_unlock(&gpu->lock);
	return messages;
}

bool vgpu_irq_level(struct vgpu *gpu)
{
	pthread_mutex_lock(&gpu->lock);
	bool level = gpu->irq.level;
	pthread_mutex_unlock(&gpu->lock);
	return level;
}
