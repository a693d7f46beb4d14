/* SPDX-License-Identifier: MIT */
#include "core/fault.h"

#include <stdio.h>

#include "core/device.h"
#include "core/irq.h"

const char *fault_type_name(uint32_t type)
{
	switch (type) {
	case VGPU_FAULT_BAD_REGISTER:
		return "BAD_REGISTER";
	case VGPU_FAULT_BAD_REGISTER_VALUE:
		return "BAD_REGISTER_VALUE";
	case VGPU_FAULT_BAD_OPCODE:
		return "BAD_OPCODE";
	case VGPU_FAULT_BAD_PACKET_LENGTH:
		return "BAD_PACKET_LENGTH";
	case VGPU_FAULT_BAD_PACKET_FIELD:
		return "BAD_PACKET_FIELD";
	case VGPU_FAULT_PRIVILEGED_PACKET:
		return "PRIVILEGED_PACKET";
	case VGPU_FAULT_IB_OVERRUN:
		return "IB_OVERRUN";
	case VGPU_FAULT_NO_CONTEXT:
		return "NO_CONTEXT";
	case VGPU_FAULT_WATCHDOG:
		return "WATCHDOG";
	case VGPU_FAULT_MMU_NOT_MAPPED:
		return "MMU_NOT_MAPPED";
	case VGPU_FAULT_MMU_READ_ONLY:
		return "MMU_READ_ONLY";
	case VGPU_FAULT_MMU_BAD_ADDRESS:
		return "MMU_BAD_ADDRESS";
	case VGPU_FAULT_MMU_BAD_PTE:
		return "MMU_BAD_PTE";
	case VGPU_FAULT_BAD_SURFACE:
		return "BAD_SURFACE";
	case VGPU_FAULT_BAD_STATE:
		return "BAD_STATE";
	case VGPU_FAULT_SHADER_INVALID:
		return "SHADER_INVALID";
	case VGPU_FAULT_SHADER_BUDGET:
		return "SHADER_BUDGET";
	case VGPU_FAULT_SHADER_STACK:
		return "SHADER_STACK";
	case VGPU_FAULT_DISPLAY_BAD_CONFIG:
		return "DISPLAY_BAD_CONFIG";
	case VGPU_FAULT_DMA_ERROR:
		return "DMA_ERROR";
	default:
		return "UNKNOWN";
	}
}

void fault_record_latch(struct fault_record *record, const struct vgpu_fault *fault, uint32_t asid,
                        uint32_t ring_pos, uint32_t ib_pos)
{
	record->count++;
	if (record->status & VGPU_FAULT_STATUS_VALID) {
		record->status |= VGPU_FAULT_STATUS_OVERFLOW;
	} else {
		record->status = VGPU_FAULT_STATUS_VALID;
		record->type = fault->type;
		record->asid = asid;
		record->addr = fault->addr;
		record->info = fault->info;
		record->ring_pos = ring_pos;
		record->ib_pos = ib_pos;
	}
}

void fault_raise_locked(struct vgpu *gpu, const struct vgpu_fault *fault, uint32_t asid, uint32_t ring_pos,
                        uint32_t ib_pos)
{
	fault_record_latch(&gpu->fault, fault, asid, ring_pos, ib_pos);
	irq_raise_locked(gpu, VGPU_INT_FAULT);
	if (gpu->ops.log_guest_error) {
		char line[200];
		snprintf(line, sizeof(line),
		         "vgpu: guest error: fault %s (0x%02x) addr 0x%llx info 0x%x asid %u ring_pos 0x%x "
		         "ib_pos 0x%x",
		         fault_type_name(fault->type), fault->type, (unsigned long long)fault->addr,
		         fault->info, asid, ring_pos, ib_pos);
		gpu->ops.log_guest_error(gpu->opaque, line);
	}
}

void fault_raise(struct vgpu *gpu, const struct vgpu_fault *fault, uint32_t asid, uint32_t ring_pos,
                 uint32_t ib_pos)
{
	pthread_mutex_lock(&gpu->lock);
	fault_raise_locked(gpu, fault, asid, ring_pos, ib_pos);
	pthread_mutex_unlock(&gpu->lock);
}

void fault_raise_register_locked(struct vgpu *gpu, uint32_t type, uint32_t offset, uint32_t engine)
{
	struct vgpu_fault fault = {.type = type, .addr = offset, .info = FAULT_INFO_ENGINE(engine)};
	fault_raise_locked(gpu, &fault, 0, FAULT_POS_NONE, FAULT_POS_NONE);
}
