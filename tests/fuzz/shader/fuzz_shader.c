/* libFuzzer target: arbitrary bytes through the shader loader and, when they load, through the executor
 * on both a full and a partial warp. Anything but a clean reject or a defined fault is a bug. */
#include <stdint.h>
#include <string.h>

#include "shader/shader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fake_ubo(void *ctx, unsigned slot, const uint32_t addr[VGPU_ISA_LANES], uint32_t mask,
                         uint32_t out[VGPU_ISA_LANES])
{
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++)
		out[l] = addr[l] < 256 ? addr[l] * 2654435761u + slot : 0;
	return addr[0] == 0xfffffffcu; /* one address faults, like an unmapped page */
}

static uint32_t fake_texture(void *ctx, const struct vgpu_shader_tex_request *req,
                             float out[4][VGPU_ISA_LANES])
{
	for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
		out[0][l] = req->coord[0][l] + req->ddx[0][l];
		out[1][l] = req->coord[1][l] - req->ddy[1][l];
		out[2][l] = req->lod_or_bias[l];
		out[3][l] = (float)req->texture;
	}
	return req->sampler == 15;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vgpu_shader_warp warp;
	struct vgpu_shader_env env = {.ubo_load = fake_ubo, .texture_sample = fake_texture, .budget = 4096};
	char error[VGPU_SHADER_ERROR_SIZE];
	struct vgpu_shader *shader = vgpu_shader_load(data, size, error, NULL);
	static const uint32_t masks[2] = {0xffff, 0x3a5c};

	if (!shader)
		return 0;
	for (unsigned run = 0; run < 2; run++) {
		memset(&warp, 0, sizeof(warp));
		warp.lane_mask = masks[run];
		warp.provoking_vertex = run * 7; /* out of range on purpose: must be clamped */
		for (unsigned l = 0; l < VGPU_ISA_LANES; l++) {
			warp.vertex_id[l] = l * 3;
			warp.frag_coord[0][l] = (float)l;
			warp.bary_persp[0][l] = 0.25f;
			for (unsigned s = 0; s < VGPU_ISA_IO_SLOTS; s++)
				warp.attrib[s][l & 3][l] = (float)(s + l) - 7.5f;
		}
		vgpu_shader_run(shader, &warp, &env);
	}
	vgpu_shader_free(shader);
	return 0;
}
