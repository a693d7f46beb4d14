/* SPDX-License-Identifier: MIT */
#include "vgpu_pci_3d.h"

#include "vgpu_asm.h"
#include "vgpu_test.h"

#include <stdlib.h>
#include <string.h>

const char dev_scene_vs_passthrough[] =
        ".stage vertex\n"
        "ld.in r0, a0.x\nld.in r1, a0.y\nld.in r2, a0.z\nld.in r3, a0.w\n"
        "st.out pos.x, r0\nst.out pos.y, r1\nst.out pos.z, r2\nst.out pos.w, r3\n"
        "ld.in r4, a1.x\nld.in r5, a1.y\nld.in r6, a1.z\nld.in r7, a1.w\n"
        "st.out var0.x, r4\nst.out var0.y, r5\nst.out var0.z, r6\nst.out var0.w, r7\n"
        "end\n";

const char dev_scene_fs_tex2d[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
        "tex.2d r4, t0, s0, r0\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

/* The window's first 64 KiB hold nothing of the scene: cases may use it for their own buffers. */
#define SCENE_HEAP_START (TEST_MAPPED_VA + 0x10000)

uint64_t dev_scene_alloc(struct dev_scene *ds, uint64_t bytes, const void *data, bool align_page)
{
	uint64_t align = align_page ? VGPU_PAGE_SIZE : 256;
	uint64_t va = (ds->next_va + align - 1) & ~(align - 1);

	if (va + bytes > TEST_MAPPED_END) {
		vt_fail(__FILE__, __LINE__, "the scene needs more than the 1 MiB test window");
		return va;
	}
	ds->next_va = va + bytes;
	if (data) {
		qt_memwrite(ds->dev->qt, TEST_BAR2_ADDR + va, data, bytes);
	} else {
		void *zeros = calloc(1, bytes ? bytes : 1);

		qt_memwrite(ds->dev->qt, TEST_BAR2_ADDR + va, zeros, bytes);
		free(zeros);
	}
	return va;
}

bool dev_scene_shader(struct dev_scene *ds, const char *text)
{
	unsigned char *bytes;
	size_t size;
	char error[VGPU_ASM_ERROR_SIZE];

	if (vgpu_assemble(text, "device-scene", &bytes, &size, error) != 0) {
		vt_fail(__FILE__, __LINE__, "shader does not assemble: %s", error);
		return false;
	}
	uint32_t stage = bytes[6];
	uint64_t va = dev_scene_alloc(ds, size, bytes, false);

	free(bytes);
	vgpu_pkt_set_shader(&ds->cb, stage, va, (uint32_t)size);
	return true;
}

bool dev_scene_init(struct dev_scene *ds, struct vgpu_dev *dev, uint32_t width, uint32_t height,
                    const char *fs)
{
	ds->dev = dev;
	ds->next_va = SCENE_HEAP_START;
	ds->width = width;
	ds->height = height;
	ds->cb = (struct vgpu_cmdbuf)VGPU_CMDBUF_INIT(ds->words, VT_COUNT(ds->words));

	struct vgpu_pkt_surface target = {0, width * 16, VGPU_FORMAT_R32G32B32A32_FLOAT};

	target.va = ds->target_va = dev_scene_alloc(ds, (uint64_t)target.pitch * height, NULL, false);
	vgpu_pkt_set_render_targets(&ds->cb, width, height, 1, &target, NULL);
	vgpu_pkt_set_viewport(&ds->cb, (float[3]){1, 1, 1}, (float[3]){0, 0, 0});
	vgpu_pkt_set_raster(&ds->cb, VGPU_RASTER_HALF_PIXEL_CENTER, 1.0f, 1.0f);
	/* The rest of the state a draw depends on, as a driver emits at the start of each job (state persists
	 * across jobs: spec 10): no depth or stencil test, colour writes on, no blending. */
	const uint32_t no_depth_stencil[5] = {0}, write_all[4] = {15u << 27, 15u << 27, 15u << 27, 15u << 27};

	vgpu_pkt_set_depth_stencil(&ds->cb, no_depth_stencil);
	vgpu_pkt_set_blend(&ds->cb, write_all, (float[4]){0, 0, 0, 0});
	return dev_scene_shader(ds, dev_scene_vs_passthrough) && dev_scene_shader(ds, fs);
}

void dev_scene_rect(struct dev_scene *ds, float s0, float t0, float s1, float t1)
{
	float x1 = (float)ds->width, y1 = (float)ds->height;
	const float corner[6][4] = {{0, 0, s0, t0},  {x1, 0, s1, t0},  {0, y1, s0, t1},
	                            {x1, 0, s1, t0}, {x1, y1, s1, t1}, {0, y1, s0, t1}};
	float data[6 * 8];

	for (int k = 0; k < 6; k++) {
		const float v[8] = {corner[k][0], corner[k][1], 0.5f, 1, corner[k][2], corner[k][3], 0, 0};

		memcpy(data + 8 * k, v, sizeof(v));
	}
	uint64_t va = dev_scene_alloc(ds, sizeof(data), data, false);

	vgpu_pkt_set_vertex_buffer(&ds->cb, 0, va, sizeof(data), 32);
	vgpu_pkt_set_vertex_attrib(&ds->cb, 0, 0, 0, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_set_vertex_attrib(&ds->cb, 1, 0, 16, VGPU_VFMT(VGPU_VTYPE_FLOAT32, 4));
	vgpu_pkt_draw(&ds->cb, VGPU_TOPOLOGY_TRIANGLES, 0, 6, 1);
}

void dev_scene_submit(struct dev_scene *ds, uint64_t seq)
{
	uint32_t ring_words[16];
	struct vgpu_cmdbuf ring = VGPU_CMDBUF_INIT(ring_words, VT_COUNT(ring_words));

	if (ds->cb.overflow) {
		vt_fail(__FILE__, __LINE__, "the scene's command buffer overflowed");
		ds->cb.count = 0;
		return;
	}
	uint64_t ib = dev_scene_alloc(ds, 4ull * ds->cb.count, ds->words, false);

	vgpu_pkt_indirect(&ring, ib, ds->cb.count);
	vgpu_pkt_fence(&ring, TEST_FENCE_GPA | VGPU_PA_SYSMEM, seq, 0);
	vgpu_ring_submit(ds->dev, ring.dw, ring.count);
	ds->cb.count = 0;
}

void dev_scene_pixel(struct dev_scene *ds, uint32_t x, uint32_t y, float rgba[4])
{
	qt_memread(ds->dev->qt, TEST_BAR2_ADDR + ds->target_va + (uint64_t)y * ds->width * 16 + x * 16u, rgba,
	           16);
}

uint64_t dev_scene_alias_everything(struct dev_scene *ds)
{
	static uint64_t l1[512], leaf[512];
	uint64_t l1_pa = dev_scene_alloc(ds, VGPU_PAGE_SIZE, NULL, true);
	uint64_t leaf_pa = dev_scene_alloc(ds, VGPU_PAGE_SIZE, NULL, true);
	uint64_t page_pa = dev_scene_alloc(ds, VGPU_PAGE_SIZE, NULL, true);
	unsigned first_root = VGPU_VA_INDEX(DEV_SCENE_ALIAS_VA, 2);

	for (unsigned i = 0; i < 512; i++) {
		l1[i] = leaf_pa | VGPU_PTE_VALID;
		leaf[i] = page_pa | VGPU_PTE_VALID;
	}
	qt_memwrite(ds->dev->qt, TEST_BAR2_ADDR + l1_pa, l1, sizeof(l1));
	qt_memwrite(ds->dev->qt, TEST_BAR2_ADDR + leaf_pa, leaf, sizeof(leaf));
	for (unsigned i = 0; i < 512; i++) {
		l1[i] = i >= first_root ? (l1_pa | VGPU_PTE_VALID) : 0;
	}
	/* root entries below first_root keep the test window's mapping */
	qt_memwrite(ds->dev->qt, TEST_BAR2_ADDR + TEST_PT_ROOT + 8 * first_root, l1 + first_root,
	            8 * (512 - first_root));
	return page_pa;
}
