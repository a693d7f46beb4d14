#include "shader_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_asm.h"
#include "vgpu_test.h"

struct vgpu_shader *sh_load(const char *text)
{
	char error[VGPU_ASM_ERROR_SIZE], load_error[VGPU_SHADER_ERROR_SIZE];
	unsigned char *bytes;
	size_t size;
	struct vgpu_shader *shader;

	if (vgpu_assemble(text, "test.s", &bytes, &size, error) != 0) {
		vt_fail(__FILE__, __LINE__, "assembly failed: %s", error);
		return NULL;
	}
	shader = vgpu_shader_load(bytes, size, load_error, NULL);
	free(bytes);
	if (!shader)
		vt_fail(__FILE__, __LINE__, "load failed: %s", load_error);
	return shader;
}

static uint32_t fake_ubo_load(void *ctx, unsigned slot, const uint32_t addr[VGPU_ISA_LANES], uint32_t mask,
                              uint32_t out[VGPU_ISA_LANES])
{
	struct sh_env *e = ctx;
	const unsigned words = sizeof(e->ubo) / sizeof(e->ubo[0]);

	if (e->fail_ubo)
		return e->fail_ubo;
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		uint32_t index = addr[l] / 4;
		if (!((mask >> l) & 1))
			continue;
		if (addr[l] % 4)
			return 0xbad; /* the core must only pass aligned addresses */
		if (slot > 1 || index >= words)
			out[l] = 0;
		else
			out[l] = e->ubo[slot == 0 ? index : words - 1 - index];
	}
	return 0;
}

static uint32_t fake_texture_sample(void *ctx, const struct vgpu_shader_tex_request *req,
                                    float out[4][VGPU_ISA_LANES])
{
	struct sh_env *e = ctx;

	e->texture_calls++;
	e->last_request = *req;
	if (e->fail_texture)
		return e->fail_texture;
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		out[0][l] = req->coord[0][l];
		out[1][l] = req->coord[1][l];
		out[2][l] = req->ddx[0][l];
		out[3][l] = req->mode == VGPU_ISA_TEX_IMPLICIT ? req->ddy[1][l] : req->lod_or_bias[l];
	}
	return 0;
}

void sh_env_init(struct sh_env *e, uint32_t budget)
{
	memset(e, 0, sizeof(*e));
	e->env.ctx = e;
	e->env.ubo_load = fake_ubo_load;
	e->env.texture_sample = fake_texture_sample;
	e->env.budget = budget;
}

void sh_warp_init(struct vgpu_shader_warp *w)
{
	memset(w, 0, sizeof(*w));
	w->lane_mask = 0xffff;
}

uint32_t sh_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	return u;
}

float sh_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

uint32_t sh_out(const struct vgpu_shader_warp *w, unsigned slot, unsigned comp, unsigned lane)
{
	return sh_bits(w->out[slot][comp][lane]);
}
