/* SPDX-License-Identifier: MIT */
/* Untrusted input: thousands of 3D packets with random fields (valid lengths, so they reach the pipeline),
 * mixed with sensible state so draws get far, must never crash or hang the GPU (run under the sanitizers in
 * the asan suite); afterwards the GPU still serves a fence. The fault record may say anything. */
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "vgpu_test.h"

static uint32_t next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8 | (*seed << 24);
}

/* A random value that often lands near the interesting edges of a field. */
static uint32_t field(unsigned *seed, uint64_t heap_va)
{
	switch (next(seed) % 8) {
	case 0:
		return 0;
	case 1:
		return next(seed) % 4;
	case 2:
		return next(seed) % 64;
	case 3:
		return (uint32_t)heap_va + next(seed) % 0x10000;
	case 4:
		return 0x3f800000u; /* 1.0f */
	case 5:
		return next(seed) & 0x7fff7fffu;
	case 6:
		return ~0u;
	default:
		return next(seed);
	}
}

static void test_random_3d_packets(void)
{
	static const uint8_t lengths[0x34] = {
	        [0x20] = 22, [0x21] = 6, [0x22] = 2, [0x23] = 3, [0x24] = 5, [0x25] = 8, [0x26] = 4,
	        [0x27] = 5,  [0x28] = 4, [0x29] = 4, [0x2a] = 6, [0x2b] = 5, [0x2c] = 4, [0x2d] = 3,
	        [0x2e] = 1,  [0x30] = 4, [0x31] = 5, [0x32] = 7, [0x33] = 2};
	struct scene *s = scene_create(2, 96, 64);
	scene_add_target(s, VGPU_FORMAT_R8G8B8A8_UNORM);
	scene_add_depth(s, VGPU_FORMAT_Z24_UNORM_S8_UINT);
	uint64_t heap = scene_alloc(s, 1 << 20, NULL);
	unsigned seed = 12345;
	for (uint32_t i = 0; i < (1 << 20) / 4; i++)
		((uint32_t *)scene_host(s, heap))[i] =
		        next(&seed) % 3 ? 0x3f000000u + next(&seed) % 0x1000000u : i;
	for (int round = 0; round < 300; round++) {
		scene_framebuffer(s, VGPU_RASTER_HALF_PIXEL_CENTER);
		scene_shader(s, scene_vs_passthrough);
		scene_shader(s, scene_fs_color);
		vgpu_pkt_set_vertex_buffer(&s->cb, 0, heap, 1 << 20, 32);
		vgpu_pkt_set_vertex_attrib(&s->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		vgpu_pkt_set_vertex_attrib(&s->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
		vgpu_pkt_set_index_buffer(&s->cb, heap, 1 << 20, 2);
		for (int k = 0; k < 12; k++) {
			uint32_t opcode = 0x20 + next(&seed) % 0x14;
			if (!lengths[opcode])
				opcode = VGPU_PKT_DRAW;
			uint32_t payload[22];
			for (unsigned f = 0; f < lengths[opcode]; f++)
				payload[f] = field(&seed, heap);
			if (opcode == VGPU_PKT_DRAW || opcode == VGPU_PKT_DRAW_INDEXED) {
				payload[2] %= 3000; /* keep each round short */
				payload[lengths[opcode] - 1] = 1 + payload[lengths[opcode] - 1] % 3;
			}
			vgpu_pkt_raw(&s->cb, VGPU_PKT_HEADER(opcode, lengths[opcode]), payload,
			             lengths[opcode]);
		}
		fx_submit(s->fx, &s->cb);
		s->cb.count = 0;
		vgpu_reg_write(s->fx->gpu, VGPU_REG_FAULT_ACK, 1);
		vgpu_reg_write(s->fx->gpu, VGPU_REG_INT_STATUS, ~0u);
	}
	FX_CHECK_ALIVE(s->fx, 77);
	scene_destroy(s);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_random_3d_packets),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
