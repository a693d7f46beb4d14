/* The shader core's internal form of a loaded shader: what the loader (load.c) produces once per binary and
 * the executor (exec.c) reads for every warp. Everything here has already been validated. */
#ifndef VGPU_SHADER_DECODED_H
#define VGPU_SHADER_DECODED_H

#include <stdint.h>

#include "shader.h"

/* The register-file row that holds the running instruction's immediate, so every source is a row. */
#define SHADER_IMM_ROW VGPU_ISA_MAX_REGS

struct shader_inst {
	uint8_t op;
	uint8_t dst;
	uint8_t sat;
	uint8_t src[3]; /* register row; SHADER_IMM_ROW for the immediate */
	uint8_t has_imm;
	uint32_t keep[3]; /* source modifiers as bit masks: value = (bits & keep) ^ flip */
	uint32_t flip[3];
	uint32_t word;   /* index of the instruction's word in the binary, for fault records */
	uint32_t target; /* control flow: see load.c (link_control_flow) */
	/* decoded aux fields */
	uint8_t slot, comp, mode, sampler, cube, shadow;
	uint32_t offset; /* ld.ubo byte offset */
	uint32_t imm;    /* broadcast into SHADER_IMM_ROW before the instruction runs */
};

struct vgpu_shader {
	enum vgpu_isa_stage stage;
	unsigned regs;
	uint32_t inputs, outputs;
	uint32_t count; /* instructions (not words) */
	struct shader_inst inst[];
};

#endif
