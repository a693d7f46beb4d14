/* SPDX-License-Identifier: MIT */
/* The fault record (spec section 8): how every block reports bad guest input. */
#ifndef VGPU_CORE_FAULT_H
#define VGPU_CORE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;

/* A fault as the block that detected it describes it; the CP adds where it happened. */
struct vgpu_fault {
	uint32_t type; /* VGPU_FAULT_* */
	uint64_t addr; /* what FAULT_ADDR holds for this type (spec 8.1) */
	uint32_t info; /* VGPU_FAULT_INFO_WRITE and the engine/opcode fields */
};

struct fault_record {
	uint32_t status, type, asid, info, ring_pos, ib_pos, count;
	uint64_t addr;
};

#define FAULT_INFO_ENGINE(engine) ((uint32_t)(engine) << 12)
#define FAULT_POS_NONE            0xffffffffu

/* Latch (or count) a fault into a record, without interrupt or log (fault_raise_locked does all three). */
void fault_record_latch(struct fault_record *record, const struct vgpu_fault *fault, uint32_t asid,
                        uint32_t ring_pos, uint32_t ib_pos);
/* Latch (or count) a fault, raise INT_FAULT and log one line. The _locked form needs gpu->lock. */
void fault_raise(struct vgpu *gpu, const struct vgpu_fault *fault, uint32_t asid, uint32_t ring_pos,
                 uint32_t ib_pos);
void fault_raise_locked(struct vgpu *gpu, const struct vgpu_fault *fault, uint32_t asid, uint32_t ring_pos,
                        uint32_t ib_pos);
/* A register-interface fault (BAD_REGISTER, BAD_REGISTER_VALUE, DISPLAY_BAD_CONFIG): no context, no ring
 * position. Needs gpu->lock. */
void fault_raise_register_locked(struct vgpu *gpu, uint32_t type, uint32_t offset, uint32_t engine);

const char *fault_type_name(uint32_t type);

#endif
