/* SPDX-License-Identifier: MIT */
/* Capture and replay round trip: record a sequence that the CPU and the GPU both draw into, replay the file
 * with tools/vgpu-replay's code, and compare the PNG it writes with the frame the live GPU displays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpu_fixture.h"
#include "replay.h"
#include "vgpu_test.h"
#include "vt_png.h"

#define W      256
#define H      128
#define FB1_PA (FX_DATA_PA + 0x100000)
#define FB2_PA (FX_DATA_PA + 0x200000)
#define SRC_PA (FX_DATA_PA + 0x300000)
#define IB_PA  (FX_DATA_PA + 0x400000)
#define FB1_VA 0x10000000ull
#define FB2_VA 0x20000000ull
#define SRC_VA 0x30000000ull
#define SYS_VA 0x40000000ull
#define IB_VA  0x50000000ull

static void program_display(struct vgpu *gpu, uint64_t pa)
{
	vgpu_reg_write(gpu, VGPU_REG_DISP_CTRL, VGPU_DISP_CTRL_ENABLE);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_LO, (uint32_t)pa);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_HI, 0);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_FORMAT, VGPU_FORMAT_B8G8R8X8_UNORM);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_STRIDE, W * 4 + 64);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_WIDTH, W);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_HEIGHT, H);
	vgpu_reg_write(gpu, VGPU_REG_DISP_COMMIT, 1);
}

static void put_ib(struct fixture *fx, const struct vgpu_cmdbuf *ib)
{
	memcpy(fx_ptr(fx, IB_PA), ib->dw, 4 * ib->count);
}

/* The live frame as RGB, converted here by hand from XRGB8888. */
static uint8_t *live_frame_rgb(struct fixture *fx)
{
	struct vgpu_frame frame;
	vgpu_display_acquire(fx->gpu, &frame);
	uint8_t *rgb = malloc(W * H * 3);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			const uint8_t *p = frame.pixels + (size_t)y * frame.stride + 4 * x;
			uint8_t *q = rgb + (y * W + x) * 3;
			q[0] = p[2], q[1] = p[1], q[2] = p[0];
		}
	vgpu_display_release(fx->gpu);
	return rgb;
}

static void test_capture_replay_round_trip(void)
{
	struct fixture *fx = fx_create();
	struct vgpu *gpu = fx->gpu;
	char capture_path[] = "/tmp/vgpu-capture-XXXXXX", png_path[64], error[400];
	int fd = mkstemp(capture_path);
	VT_CHECK(fd >= 0);
	close(fd);
	snprintf(png_path, sizeof(png_path), "%s.png", capture_path);

	uint32_t words[64], ib_words[256];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 64);
	struct vgpu_cmdbuf ib = VGPU_CMDBUF_INIT(ib_words, 256);
	fx_map(fx, FB1_VA, FB1_PA, 64, true);
	fx_map(fx, FB2_VA, FB2_PA, 64, true);
	fx_map(fx, SRC_VA, SRC_PA, 64, true);
	fx_map(fx, SYS_VA, FX_SYSMEM_PA(0), 64, false);
	fx_map(fx, IB_VA, IB_PA, 4, false);
	/* Before the capture: the CPU draws FB1 and it is on screen; the GPU has a context. */
	for (uint32_t i = 0; i < (W * 4 + 64) * H; i++)
		fx->vram[FB1_PA + i] = (uint8_t)(i * 31);
	program_display(gpu, FB1_PA);
	vgpu_vblank(gpu);
	fx_emit_context(fx, &cb, 3);
	fx_submit(fx, &cb);

	VT_CHECK_EQ_INT(vgpu_capture_start(gpu, capture_path, error, sizeof(error)), 0);
	VT_CHECK_EQ_INT(vgpu_capture_start(gpu, capture_path, error, sizeof(error)), -1); /* one at a time */
	VT_CHECK(vgpu_reg_read(gpu, VGPU_REG_CAPS) & VGPU_CAP_CAPTURE);

	/* The CPU fills a system-memory image and a VRAM source behind the GPU's back. */
	for (uint32_t i = 0; i < 64 * 64; i++)
		((uint32_t *)fx->sysmem)[i] = 0xff000000u | i * 0x010203u;
	for (uint32_t i = 0; i < 32 * 32; i++)
		((uint16_t *)(fx->vram + SRC_PA))[i] = (uint16_t)(i * 37);

	/* Frame 1 on FB1: the GPU draws over the CPU's pixels. */
	struct vgpu_pkt_surface fb1 = {FB1_VA, W * 4 + 64, VGPU_FORMAT_B8G8R8X8_UNORM};
	struct vgpu_pkt_surface fb2 = {FB2_VA, W * 4 + 64, VGPU_FORMAT_B8G8R8X8_UNORM};
	struct vgpu_pkt_surface sys = {SYS_VA, 64 * 4, VGPU_FORMAT_B8G8R8A8_UNORM};
	struct vgpu_pkt_surface tex = {SRC_VA, 32 * 2, VGPU_FORMAT_B5G6R5_UNORM};
	vgpu_pkt_fill(&ib, &fb1, 10, 10, 100, 50, 0x00336699);
	vgpu_pkt_copy(&ib, &sys, 0, 0, &fb1, 120, 4, 64, 64);
	vgpu_pkt_blit(&ib, &tex, 0, 0, 32, 32, &fb1, 20, 70, 90, 50);
	put_ib(fx, &ib);
	cb.count = 0;
	vgpu_pkt_indirect(&cb, IB_VA, ib.count);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, 1, VGPU_FENCE_FLAG_INTERRUPT);
	fx_submit(fx, &cb);

	/* Flip to FB2, which the CPU drew; then the GPU copies FB1 into it, reads back its own writes, and
	 * the CPU changes the VRAM source between two packets that read it. */
	for (uint32_t i = 0; i < (W * 4 + 64) * H; i++)
		fx->vram[FB2_PA + i] = (uint8_t)(i * 7 + 1);
	program_display(gpu, FB2_PA);
	vgpu_vblank(gpu);
	ib.count = 0;
	vgpu_pkt_copy(&ib, &fb1, 0, 0, &fb2, 8, 8, 200, 60);
	vgpu_pkt_fill(&ib, &fb1, 0, 0, 16, 16, 0x00ff0000);
	vgpu_pkt_copy(&ib, &fb1, 0, 0, &fb2, 230, 100, 16, 16);
	put_ib(fx, &ib);
	cb.count = 0;
	vgpu_pkt_indirect(&cb, IB_VA, ib.count);
	vgpu_pkt_blit(&cb, &(struct vgpu_pkt_surface){0}, 0, 0, 1, 1, &fb2, 0, 0, 1,
	              1); /* faults: bad format */
	fx_submit(fx, &cb);
	FX_EXPECT_FAULT(fx, VGPU_FAULT_BAD_SURFACE);
	memset(fx->vram + SRC_PA, 0xf0, 32 * 32 * 2);
	cb.count = 0;
	vgpu_pkt_blit(&cb, &tex, 0, 0, 32, 32, &fb2, 150, 70, 64, 40);
	vgpu_reg_write(gpu, VGPU_REG_MMU_INVALIDATE, 0);
	fx_submit(fx, &cb);
	VT_CHECK_EQ_INT(vgpu_capture_start(gpu, "/nonexistent-dir/x", error, sizeof(error)), -1);
	vgpu_capture_stop(gpu);
	VT_CHECK(!(vgpu_reg_read(gpu, VGPU_REG_CAPS) & VGPU_CAP_CAPTURE));

	/* Work after the capture stopped is not in the file. */
	cb.count = 0;
	vgpu_pkt_fill(&cb, &fb2, 0, 0, 4, 4, 0x00ffffff);
	uint8_t *before_late_fill = live_frame_rgb(fx);
	fx_submit(fx, &cb);

	struct replay_image image;
	if (replay_capture(capture_path, &image, error, sizeof(error)) != 0)
		vt_fail(__FILE__, __LINE__, "%s", error);
	VT_CHECK_EQ_INT(replay_write_png(png_path, &image, error, sizeof(error)), 0);
	replay_image_free(&image);
	uint32_t width = 0, height = 0;
	uint8_t *replayed = vt_read_png_rgb(png_path, &width, &height);
	VT_CHECK(replayed != NULL);
	VT_CHECK_EQ_U64(width, W);
	VT_CHECK_EQ_U64(height, H);
	if (replayed && width == W && height == H) {
		size_t differing = 0;
		for (size_t i = 0; i < W * H * 3; i++)
			differing += replayed[i] != before_late_fill[i];
		VT_CHECK_EQ_U64(differing, 0);
		/* The GPU's drawing after the flip is in the image (so the packets, not a memory dump, made
		 * it): the red square copied at (230, 100) and the 0xf0f0 blit at (150, 70). */
		const uint8_t *red = replayed + (100 * W + 230) * 3;
		VT_CHECK(red[0] == 0xff && red[1] == 0 && red[2] == 0);
		const uint8_t *blit = replayed + (70 * W + 150) * 3;
		VT_CHECK(blit[0] == 0xf7 && blit[1] == 0x1c && blit[2] == 0x84); /* 0xf0f0 as RGB565 */
	}
	free(replayed);
	free(before_late_fill);
	remove(png_path);
	if (getenv("KEEP_CAPTURE") == NULL)
		remove(capture_path);
	fx_destroy(fx);
}

static void test_replay_rejects_bad_files(void)
{
	char path[] = "/tmp/vgpu-capture-bad-XXXXXX", error[400];
	struct replay_image image;
	int fd = mkstemp(path);
	VT_CHECK(fd >= 0);
	VT_CHECK(write(fd, "not a capture at all, just text", 31) == 31);
	close(fd);
	VT_CHECK_EQ_INT(replay_capture(path, &image, error, sizeof(error)), -1);
	VT_CHECK(strstr(error, "not a vgpu capture") != NULL);
	VT_CHECK_EQ_INT(replay_capture("/nonexistent/capture", &image, error, sizeof(error)), -1);
	VT_CHECK(strstr(error, "cannot open") != NULL);
	remove(path);
}

static const struct vt_case cases[] = {
        VT_CASE(test_capture_replay_round_trip),
        VT_CASE(test_replay_rejects_bad_files),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
