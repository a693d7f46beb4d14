/* SPDX-License-Identifier: MIT */
/* Interrupt status, mask, MSI-X messages and the INTx level (spec 3.2). Everything here needs gpu->lock. */
#ifndef VGPU_CORE_IRQ_H
#define VGPU_CORE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;

struct irq_state {
	uint32_t status, mask;
	uint32_t messages; /* vectors with a message not yet taken by the embedder */
	bool level;
};

void irq_raise_locked(struct vgpu *gpu, uint32_t bits);
void irq_clear_locked(struct vgpu *gpu, uint32_t bits);
void irq_set_mask_locked(struct vgpu *gpu, uint32_t mask);

#endif
