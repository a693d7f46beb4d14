/*
 * first-fill: the smallest complete conversation with the vgpu, the way a driver has it, in one file.
 *
 * It creates a GPU over VRAM it allocates (as the QEMU device does), then plays the driver: checks the
 * identity registers, writes a page table, sets up the ring, submits FILL packets and a FENCE, waits for
 * the fence interrupt, points the display at the result, and saves what the display shows as a PNG.
 * Every step names the section of docs/hw-spec.md it follows.
 *
 *   build/examples/first-fill/first-fill out.png
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu/vgpu.h"
#include "vgpu/vgpu_pkt.h"

#define VRAM_SIZE (16u << 20)
#define WIDTH     320
#define HEIGHT    240
#define PITCH     (WIDTH * 4)

/* Where the "driver" puts things in VRAM (physical addresses, hw-spec 4.1). */
#define PT_ROOT_PA 0x000000u /* three page tables, one 4 KiB page each (hw-spec 4.2) */
#define PT_L1_PA   0x001000u
#define PT_L0_PA   0x002000u
#define FB_PA      0x100000u /* the framebuffer, mapped at GPU virtual address FB_VA */
#define RING_PA    0x400000u
#define RING_SIZE  4096u
#define FENCE_PA   0x401000u
#define FB_VA      0x0u
#define ASID       1

static int fail(const char *what)
{
	fprintf(stderr, "first-fill: %s\n", what);
	return 1;
}

/* This example uses VRAM only, so the GPU never needs guest system memory. */
static int no_sysmem_read(void *opaque, uint64_t bus_addr, void *dst, size_t len)
{
	return -1;
}

static int no_sysmem_write(void *opaque, uint64_t bus_addr, const void *src, size_t len)
{
	return -1;
}

/* A real embedder would schedule interrupt delivery here; we poll after waiting for the GPU. */
static void irq_notify(void *opaque)
{
}

/* Map the framebuffer's pages: VA -> PA through three levels of 512-entry tables (hw-spec 4.2). */
static void write_page_tables(uint8_t *vram)
{
	uint64_t *root = (uint64_t *)(vram + PT_ROOT_PA);
	uint64_t *l1 = (uint64_t *)(vram + PT_L1_PA);
	uint64_t *l0 = (uint64_t *)(vram + PT_L0_PA);

	root[VGPU_VA_INDEX(FB_VA, 2)] = PT_L1_PA | VGPU_PTE_VALID;
	l1[VGPU_VA_INDEX(FB_VA, 1)] = PT_L0_PA | VGPU_PTE_VALID;
	for (uint64_t off = 0; off < (uint64_t)PITCH * HEIGHT; off += VGPU_PAGE_SIZE)
		l0[VGPU_VA_INDEX(FB_VA + off, 0)] = (FB_PA + off) | VGPU_PTE_VALID | VGPU_PTE_WRITE;
}

static int save_png(const char *path, const struct vgpu_frame *frame)
{
	png_image image = {.version = PNG_IMAGE_VERSION,
	                   .width = frame->width,
	                   .height = frame->height,
	                   .format = PNG_FORMAT_BGRA};
	/* XRGB8888 in memory is B, G, R, X: libpng's BGRA layout; X is unused, so make it opaque. */
	size_t size = (size_t)frame->width * frame->height * 4;
	uint8_t *pixels = malloc(size);
	if (!pixels)
		return 0;
	for (uint32_t y = 0; y < frame->height; y++)
		memcpy(pixels + (size_t)y * frame->width * 4, frame->pixels + (size_t)y * frame->stride,
		       (size_t)frame->width * 4);
	for (size_t i = 3; i < size; i += 4)
		pixels[i] = 0xff;
	int ok = png_image_write_to_file(&image, path, 0, pixels, 0, NULL);
	free(pixels);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.png\n", argv[0]);
		return 2;
	}
	uint8_t *vram = calloc(1, VRAM_SIZE);
	if (!vram)
		return fail("out of memory");

	/* 1. The device: a GPU over our VRAM. */
	static const struct vgpu_host_ops ops = {
	        .dma_read = no_sysmem_read, .dma_write = no_sysmem_write, .irq_notify = irq_notify};
	struct vgpu_config config = {.vram = vram,
	                             .vram_size = VRAM_SIZE,
	                             .preferred_width = WIDTH,
	                             .preferred_height = HEIGHT,
	                             .ops = &ops};
	char error[200];
	struct vgpu *gpu = vgpu_create(&config, error, sizeof(error));
	if (!gpu)
		return fail(error);

	/* 2. Identity (hw-spec 3.1): is this a vgpu we understand? */
	if (vgpu_reg_read(gpu, VGPU_REG_MAGIC) != VGPU_MAGIC ||
	    vgpu_reg_read(gpu, VGPU_REG_VERSION) >> 16 != VGPU_VERSION_MAJOR)
		return fail("not a vgpu of major version 1");
	printf("vgpu %u.%u, caps 0x%x, %u MiB VRAM\n", vgpu_reg_read(gpu, VGPU_REG_VERSION) >> 16,
	       vgpu_reg_read(gpu, VGPU_REG_VERSION) & 0xffff, vgpu_reg_read(gpu, VGPU_REG_CAPS),
	       vgpu_reg_read(gpu, VGPU_REG_VRAM_SIZE_LO) >> 20);

	/* 3. Memory (hw-spec 4): the page table our context will use. */
	write_page_tables(vram);

	/* 4. The ring (hw-spec 3.3, 5.1) and the interrupts we want (3.2). */
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_LO, RING_PA);
	vgpu_reg_write(gpu, VGPU_REG_RING_BASE_HI, 0);
	vgpu_reg_write(gpu, VGPU_REG_RING_SIZE, RING_SIZE);
	vgpu_reg_write(gpu, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	vgpu_reg_write(gpu, VGPU_REG_INT_MASK, VGPU_INT_FENCE | VGPU_INT_FAULT);

	/* 5. Commands (hw-spec 6): switch to our context, fill a sky, a sea and a sun, signal fence 1. */
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT((uint32_t *)(vram + RING_PA), RING_SIZE / 4 - 1);
	struct vgpu_pkt_surface fb = {.va = FB_VA, .pitch = PITCH, .format = VGPU_FORMAT_B8G8R8X8_UNORM};
	vgpu_pkt_set_context(&cb, ASID, PT_ROOT_PA);
	vgpu_pkt_fill(&cb, &fb, 0, 0, WIDTH, HEIGHT * 2 / 3, 0x87ceeb);          /* sky blue */
	vgpu_pkt_fill(&cb, &fb, 0, HEIGHT * 2 / 3, WIDTH, HEIGHT / 3, 0x1e3a8a); /* deep blue */
	vgpu_pkt_fill(&cb, &fb, 220, 40, 48, 48, 0xffd700);                      /* gold */
	vgpu_pkt_fence(&cb, FENCE_PA, 1, VGPU_FENCE_FLAG_INTERRUPT);
	if (cb.overflow)
		return fail("the commands do not fit in the ring");
	vgpu_reg_write(gpu, VGPU_REG_RING_TAIL, cb.count * 4); /* the doorbell: returns at once */

	/* 6. Completion: the CP thread ran the packets; the fence wrote 1 and raised an interrupt. */
	if (!vgpu_wait_idle(gpu, 5000))
		return fail("the GPU did not finish in 5 s");
	uint64_t fence;
	memcpy(&fence, vram + FENCE_PA, sizeof(fence));
	uint32_t pending = vgpu_reg_read(gpu, VGPU_REG_INT_PENDING);
	if (pending & VGPU_INT_FAULT)
		return fail("the GPU recorded a fault (read FAULT_TYPE, hw-spec 3.4)");
	if (fence != 1 || !(pending & VGPU_INT_FENCE))
		return fail("fence 1 did not signal");
	printf("fence %llu signalled; MSI-X vectors due: 0x%x\n", (unsigned long long)fence,
	       vgpu_irq_take_messages(gpu));
	vgpu_reg_write(gpu, VGPU_REG_INT_STATUS, pending); /* acknowledge */

	/* 7. Display (hw-spec 7): shadow registers, commit, and the commit latches at the next vblank. */
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_LO, FB_PA);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_ADDR_HI, 0);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_FORMAT, VGPU_FORMAT_B8G8R8X8_UNORM);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_STRIDE, PITCH);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_WIDTH, WIDTH);
	vgpu_reg_write(gpu, VGPU_REG_SCANOUT_HEIGHT, HEIGHT);
	vgpu_reg_write(gpu, VGPU_REG_DISP_CTRL, VGPU_DISP_CTRL_ENABLE);
	vgpu_reg_write(gpu, VGPU_REG_DISP_COMMIT, 1);
	vgpu_vblank(gpu); /* QEMU calls this from a 60 Hz timer */

	struct vgpu_frame frame;
	vgpu_display_acquire(gpu, &frame);
	int saved = frame.enabled && save_png(argv[1], &frame);
	vgpu_display_release(gpu);
	vgpu_destroy(gpu);
	free(vram);
	if (!saved)
		return fail("the display shows nothing, or the PNG could not be written");
	printf("the display shows %ux%u; saved it to %s\n", WIDTH, HEIGHT, argv[1]);
	return 0;
}
