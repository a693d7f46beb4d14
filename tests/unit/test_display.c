/* SPDX-License-Identifier: MIT */
/* The display engine: commits latched at vblank, rejected configurations, vblank bookkeeping, the frame and
 * damage the embedder sees, the cursor and the preferred mode. */
#include <string.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

#define FB_PA (FX_DATA_PA + 0x100000)
#define FB_VA 0x80000000ull

static void program(struct vgpu *gpu, uint32_t ctrl, uint64_t addr, uint32_t format, uint32_t stride,
                    uint32_t width, uint32_t height)
{
	vgpu_reg_write(gpu, VGPU_REG_DISP_CTRL, ctrl);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_LO, (uint32_t)addr);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_HI, (uint32_t)(addr >> 32));
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_FORMAT, format);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_STRIDE, stride);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_WIDTH, width);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_HEIGHT, height);
	vgpu_reg_write(gpu, VGPU_REG_DISP_COMMIT, 1);
}

static void test_commit_latches_at_vblank(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	struct vgpu_frame frame;
	atomic_store(&fx->clock, 5000);
	program(gpu, 1, FB_PA, VGPU_FORMAT_B8G8R8X8_UNORM, 1024 * 4, 1024, 768);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_STATUS), VGPU_DISP_STATUS_FLIP_PENDING);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_STATUS), VGPU_STATUS_FLIP_PENDING);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_COMMIT), 1);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(!frame.enabled);
	vgpu_display_release(gpu);

	vgpu_irq_take_messages(gpu);
	vgpu_vblank(gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_STATUS), VGPU_DISP_STATUS_ENABLED);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_COMMIT), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS), VGPU_INT_VBLANK | VGPU_INT_FLIP_DONE);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 1u << VGPU_MSIX_DISPLAY);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_VBLANK_COUNT), 1);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_VBLANK_TIME_LO), 5000);

	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(frame.enabled);
	VT_CHECK(frame.pixels == fx->vram + FB_PA);
	VT_CHECK_EQ_U64(frame.format, VGPU_FORMAT_B8G8R8X8_UNORM);
	VT_CHECK_EQ_U64(frame.stride, 4096);
	VT_CHECK_EQ_U64(frame.width, 1024);
	VT_CHECK_EQ_U64(frame.height, 768);
	VT_CHECK(frame.mode_changed);
	VT_CHECK_EQ_U64(frame.damage.width, 1024); /* a flip damages everything */
	VT_CHECK_EQ_U64(frame.damage.height, 768);
	vgpu_display_release(gpu);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(!frame.mode_changed);
	VT_CHECK_EQ_U64(frame.damage.width, 0);
	vgpu_display_release(gpu);

	/* Shadow writes without a commit change nothing; the next vblank has no flip. */
	vgpu_reg_write(gpu, VGPU_REG_INT_STATUS, VGPU_INT_ALL);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_WIDTH, 640);
	vgpu_vblank(gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS), VGPU_INT_VBLANK);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK_EQ_U64(frame.width, 1024);
	vgpu_display_release(gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_SCANOUT_WIDTH), 640);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_bad_commit_keeps_the_previous_state(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	program(gpu, 1, FB_PA, VGPU_FORMAT_B5G6R5_UNORM, 2048, 1024, 768);
	vgpu_vblank(gpu);
	struct {
		uint32_t ctrl;
		uint64_t addr;
		uint32_t format, stride, width, height, bad_offset;
	} cases[] = {
	        {3, FB_PA, VGPU_FORMAT_B5G6R5_UNORM, 2048, 100, 100, VGPU_REG_DISP_CTRL},
	        {1, FB_PA, VGPU_FORMAT_R8G8B8A8_UNORM, 4096, 100, 100, VGPU_REG_SCANOUT_FORMAT},
	        {1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, 4096, 0, 100, VGPU_REG_SCANOUT_WIDTH},
	        {1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, 1 << 18, 16385, 100, VGPU_REG_SCANOUT_WIDTH},
	        {1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, 4096, 100, 0, VGPU_REG_SCANOUT_HEIGHT},
	        {1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, 396, 100, 100, VGPU_REG_SCANOUT_STRIDE},
	        {1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, (1 << 18) + 4, 100, 100, VGPU_REG_SCANOUT_STRIDE},
	        {1, FX_VRAM_SIZE - 4096, VGPU_FORMAT_B8G8R8A8_UNORM, 4096, 100, 2, VGPU_REG_SCANOUT_ADDR_LO},
	        {1, VGPU_PA_SYSMEM | (1ull << 52), VGPU_FORMAT_B8G8R8A8_UNORM, 4096, 100, 2,
	         VGPU_REG_SCANOUT_ADDR_LO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		program(gpu, cases[i].ctrl, cases[i].addr, cases[i].format, cases[i].stride, cases[i].width,
		        cases[i].height);
		FX_EXPECT_NO_FAULT(fx); /* checked at latch time */
		vgpu_reg_write(gpu, VGPU_REG_INT_STATUS, VGPU_INT_ALL);
		vgpu_vblank(gpu);
		VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_DISPLAY_BAD_CONFIG), cases[i].bad_offset);
		VT_CHECK_EQ_U64(VGPU_FAULT_INFO_ENGINE(vgpu_reg_read(gpu, VGPU_REG_FAULT_INFO)),
		                VGPU_ENGINE_DISPLAY);
		VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_STATUS),
		                VGPU_DISP_STATUS_ENABLED | VGPU_DISP_STATUS_COMMIT_FAILED);
		VT_CHECK(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS) & VGPU_INT_FLIP_DONE);
		struct vgpu_frame frame;
		vgpu_display_acquire(gpu, &frame);
		VT_CHECK_EQ_U64(frame.format, VGPU_FORMAT_B5G6R5_UNORM);
		VT_CHECK_EQ_U64(frame.width, 1024);
		vgpu_display_release(gpu);
	}
	/* A good commit clears COMMIT_FAILED; disabling is always accepted. */
	program(gpu, 0, 0, 0, 0, 0, 0);
	vgpu_vblank(gpu);
	FX_EXPECT_NO_FAULT(fx);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_DISP_STATUS), 0);
	fx_destroy(fx);
}

static void test_engine_writes_damage_the_frame(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	uint32_t words[32];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 32);
	struct vgpu_frame frame;
	fx_map(fx, FB_VA, FB_PA, 1024, true);
	fx_emit_context(fx, &cb, 1);
	fx_submit(fx, &cb);
	program(gpu, 1, FB_PA, VGPU_FORMAT_B8G8R8A8_UNORM, 4096, 800, 600);
	vgpu_vblank(gpu);
	vgpu_display_acquire(gpu, &frame);
	vgpu_display_release(gpu);

	unsigned notified = atomic_load(&fx->display_notifications);
	cb.count = 0;
	struct vgpu_pkt_surface fb = {FB_VA, 4096, VGPU_FORMAT_B8G8R8A8_UNORM};
	vgpu_pkt_fill(&cb, &fb, 10, 20, 30, 40, 0xff00ff00);
	vgpu_pkt_fill(&cb, &fb, 100, 5, 1, 1, 0xff00ff00);
	fx_submit(fx, &cb);
	VT_CHECK(atomic_load(&fx->display_notifications) > notified);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK_EQ_U64(frame.damage.x, 10);
	VT_CHECK_EQ_U64(frame.damage.y, 5);
	VT_CHECK_EQ_U64(frame.damage.width, 91);
	VT_CHECK_EQ_U64(frame.damage.height, 55);
	VT_CHECK_EQ_U64(((const uint32_t *)frame.pixels)[20 * 1024 + 10], 0xff00ff00);
	vgpu_display_release(gpu);

	/* Writes outside the scanout (below it, or in the stride padding) damage nothing. */
	cb.count = 0;
	vgpu_pkt_fill(&cb, &fb, 0, 600, 10, 10, 1);
	vgpu_pkt_fill(&cb, &fb, 900, 0, 10, 1, 1);
	fx_submit(fx, &cb);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK_EQ_U64(frame.damage.width, 0);
	VT_CHECK_EQ_U64(frame.damage.height, 0);
	vgpu_display_release(gpu);
	FX_EXPECT_NO_FAULT(fx);
	fx_destroy(fx);
}

static void test_scanout_from_system_memory(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	struct vgpu_frame frame;
	for (int i = 0; i < 64 * 64; i++)
		((uint32_t *)fx->sysmem)[i] = 0xff000000u | (uint32_t)i;
	program(gpu, 1, FX_SYSMEM_PA(0), VGPU_FORMAT_B8G8R8A8_UNORM, 256, 64, 64);
	vgpu_vblank(gpu);
	FX_EXPECT_NO_FAULT(fx);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(frame.enabled);
	VT_CHECK(frame.pixels != fx->sysmem);
	VT_CHECK(memcmp(frame.pixels, fx->sysmem, 64 * 256) == 0);
	vgpu_display_release(gpu);
	atomic_store(&fx->refuse_dma, true);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(!frame.enabled);
	vgpu_display_release(gpu);
	FX_EXPECT_FAULT(fx, VGPU_FAULT_DMA_ERROR);
	atomic_store(&fx->refuse_dma, false);
	fx_destroy(fx);
}

static void test_cursor(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	struct vgpu_frame frame;
	uint32_t *image = (uint32_t *)(fx->vram + FB_PA);
	for (int i = 0; i < 64 * 64; i++)
		image[i] = 0x80000000u | (uint32_t)i;
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_ADDR_LO, (uint32_t)FB_PA);
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_ADDR_HI, 0);
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_POS, VGPU_XY(0xfffe, 30)); /* x = -2 */
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_CTRL, VGPU_CURSOR_CTRL_ENABLE);
	FX_EXPECT_NO_FAULT(fx);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(frame.cursor_enabled);
	VT_CHECK(frame.cursor_changed);
	VT_CHECK_EQ_INT(frame.cursor_x, -2);
	VT_CHECK_EQ_INT(frame.cursor_y, 30);
	VT_CHECK(frame.cursor_pixels && frame.cursor_pixels[65] == (0x80000000u | 65));
	vgpu_display_release(gpu);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(!frame.cursor_changed);
	vgpu_display_release(gpu);
	image[3] = 0;
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(frame.cursor_changed);
	VT_CHECK_EQ_U64(frame.cursor_pixels[3], 0);
	vgpu_display_release(gpu);

	/* An address outside memory hides the cursor and faults. */
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_ADDR_LO, (uint32_t)(FX_VRAM_SIZE - 4096));
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_ADDR_HI, 0);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_DISPLAY_BAD_CONFIG), VGPU_REG_CURSOR_ADDR_HI);
	vgpu_display_acquire(gpu, &frame);
	VT_CHECK(!frame.cursor_enabled);
	vgpu_display_release(gpu);
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_CTRL, 0);
	FX_EXPECT_NO_FAULT(fx);
	vgpu_reg_write(gpu, VGPU_REG_CURSOR_CTRL, 1);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_DISPLAY_BAD_CONFIG), VGPU_REG_CURSOR_CTRL);
	fx_destroy(fx);
}

static void test_preferred_mode_raises_hotplug(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	vgpu_irq_take_messages(gpu);
	vgpu_set_preferred_mode(gpu, 1920, 1080);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_PREFERRED_WIDTH), 1920);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_PREFERRED_HEIGHT), 1080);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_INT_STATUS), VGPU_INT_HOTPLUG);
	VT_CHECK_EQ_U64(vgpu_irq_take_messages(gpu), 1u << VGPU_MSIX_DISPLAY);
	vgpu_set_preferred_mode(gpu, 0, 1080); /* not a mode: ignored */
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_PREFERRED_WIDTH), 1920);
	/* the preferred mode survives reset (it is the host window's) */
	vgpu_reset(gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(gpu, VGPU_REG_PREFERRED_WIDTH), 1920);
	fx_destroy(fx);
}

static const struct vt_case cases[] = {
        VT_CASE(test_commit_latches_at_vblank),
        VT_CASE(test_bad_commit_keeps_the_previous_state),
        VT_CASE(test_engine_writes_damage_the_frame),
        VT_CASE(test_scanout_from_system_memory),
        VT_CASE(test_cursor),
        VT_CASE(test_preferred_mode_raises_hotplug),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
