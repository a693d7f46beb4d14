/* Helpers shared by the shader core tests: assemble and load a shader from text, run one warp, and a fake
 * environment (uniform memory and a texture unit that reports what it was asked). */
#ifndef SHADER_HARNESS_H
#define SHADER_HARNESS_H

#include <stdint.h>

#include "shader/shader.h"

/* Assembles and loads `text`; a test failure (and NULL) if either step fails. */
struct vgpu_shader *sh_load(const char *text);

/* Environment double: `ubo` backs uniform slot 0 (and slot 1 reads its words reversed); texture_sample
 * returns (coord0, coord1, ddx of coord0, ddy of coord1 or lod_or_bias for bias/lod modes) and records the
 * request. Setting fail_* makes the callback report that fault detail. */
struct sh_env {
	struct vgpu_shader_env env;
	uint32_t ubo[64];
	uint32_t fail_ubo, fail_texture;
	struct vgpu_shader_tex_request last_request;
	unsigned texture_calls;
};

void sh_env_init(struct sh_env *e, uint32_t budget);

/* A warp with every lane active and everything else zero. */
void sh_warp_init(struct vgpu_shader_warp *w);

uint32_t sh_bits(float f);
float sh_float(uint32_t u);

/* The value lane `lane` wrote to output `slot` component `comp`, as bits. */
uint32_t sh_out(const struct vgpu_shader_warp *w, unsigned slot, unsigned comp, unsigned lane);

#endif
