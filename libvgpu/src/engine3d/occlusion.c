/* SPDX-License-Identifier: MIT */
/* The occlusion counter (spec 10.8.1): the tiles count the fragments that pass every test, e3d_flush adds
 * them up on the CP thread (in any order: a sum, so the same for every thread count), and OCCLUSION_COUNT
 * writes the total. */
#include "core/device.h"
#include "engine3d/e3d.h"
#include "engine3d/engine3d.h"
#include "mmu/memory.h"

bool e3d_occlusion_count(struct cp_job *job, struct engine3d *e3d, const uint32_t *p)
{
	uint64_t va = (uint64_t)p[1] << 32 | p[0];
	if (va & 7) {
		job->fault = (struct vgpu_fault){
		        .type = VGPU_FAULT_MMU_BAD_ADDRESS, .addr = va, .info = VGPU_FAULT_INFO_WRITE};
		return false;
	}
	uint8_t bytes[8];
	for (int i = 0; i < 8; i++)
		bytes[i] = (uint8_t)(e3d->samples_passed >> (8 * i));
	return va_write(job->gpu, va, bytes, 8, &job->fault);
}

uint64_t engine3d_samples_passed(const struct engine3d *e3d)
{
	return e3d->samples_passed;
}

void engine3d_set_samples_passed(struct engine3d *e3d, uint64_t samples)
{
	e3d->samples_passed = samples;
}
