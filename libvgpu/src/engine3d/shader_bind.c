/* SPDX-License-Identifier: MIT */
/* SET_SHADER (spec 10.7): read the binary through the MMU, have the shader core validate and decode it once,
 * keep the binary for snapshots, and note what draw-time validation and early depth need to know about it:
 * the uniform buffers, textures and samplers it names, and whether it may discard. */
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "mmu/memory.h"

#define MAX_SHADER_BYTES (64u * 1024)

void e3d_shader_free(struct e3d_shader *shader)
{
	if (!shader)
		return;
	vgpu_shader_free(shader->core);
	free(shader->binary);
	free(shader);
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The binary already passed the loader, so its words are well formed. */
static void scan_code(struct e3d_shader *shader, const uint8_t *bytes, size_t size)
{
	size_t words = (size - VGPU_ISA_HEADER_SIZE) / VGPU_ISA_WORD_SIZE;
	for (size_t i = 0; i < words; i++) {
		uint64_t word = load_u64(bytes + VGPU_ISA_HEADER_SIZE + i * VGPU_ISA_WORD_SIZE);
		unsigned opcode = (unsigned)(word & 0xff);
		uint32_t aux = (uint32_t)(word >> VGPU_ISA_AUX_SHIFT);
		if (opcode == VGPU_OP_DISCARD || opcode == VGPU_OP_DISCARDC)
			shader->may_discard = true;
		if (opcode == VGPU_OP_LD_UBO)
			shader->ubo_mask |= (uint16_t)(1u << (aux & 15));
		if (opcode == VGPU_OP_TEX) {
			shader->texture_mask |= (uint16_t)(1u << (aux & 15));
			shader->sampler_mask |= (uint16_t)(1u << ((aux >> 4) & 15));
			if ((aux >> 10) & 1)
				shader->cube_mask |= (uint16_t)(1u << (aux & 15));
		}
		if ((word >> VGPU_ISA_IMM_SHIFT) & 3)
			i++; /* the immediate word */
	}
}

bool e3d_install_shader(struct cp_job *job, struct engine3d *e3d, uint32_t stage, const uint8_t *bytes,
                        uint32_t size)
{
	e3d_shader_free(e3d->state.shader[stage]);
	e3d->state.shader[stage] = NULL;
	char error[VGPU_SHADER_ERROR_SIZE];
	long word = -1;
	struct vgpu_shader *core = vgpu_shader_load(bytes, size, error, &word);
	uint64_t offset = word < 0 ? 0 : VGPU_ISA_HEADER_SIZE + VGPU_ISA_WORD_SIZE * (uint64_t)word;
	if (!core)
		return cp_fail(job, VGPU_FAULT_SHADER_INVALID, offset);
	if ((uint32_t)vgpu_shader_stage(core) != stage) {
		vgpu_shader_free(core);
		return cp_fail(job, VGPU_FAULT_SHADER_INVALID, VGPU_ISA_HDR_STAGE);
	}
	struct e3d_shader *shader = calloc(1, sizeof(*shader));
	uint8_t *copy = malloc(size ? size : 1);
	if (!shader || !copy) {
		free(shader);
		free(copy);
		vgpu_shader_free(core);
		return cp_fail(job, VGPU_FAULT_SHADER_INVALID, 0);
	}
	memcpy(copy, bytes, size);
	shader->core = core;
	shader->binary = copy;
	shader->binary_size = size;
	shader->inputs = vgpu_shader_inputs(core);
	shader->outputs = vgpu_shader_outputs(core);
	scan_code(shader, bytes, size);
	e3d->state.shader[stage] = shader;
	return true;
}

bool e3d_set_shader(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	uint32_t stage = p[0], size = p[3];
	uint64_t va = (uint64_t)p[2] << 32 | p[1];

	if (stage > VGPU_SHADER_STAGE_FRAGMENT)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 0);
	if (size > MAX_SHADER_BYTES)
		return cp_fail(job, VGPU_FAULT_BAD_PACKET_FIELD, 3);
	if (!va_read(job->gpu, va, e3d->shader_bytes, size, &job->fault))
		return false;

	return e3d_install_shader(job, e3d, stage, e3d->shader_bytes, size);
}
