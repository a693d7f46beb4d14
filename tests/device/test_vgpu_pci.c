/* The device suite: the real QEMU with vgpu-pci, driven through qtest (the test plays the guest CPU). */
#include "intel_iommu.h"
#include "qtest_client.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu_pci_3d.h"
#include "vgpu_pci_dev.h"
#include "vgpu_test.h"
#include "vnc_client.h"
#include "vt_png.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEVICE_ARGS     "-device vgpu-pci,vram_size=16M"
#define PCI_CAP_ID_MSIX 0x11

/* Output and exit status of `qemu ARGS`, for command-line behaviour. */
static char *run_qemu(const char *args, int *status)
{
	char cmd[512], *out = calloc(1, 1 << 16);
	size_t len = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", qt_qemu_path(), args);
	p = popen(cmd, "r");
	if (p) {
		len = fread(out, 1, (1 << 16) - 1, p);
		*status = pclose(p);
	}
	out[len] = '\0';
	return out;
}

static void test_device_help_lists_vgpu(void)
{
	int status = -1;
	char *out = run_qemu("-device help", &status);

	VT_CHECK(status == 0);
	VT_CHECK(strstr(out, "name \"vgpu-pci\", bus PCI, desc \"") != NULL);
	free(out);

	out = run_qemu("-device vgpu-pci,help", &status);
	VT_CHECK(status == 0);
	VT_CHECK(strstr(out, "vram_size=<size>") != NULL);
	VT_CHECK(strstr(out, "power of two from 16M to 4G") != NULL);
	VT_CHECK(strstr(out, "xres=<uint32>") != NULL && strstr(out, "yres=<uint32>") != NULL);
	free(out);
}

static void test_bad_properties_are_refused(void)
{
	int status = 0;
	char *out =
	        run_qemu("-machine q35 -accel qtest -display none -device vgpu-pci,vram_size=24M", &status);

	VT_CHECK(status != 0);
	VT_CHECK(strstr(out, "vram_size") != NULL);
	free(out);
	out = run_qemu("-machine q35 -accel qtest -display none -device vgpu-pci,xres=0", &status);
	VT_CHECK(status != 0);
	VT_CHECK(strstr(out, "xres") != NULL);
	free(out);
}

static void test_pci_identity_bars_and_msix(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	unsigned fn = dev.devfn;
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x00, 2), VGPU_PCI_VENDOR_ID);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x02, 2), VGPU_PCI_DEVICE_ID);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x08, 4) >> 8, VGPU_PCI_CLASS);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x08, 1), VGPU_PCI_REVISION);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x2c, 2), VGPU_PCI_SUBSYSTEM_VENDOR_ID);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x2e, 2), VGPU_PCI_SUBSYSTEM_ID);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x3d, 1), 1); /* INTA# */

	/* BAR types: 0 32-bit non-prefetchable, 2 64-bit prefetchable, 4 32-bit; 1, 3 (upper half), 5 absent
	 */
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x10, 4) & 0xf, 0x0);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x18, 4) & 0xf, 0xc);
	VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, 0x20, 4) & 0xf, 0x0);
	VT_CHECK_EQ_U64(pci_bar_size(qt, fn, VGPU_BAR_REGS), VGPU_REGS_SIZE);
	VT_CHECK_EQ_U64(pci_bar_size(qt, fn, VGPU_BAR_VRAM), TEST_VRAM_SIZE);
	VT_CHECK_EQ_U64(pci_bar_size(qt, fn, VGPU_BAR_MSIX), 4096);
	VT_CHECK_EQ_U64(pci_bar_size(qt, fn, 1), 0);
	VT_CHECK_EQ_U64(pci_bar_size(qt, fn, 5), 0);

	unsigned msix = pci_find_capability(qt, fn, PCI_CAP_ID_MSIX);
	VT_CHECK(msix != 0);
	if (msix) {
		VT_CHECK_EQ_U64((pci_cfg_read(qt, fn, msix + 2, 2) & 0x7ff) + 1, VGPU_MSIX_VECTORS);
		VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, msix + 4, 4) & 7, VGPU_BAR_MSIX); /* table BIR */
		VT_CHECK_EQ_U64(pci_cfg_read(qt, fn, msix + 8, 4) & 7, VGPU_BAR_MSIX); /* PBA BIR */
	}
	vgpu_dev_stop(&dev);
}

static void test_identity_registers(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_MAGIC), VGPU_MAGIC);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_VERSION), VGPU_VERSION);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_VRAM_SIZE_LO), TEST_VRAM_SIZE);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_VRAM_SIZE_HI), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_MAX_SURFACE_DIM), VGPU_MAX_SURFACE_DIM);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_WARP_LANES), VGPU_WARP_LANES);
	uint32_t caps = vgpu_rd(&dev, VGPU_REG_CAPS);
	VT_CHECK((caps & (VGPU_CAP_2D | VGPU_CAP_DISPLAY)) == (VGPU_CAP_2D | VGPU_CAP_DISPLAY));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), 0xffffffff);
	vgpu_wr(&dev, VGPU_REG_SCRATCH, 0x12345678);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), ~0x12345678u);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_PREFERRED_WIDTH), 1024);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_PREFERRED_HEIGHT), 768);
	/* VRAM is plain memory behind BAR2 */
	qt_writel(qt, TEST_BAR2_ADDR + TEST_VRAM_SIZE - 4, 0xcafef00d);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_BAR2_ADDR + TEST_VRAM_SIZE - 4), 0xcafef00d);
	vgpu_dev_stop(&dev);
}

static const uint32_t fill_value = 0x00336699, background = 0x00000000;

/* FILL a 16x8 rectangle at (4, 2) of a 64x16 surface, COPY it to (40, 6), FENCE. */
static void submit_fill_and_copy(struct vgpu_dev *dev, uint64_t surface_va, uint64_t seq)
{
	uint32_t packet[12];

	packet[0] = VGPU_PKT_HEADER(VGPU_PKT_FILL, 7);
	vgpu_surface(packet + 1, surface_va, 256, VGPU_FORMAT_B8G8R8X8_UNORM);
	packet[5] = VGPU_XY(4, 2);
	packet[6] = VGPU_XY(16, 8);
	packet[7] = fill_value;
	vgpu_ring_submit(dev, packet, 8);

	packet[0] = VGPU_PKT_HEADER(VGPU_PKT_COPY, 11);
	vgpu_surface(packet + 1, surface_va, 256, VGPU_FORMAT_B8G8R8X8_UNORM);
	vgpu_surface(packet + 5, surface_va, 256, VGPU_FORMAT_B8G8R8X8_UNORM);
	packet[9] = VGPU_XY(4, 2);
	packet[10] = VGPU_XY(40, 6);
	packet[11] = VGPU_XY(16, 8);
	vgpu_ring_submit(dev, packet, 12);
	vgpu_ring_fence(dev, seq, false);
}

static uint32_t expected_pixel(unsigned x, unsigned y)
{
	bool in_fill = x >= 4 && x < 20 && y >= 2 && y < 10;
	bool in_copy = x >= 40 && x < 56 && y >= 6 && y < 14;

	return in_fill || in_copy ? fill_value : background;
}

static void test_ring_fill_and_copy_vram(void)
{
	struct vgpu_dev dev;
	static uint32_t pixels[64 * 16];

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	vgpu_dev_ready_for_jobs(&dev);
	submit_fill_and_copy(&dev, TEST_MAPPED_VA, 1);
	if (vgpu_wait_fence(&dev, 1)) {
		qt_memread(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA, pixels, sizeof(pixels));
		unsigned wrong = 0;
		for (unsigned y = 0; y < 16; y++) {
			for (unsigned x = 0; x < 64; x++) {
				wrong += pixels[y * 64 + x] != expected_pixel(x, y);
			}
		}
		VT_CHECK_EQ_INT(wrong, 0);
		VT_CHECK_EQ_U64(qt_readq(qt, TEST_FENCE_GPA), 1);
	}
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_HEAD), dev.ring_tail);
	vgpu_dev_stop(&dev);
}

static void enable_msix_to_ram(struct vgpu_dev *dev, unsigned vector, uint32_t data)
{
	unsigned msix = pci_find_capability(dev->qt, dev->devfn, PCI_CAP_ID_MSIX);
	uint64_t entry = TEST_BAR4_ADDR + 16 * vector;

	qt_writel(dev->qt, entry + 0, (uint32_t)(TEST_MSI_GPA + 4 * vector));
	qt_writel(dev->qt, entry + 4, 0);
	qt_writel(dev->qt, entry + 8, data);
	qt_writel(dev->qt, entry + 12, 0);                       /* unmasked */
	pci_cfg_write(dev->qt, dev->devfn, msix + 2, 2, 0x8000); /* MSI-X enable */
}

static bool wait_for_ram_value(struct qt *qt, uint64_t gpa, uint32_t value)
{
	for (int i = 0; i < 5000; i++) {
		if (qt_readl(qt, gpa) == value) {
			return true;
		}
		usleep(1000);
	}
	return false;
}

static void test_fence_writes_and_msix_delivery(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	enable_msix_to_ram(&dev, VGPU_MSIX_CMD, 0xc0de0000);
	enable_msix_to_ram(&dev, VGPU_MSIX_FAULT, 0xc0de0002);
	vgpu_wr(&dev, VGPU_REG_INT_MASK, VGPU_INT_FENCE | VGPU_INT_FAULT);
	vgpu_ring_start(&dev);

	vgpu_ring_fence(&dev, 0x100000007ull, true);
	VT_CHECK(vgpu_wait_fence(&dev, 0x100000007ull));
	VT_CHECK_EQ_U64(qt_readq(qt, TEST_FENCE_GPA), 0x100000007ull);
	VT_CHECK(wait_for_ram_value(qt, TEST_MSI_GPA + 4 * VGPU_MSIX_CMD, 0xc0de0000));
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_INT_STATUS) & VGPU_INT_FENCE);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_MSI_GPA + 4 * VGPU_MSIX_FAULT), 0); /* no fault message */

	/* Acknowledge, then a fence without the INTERRUPT flag must not send a message. */
	vgpu_wr(&dev, VGPU_REG_INT_STATUS, VGPU_INT_FENCE);
	qt_writel(qt, TEST_MSI_GPA, 0);
	vgpu_ring_fence(&dev, 0x100000008ull, false);
	VT_CHECK(vgpu_wait_fence(&dev, 0x100000008ull));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_INT_STATUS) & VGPU_INT_FENCE, 0);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_MSI_GPA), 0);

	/* A register fault goes out on the fault vector. */
	vgpu_wr(&dev, VGPU_REG_MAGIC, 1);
	VT_CHECK(wait_for_ram_value(qt, TEST_MSI_GPA + 4 * VGPU_MSIX_FAULT, 0xc0de0002));
	vgpu_dev_stop(&dev);
}

static int wait_for_irq_level(struct qt *qt, bool raised)
{
	int line = -1;

	for (int i = 0; i < 5000; i++) {
		line = qt_irq_raised(qt);
		if ((line >= 0) == raised) {
			break;
		}
		usleep(1000);
	}
	return line;
}

/* Without MSI-X the device asserts INTA# while INT_PENDING is non-zero (q35 routes it to IOAPIC pins 16..23).
 */
static void test_intx_follows_int_pending(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	qt_irq_intercept_in(qt, "ioapic");
	vgpu_wr(&dev, VGPU_REG_MAGIC, 1); /* a fault, still masked */
	VT_CHECK_EQ_INT(wait_for_irq_level(qt, false), -1);
	vgpu_wr(&dev, VGPU_REG_INT_MASK, VGPU_INT_FAULT); /* unmasking a pending event interrupts */
	int line = wait_for_irq_level(qt, true);
	VT_CHECK(line >= 16 && line <= 23);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_INT_PENDING), VGPU_INT_FAULT);
	vgpu_wr(&dev, VGPU_REG_FAULT_ACK, 1);
	vgpu_wr(&dev, VGPU_REG_INT_STATUS, VGPU_INT_FAULT);
	VT_CHECK_EQ_INT(wait_for_irq_level(qt, false), -1);
	vgpu_dev_stop(&dev);
}

/* Latch a scanout (commit, then one vblank). */
static void commit_scanout(struct vgpu_dev *dev, uint64_t pa, uint32_t format, uint32_t width,
                           uint32_t height, uint32_t stride)
{
	vgpu_wr(dev, VGPU_REG_SCANOUT_ADDR_LO, (uint32_t)pa);
	vgpu_wr(dev, VGPU_REG_SCANOUT_ADDR_HI, (uint32_t)(pa >> 32));
	vgpu_wr(dev, VGPU_REG_SCANOUT_FORMAT, format);
	vgpu_wr(dev, VGPU_REG_SCANOUT_STRIDE, stride);
	vgpu_wr(dev, VGPU_REG_SCANOUT_WIDTH, width);
	vgpu_wr(dev, VGPU_REG_SCANOUT_HEIGHT, height);
	vgpu_wr(dev, VGPU_REG_DISP_CTRL, VGPU_DISP_CTRL_ENABLE);
	vgpu_wr(dev, VGPU_REG_DISP_COMMIT, 1);
	qt_clock_step(dev->qt, 20 * 1000 * 1000); /* past one vblank at 60 Hz */
}

/* QMP screendump in a format QEMU knows ("png", "ppm"). */
static void screendump_as(struct qt *qt, const char *path, const char *format)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
	         "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\", \"format\": \"%s\"}}",
	         path, format);
	qt_qmp_ok(qt, cmd);
}

static void screendump(struct qt *qt, const char *path)
{
	screendump_as(qt, path, "png");
}

/* Compare a 64x16 screendump with expected_pixel(); corner_pixel (if not ~0) is expected at (63, 15). */
static int count_wrong_pixels(const char *path, uint32_t corner_pixel)
{
	unsigned width = 0, height = 0, wrong = 0;
	uint8_t *rgb = vt_read_png_rgb(path, &width, &height);

	if (!rgb) {
		return -1;
	}
	VT_CHECK_EQ_INT(width, 64);
	VT_CHECK_EQ_INT(height, 16);
	for (unsigned y = 0; y < 16 && width == 64 && height == 16; y++) {
		for (unsigned x = 0; x < 64; x++) {
			bool corner = x == 63 && y == 15 && corner_pixel != 0xffffffff;
			uint32_t want = corner ? corner_pixel : expected_pixel(x, y);
			const uint8_t *p = rgb + 3 * (y * 64 + x);

			wrong += p[0] != ((want >> 16) & 0xff) || p[1] != ((want >> 8) & 0xff) ||
			         p[2] != (want & 0xff);
		}
	}
	free(rgb);
	return (int)wrong;
}

static void test_scanout_and_png_screendump(void)
{
	struct vgpu_dev dev;
	char path[128];
	unsigned width = 0, height = 0;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	vgpu_dev_ready_for_jobs(&dev);
	submit_fill_and_copy(&dev, TEST_MAPPED_VA, 1);
	VT_CHECK(vgpu_wait_fence(&dev, 1));
	commit_scanout(&dev, TEST_MAPPED_VA, VGPU_FORMAT_B8G8R8X8_UNORM, 64, 16, 256);
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_ENABLED);
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_VBLANK_COUNT) >= 1);

	snprintf(path, sizeof(path), "%s/screen.png", qt_dir(qt));
	screendump(qt, path);
	VT_CHECK_EQ_INT(count_wrong_pixels(path, 0xffffffff), 0);
	/* One pixel written by the guest CPU, which libvgpu cannot see: dirty tracking must bring it. */
	qt_writel(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 15 * 256 + 63 * 4, 0x00ff0000);
	screendump(qt, path);
	VT_CHECK_EQ_INT(count_wrong_pixels(path, 0x00ff0000), 0);
	/* The same through HMP. */
	char hmp[256];
	snprintf(hmp, sizeof(hmp),
	         "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"screendump "
	         "%s/hmp.png -f png\"}}",
	         qt_dir(qt));
	qt_qmp_ok(qt, hmp);
	snprintf(path, sizeof(path), "%s/hmp.png", qt_dir(qt));
	VT_CHECK_EQ_INT(count_wrong_pixels(path, 0x00ff0000), 0);

	/* A mode change is followed: the next dump has the new size. */
	vgpu_wr(&dev, VGPU_REG_SCANOUT_WIDTH, 32);
	vgpu_wr(&dev, VGPU_REG_SCANOUT_HEIGHT, 8);
	vgpu_wr(&dev, VGPU_REG_DISP_COMMIT, 1);
	qt_clock_step(qt, 20 * 1000 * 1000);
	screendump(qt, path);
	uint8_t *rgb = vt_read_png_rgb(path, &width, &height);
	VT_CHECK_EQ_INT(width, 32);
	VT_CHECK_EQ_INT(height, 8);
	free(rgb);
	vgpu_dev_stop(&dev);
}

/* A scanout in guest system memory (libvgpu copies it by DMA); a bad commit keeps the previous image. */
static void test_scanout_from_system_memory_and_bad_commit(void)
{
	struct vgpu_dev dev;
	uint32_t image[4][8];
	char path[128];
	unsigned width = 0, height = 0;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	for (unsigned y = 0; y < 4; y++) {
		for (unsigned x = 0; x < 8; x++) {
			image[y][x] = (x * 30) << 16 | (y * 60) << 8 | 0x80;
		}
	}
	qt_memwrite(qt, 0x500000, image, sizeof(image));
	commit_scanout(&dev, 0x500000 | VGPU_PA_SYSMEM, VGPU_FORMAT_B8G8R8X8_UNORM, 8, 4, 32);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_DISP_STATUS), VGPU_DISP_STATUS_ENABLED);

	/* rejected at vblank: a stride shorter than a row */
	commit_scanout(&dev, 0x500000 | VGPU_PA_SYSMEM, VGPU_FORMAT_B8G8R8X8_UNORM, 8, 4, 16);
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_COMMIT_FAILED);
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_ENABLED);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_TYPE), VGPU_FAULT_DISPLAY_BAD_CONFIG);

	snprintf(path, sizeof(path), "%s/sysmem.png", qt_dir(qt));
	screendump(qt, path);
	uint8_t *rgb = vt_read_png_rgb(path, &width, &height);
	if (rgb && width == 8 && height == 4) {
		unsigned wrong = 0;
		for (unsigned y = 0; y < 4; y++) {
			for (unsigned x = 0; x < 8; x++) {
				const uint8_t *p = rgb + 3 * (y * 8 + x);
				wrong += p[0] != x * 30 || p[1] != y * 60 || p[2] != 0x80;
			}
		}
		VT_CHECK_EQ_INT(wrong, 0);
	} else {
		VT_CHECK(rgb && width == 8 && height == 4);
	}
	free(rgb);
	vgpu_dev_stop(&dev);
}

/* The last 3 bytes of a PPM screendump: the bottom-right pixel as 0xRRGGBB; ~0 if unreadable. */
static uint32_t ppm_last_pixel(const char *path)
{
	uint8_t rgb[3];
	FILE *f = fopen(path, "rb");
	bool ok = f && fseek(f, -3, SEEK_END) == 0 && fread(rgb, 1, 3, f) == 3;

	if (f) {
		fclose(f);
	}
	return ok ? (uint32_t)rgb[0] << 16 | rgb[1] << 8 | rgb[2] : 0xffffffff;
}

/*
 * Issue 18 item 3: a 1024x768 XRGB scanout with pitch 8192 whose last row's pitch crosses a 256 KiB boundary
 * past the end of its pixels. QEMU's dirty snapshot covers the scanout rounded to 256 KiB, and asking it
 * about the whole pitch of the last row asserted. Every page offset in 256 KiB meets the boundary once; at
 * each, the second screendump takes the dirty-tracking path and must show a pixel the CPU wrote after the
 * first.
 */
static void test_scanout_whose_last_pitch_crosses_256k(void)
{
	const uint32_t width = 1024, height = 768, stride = 8192;
	struct vgpu_dev dev;
	char path[128];
	unsigned wrong = 0;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	snprintf(path, sizeof(path), "%s/screen.ppm", qt_dir(dev.qt));
	for (uint32_t offset = 0; offset < 256 * 1024 && qt_alive(dev.qt); offset += 4096) {
		uint64_t last_pixel = offset + (uint64_t)stride * (height - 1) + 4 * (width - 1);
		uint32_t colour = 0x00102030 + offset / 4096;

		commit_scanout(&dev, offset, VGPU_FORMAT_B8G8R8X8_UNORM, width, height, stride);
		screendump_as(dev.qt, path, "ppm");
		qt_writel(dev.qt, TEST_BAR2_ADDR + last_pixel, colour);
		screendump_as(dev.qt, path, "ppm");
		wrong += ppm_last_pixel(path) != colour;
	}
	VT_CHECK_EQ_INT(wrong, 0);
	VT_CHECK(qt_alive(dev.qt));
	vgpu_dev_stop(&dev);
}

/* B5G6R5 widened to 8 bits per channel by repeating the top bits, as pixman and every display do. */
static uint32_t rgb565_to_rgb888(uint16_t p)
{
	uint32_t r = p >> 11, g = (p >> 5) & 63, b = p & 31;

	return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
}

/*
 * Issue 18 item 4: a B5G6R5 scanout of odd width (1023 pixels: rows of 2046 bytes, which pixman refuses as a
 * surface pitch) made QEMU assert on the next refresh. Now the console pads its rows; the screendump shows
 * the image pixel for pixel.
 */
static void test_odd_width_rgb565_scanout(void)
{
	enum { WIDTH = 1023, HEIGHT = 16, STRIDE = 2048 };
	static uint16_t image[HEIGHT][STRIDE / 2];
	struct vgpu_dev dev;
	char path[128];
	uint32_t width = 0, height = 0;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	for (unsigned y = 0; y < HEIGHT; y++) {
		for (unsigned x = 0; x < WIDTH; x++) {
			image[y][x] = (uint16_t)((x % 32) << 11 | (y * 4 % 64) << 5 | (x / 32) % 32);
		}
	}
	qt_memwrite(dev.qt, TEST_BAR2_ADDR + TEST_MAPPED_VA, image, sizeof(image));
	commit_scanout(&dev, TEST_MAPPED_VA, VGPU_FORMAT_B5G6R5_UNORM, WIDTH, HEIGHT, STRIDE);
	snprintf(path, sizeof(path), "%s/rgb565.png", qt_dir(dev.qt));
	screendump(dev.qt, path);
	uint8_t *rgb = vt_read_png_rgb(path, &width, &height);
	VT_CHECK_EQ_INT(width, WIDTH);
	VT_CHECK_EQ_INT(height, HEIGHT);
	if (rgb && width == WIDTH && height == HEIGHT) {
		unsigned wrong = 0;

		for (unsigned y = 0; y < HEIGHT; y++) {
			for (unsigned x = 0; x < WIDTH; x++) {
				const uint8_t *p = rgb + 3 * (y * WIDTH + x);
				uint32_t got = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];

				wrong += got != rgb565_to_rgb888(image[y][x]);
			}
		}
		VT_CHECK_EQ_INT(wrong, 0);
	}
	free(rgb);
	VT_CHECK(qt_alive(dev.qt));
	vgpu_dev_stop(&dev);
}

/* The VNC cases' fixture: QEMU connected (reverse) to the test's VNC client, its vgpu-pci opened. */
struct vnc_case {
	char dir[32], sock[64];
	int listen_fd, fd;
	struct vgpu_dev dev;
};

static bool vnc_case_start(struct vnc_case *vc)
{
	char args[160];

	snprintf(vc->dir, sizeof(vc->dir), "/tmp/vgpu-vnc-XXXXXX");
	vc->listen_fd = vc->fd = -1;
	vc->dev.qt = NULL;
	if (!mkdtemp(vc->dir)) {
		vt_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(vc->sock, sizeof(vc->sock), "%s/vnc.sock", vc->dir);
	snprintf(args, sizeof(args), DEVICE_ARGS " -vnc unix:%s,reverse=on", vc->sock);
	vc->listen_fd = vnc_listen(vc->sock);
	if (vc->listen_fd >= 0 && vgpu_dev_start(&vc->dev, args)) {
		vc->fd = vnc_accept(vc->listen_fd);
	}
	VT_CHECK(vc->fd >= 0);
	return vc->fd >= 0;
}

static void vnc_case_stop(struct vnc_case *vc)
{
	if (vc->fd >= 0) {
		close(vc->fd);
	}
	if (vc->listen_fd >= 0) {
		close(vc->listen_fd);
	}
	if (vc->dev.qt) {
		vgpu_dev_stop(&vc->dev);
	}
	unlink(vc->sock);
	rmdir(vc->dir);
}

/* The hardware cursor reaches QEMU's UI: a VNC client sees the image the guest put in VRAM. */
static void test_cursor_reaches_the_vnc_client(void)
{
	static uint32_t image[VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE], seen[VGPU_CURSOR_SIZE * VGPU_CURSOR_SIZE];
	const uint64_t cursor_pa = 0x180000;
	unsigned width = 0, height = 0;
	struct vnc_case vc;

	if (vnc_case_start(&vc)) {
		struct vgpu_dev *dev = &vc.dev;

		/* an opaque gradient in the top-left quarter, transparent elsewhere */
		for (unsigned y = 0; y < VGPU_CURSOR_SIZE; y++) {
			for (unsigned x = 0; x < VGPU_CURSOR_SIZE; x++) {
				bool opaque = x < 32 && y < 32;
				image[y * VGPU_CURSOR_SIZE + x] =
				        opaque ? 0xff000000u | x << 18 | y << 10 | 0x40 : 0;
			}
		}
		qt_memwrite(dev->qt, TEST_BAR2_ADDR + cursor_pa, image, sizeof(image));
		commit_scanout(dev, TEST_MAPPED_VA, VGPU_FORMAT_B8G8R8X8_UNORM, 64, 16, 256);
		vgpu_wr(dev, VGPU_REG_CURSOR_ADDR_LO, (uint32_t)cursor_pa);
		vgpu_wr(dev, VGPU_REG_CURSOR_ADDR_HI, 0);
		vgpu_wr(dev, VGPU_REG_CURSOR_POS, VGPU_XY(10, 5));
		vgpu_wr(dev, VGPU_REG_CURSOR_CTRL, VGPU_CURSOR_CTRL_ENABLE);
		VT_CHECK(vnc_read_cursor(vc.fd, seen, VT_COUNT(seen), &width, &height));
		VT_CHECK_EQ_INT(width, VGPU_CURSOR_SIZE);
		VT_CHECK_EQ_INT(height, VGPU_CURSOR_SIZE);
		VT_CHECK(memcmp(seen, image, sizeof(image)) == 0);
	}
	vnc_case_stop(&vc);
}

/* A resized host window (here a VNC client asking for a size) becomes the preferred mode, with HOTPLUG. */
static void test_window_resize_is_a_hotplug(void)
{
	struct vnc_case vc;

	if (vnc_case_start(&vc)) {
		struct vgpu_dev *dev = &vc.dev;

		VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_INT_STATUS) & VGPU_INT_HOTPLUG, 0);
		VT_CHECK(vnc_request_desktop_size(vc.fd, 1280, 720));
		for (int i = 0; i < 5000 && vgpu_rd(dev, VGPU_REG_PREFERRED_WIDTH) != 1280; i++) {
			usleep(1000);
		}
		VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_PREFERRED_WIDTH), 1280);
		VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_PREFERRED_HEIGHT), 720);
		VT_CHECK(vgpu_rd(dev, VGPU_REG_INT_STATUS) & VGPU_INT_HOTPLUG);
	}
	vnc_case_stop(&vc);
}

static void test_savevm_loadvm_round_trip(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	VT_CHECK(qt_add_snapshot_disk(qt));

	/* State to keep: a register, the ring position and fence, a pending interrupt, VRAM written by an
	 * engine. */
	vgpu_dev_ready_for_jobs(&dev);
	submit_fill_and_copy(&dev, TEST_MAPPED_VA, 5);
	VT_CHECK(vgpu_wait_fence(&dev, 5));
	vgpu_wr(&dev, VGPU_REG_SCRATCH, 0x5a5a0001);
	vgpu_wr(&dev, VGPU_REG_INT_MASK, VGPU_INT_FENCE);
	uint32_t head = vgpu_rd(&dev, VGPU_REG_RING_HEAD);
	uint32_t pixel = qt_readl(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 2 * 256 + 4 * 4);

	VT_CHECK(qt_qmp_job(
	        qt,
	        "{\"execute\": \"snapshot-save\", \"arguments\": {\"job-id\": \"save\", \"tag\": \"s1\", "
	        "\"vmstate\": \"disk\", \"devices\": [\"disk\"]}}",
	        "save"));

	/* Change all of it. */
	vgpu_wr(&dev, VGPU_REG_SCRATCH, 0x0badbad0);
	vgpu_wr(&dev, VGPU_REG_INT_MASK, 0);
	qt_writel(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 2 * 256 + 4 * 4, 0x00abcdef);
	vgpu_ring_fence(&dev, 6, false);
	VT_CHECK(vgpu_wait_fence(&dev, 6));

	VT_CHECK(qt_qmp_job(
	        qt,
	        "{\"execute\": \"snapshot-load\", \"arguments\": {\"job-id\": \"load\", \"tag\": \"s1\", "
	        "\"vmstate\": \"disk\", \"devices\": [\"disk\"]}}",
	        "load"));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), ~0x5a5a0001u);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_INT_MASK), VGPU_INT_FENCE);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FENCE_SEQ_LO), 5);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_HEAD), head);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_CTRL), VGPU_RING_CTRL_ENABLE);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 2 * 256 + 4 * 4), pixel);
	VT_CHECK_EQ_U64(pixel, fill_value);

	/* The restored GPU continues: the ring, at the restored position, takes the next job. */
	dev.ring_tail = head;
	vgpu_ring_fence(&dev, 7, false);
	VT_CHECK(vgpu_wait_fence(&dev, 7));
	vgpu_dev_stop(&dev);
}

static bool wait_for_qmp_text(struct qt *qt, const char *command, const char *text)
{
	for (int i = 0; i < 3000; i++) {
		char *reply = qt_qmp(qt, command);
		bool found = reply && strstr(reply, text);
		bool failed = !reply || strstr(reply, "\"failed\"");

		free(reply);
		if (found || failed) {
			return found;
		}
		usleep(10000);
	}
	return false;
}

/* Migration to a second QEMU process: the GPU there continues with the state and VRAM of the first. */
static void test_migration_to_a_new_process(void)
{
	struct qt *dst = NULL;
	struct vgpu_dev dev;
	char cmd[256];

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *src = dev.qt;
	vgpu_dev_ready_for_jobs(&dev);
	submit_fill_and_copy(&dev, TEST_MAPPED_VA, 9);
	VT_CHECK(vgpu_wait_fence(&dev, 9));
	vgpu_wr(&dev, VGPU_REG_SCRATCH, 0x77);
	uint32_t head = vgpu_rd(&dev, VGPU_REG_RING_HEAD);

	snprintf(cmd, sizeof(cmd),
	         "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:cat > %s/stream\"}}",
	         qt_dir(src));
	qt_qmp_ok(src, cmd);
	VT_CHECK(wait_for_qmp_text(src, "{\"execute\": \"query-migrate\"}", "\"completed\""));

	dst = qt_start(DEVICE_ARGS " -incoming defer");
	if (dst) {
		snprintf(cmd, sizeof(cmd),
		         "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"exec:cat "
		         "%s/stream\"}}",
		         qt_dir(src));
		qt_qmp_ok(dst, cmd);
		VT_CHECK(
		        wait_for_qmp_text(dst, "{\"execute\": \"query-status\"}", "\"status\": \"running\""));
		dev.qt = dst; /* config space, and so the BAR addresses, came with the migration */
		VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), ~0x77u);
		VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FENCE_SEQ_LO), 9);
		VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_HEAD), head);
		VT_CHECK_EQ_U64(qt_readl(dst, TEST_BAR2_ADDR + TEST_MAPPED_VA + 6 * 256 + 40 * 4),
		                fill_value);
		dev.ring_tail = head; /* the ring in guest RAM came along too: the GPU takes the next job */
		vgpu_ring_fence(&dev, 10, false);
		VT_CHECK(vgpu_wait_fence(&dev, 10));
		VT_CHECK_EQ_U64(qt_readq(dst, TEST_FENCE_GPA), 10);
	}
	qt_quit(dst);
	qt_quit(src);
}

static void expect_fault(struct vgpu_dev *dev, uint32_t type, uint64_t addr)
{
	for (int i = 0; i < 5000 && !(vgpu_rd(dev, VGPU_REG_FAULT_STATUS) & VGPU_FAULT_STATUS_VALID); i++) {
		usleep(1000);
	}
	VT_CHECK(vgpu_rd(dev, VGPU_REG_FAULT_STATUS) & VGPU_FAULT_STATUS_VALID);
	VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_FAULT_TYPE), type);
	VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_FAULT_ADDR_LO) | (uint64_t)vgpu_rd(dev, VGPU_REG_FAULT_ADDR_HI)
	                                                               << 32,
	                addr);
	vgpu_wr(dev, VGPU_REG_FAULT_ACK, 1);
	VT_CHECK_EQ_U64(vgpu_rd(dev, VGPU_REG_FAULT_STATUS), 0);
}

static void test_malformed_input_keeps_qemu_serving(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	/* Registers: read-only, undefined, out-of-range values, odd sizes and alignments. */
	vgpu_wr(&dev, VGPU_REG_MAGIC, 0xffffffff);
	expect_fault(&dev, VGPU_FAULT_BAD_REGISTER, VGPU_REG_MAGIC);
	vgpu_wr(&dev, 0xfffc, 1);
	expect_fault(&dev, VGPU_FAULT_BAD_REGISTER, 0xfffc);
	vgpu_wr(&dev, VGPU_REG_RESET, 0x1234);
	expect_fault(&dev, VGPU_FAULT_BAD_REGISTER_VALUE, VGPU_REG_RESET);
	vgpu_wr(&dev, VGPU_REG_RING_SIZE, 12345);
	vgpu_wr(&dev, VGPU_REG_RING_CTRL, VGPU_RING_CTRL_ENABLE);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_CTRL), 0);
	vgpu_wr(&dev, VGPU_REG_FAULT_ACK, 1);
	qt_writeb(qt, TEST_BAR0_ADDR + VGPU_REG_SCRATCH, 0x11);
	qt_writew(qt, TEST_BAR0_ADDR + VGPU_REG_SCRATCH + 2, 0x2222);
	qt_writeq(qt, TEST_BAR0_ADDR + VGPU_REG_SCRATCH, 0x3333333333333333ull);
	qt_writel(qt, TEST_BAR0_ADDR + VGPU_REG_SCRATCH + 1, 0x44444444);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), 0xffffffff); /* none of them was a register write */
	VT_CHECK_EQ_U64(qt_readb(qt, TEST_BAR0_ADDR + VGPU_REG_MAGIC), 0);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_BAR0_ADDR + VGPU_REG_MAGIC + 2), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, 0x0ffc), 0);
	char *log = qt_read_log(qt);
	VT_CHECK(log && strstr(log, "vgpu-pci: ignored 1-byte write"));
	free(log);

	/* Packets: unknown opcode, wrong length, reserved header bits. Each faults and is skipped. */
	vgpu_dev_ready_for_jobs(&dev);
	const uint32_t bad_opcode[] = {VGPU_PKT_HEADER(0xee, 1), 0};
	vgpu_ring_submit(&dev, bad_opcode, 2);
	vgpu_ring_fence(&dev, 1, false);
	VT_CHECK(vgpu_wait_fence(&dev, 1));
	expect_fault(&dev, VGPU_FAULT_BAD_OPCODE, bad_opcode[0]);
	const uint32_t bad_length[] = {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 1), 0};
	vgpu_ring_submit(&dev, bad_length, 2);
	vgpu_ring_fence(&dev, 2, false);
	VT_CHECK(vgpu_wait_fence(&dev, 2));
	expect_fault(&dev, VGPU_FAULT_BAD_PACKET_LENGTH, bad_length[0]);

	/* Addresses: a fence into VRAM beyond its end, into system memory at an MMIO address (the IOAPIC),
	 * and a FILL through an unmapped VA. */
	const uint32_t beyond_vram[] = {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5), 0, 0x40, 99, 0, 0};
	vgpu_ring_submit(&dev, beyond_vram, VT_COUNT(beyond_vram));
	vgpu_ring_fence(&dev, 3, false);
	VT_CHECK(vgpu_wait_fence(&dev, 3));
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS) & VGPU_FAULT_STATUS_VALID);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_TYPE), VGPU_FAULT_MMU_BAD_ADDRESS);
	vgpu_wr(&dev, VGPU_REG_FAULT_ACK, 1);

	const uint32_t into_mmio[] = {VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5), 0xfec00000, 0x80000000, 99, 0, 0};
	vgpu_ring_submit(&dev, into_mmio, VT_COUNT(into_mmio));
	vgpu_ring_fence(&dev, 4, false);
	VT_CHECK(vgpu_wait_fence(&dev, 4));
	expect_fault(&dev, VGPU_FAULT_DMA_ERROR, 0x80000000fec00000ull);

	uint32_t fill[8] = {VGPU_PKT_HEADER(VGPU_PKT_FILL, 7)};
	vgpu_surface(fill + 1, 0x40000000, 256, VGPU_FORMAT_B8G8R8X8_UNORM);
	fill[5] = VGPU_XY(0, 0);
	fill[6] = VGPU_XY(4, 4);
	fill[7] = 0xffffffff;
	vgpu_ring_submit(&dev, fill, 8);
	vgpu_ring_fence(&dev, 5, false);
	VT_CHECK(vgpu_wait_fence(&dev, 5));
	expect_fault(&dev, VGPU_FAULT_MMU_NOT_MAPPED, 0x40000000);

	/* Still serving: a valid job runs and its result is right. */
	submit_fill_and_copy(&dev, TEST_MAPPED_VA, 6);
	VT_CHECK(vgpu_wait_fence(&dev, 6));
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 6 * 256 + 40 * 4), fill_value);
	VT_CHECK(vgpu_rd(&dev, VGPU_REG_FAULT_COUNT) >= 8);
	VT_CHECK(qt_alive(qt));
	log = qt_read_log(qt);
	VT_CHECK(log && strstr(log, "vgpu-pci: "));
	free(log);
	VT_CHECK_EQ_INT(vgpu_dev_stop(&dev), 0);
}

/* A valid FILL after whatever came before: the GPU still executes jobs and gets them right. */
static void check_still_serving(struct vgpu_dev *dev, uint64_t seq)
{
	submit_fill_and_copy(dev, TEST_MAPPED_VA, seq);
	VT_CHECK(vgpu_wait_fence(dev, seq));
	VT_CHECK_EQ_U64(qt_readl(dev->qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 6 * 256 + 40 * 4), fill_value);
	VT_CHECK(qt_alive(dev->qt));
}

/*
 * Issue 18 item 1: SET_TEXTURE of 16384 x 16384 texels of 16 bytes over page tables that alias the whole VA
 * space onto one page. A face is 4 GiB; computed in 32 bits it wrapped to 0 and sampling read past the host's
 * map of the texture: QEMU died of SIGSEGV. Texel (i, j) lies at j * 262144 + i * 16 (spec 10.7), which is
 * texel i % 256 of the one page.
 */
static void test_huge_texture_keeps_qemu_alive(void)
{
	const uint32_t i = 16000, j = 16300;
	struct vgpu_dev dev;
	struct dev_scene ds;
	float texels[256][4], got[4];

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	vgpu_dev_ready_for_jobs(&dev);
	if (dev_scene_init(&ds, &dev, 2, 2, dev_scene_fs_tex2d)) {
		uint64_t page = dev_scene_alias_everything(&ds);

		for (unsigned k = 0; k < 256; k++) {
			for (unsigned c = 0; c < 4; c++) {
				texels[k][c] = (float)(1000 * c + k);
			}
		}
		qt_memwrite(dev.qt, TEST_BAR2_ADDR + page, texels, sizeof(texels));
		vgpu_pkt_set_texture(&ds.cb, 0, DEV_SCENE_ALIAS_VA, VGPU_FORMAT_R32G32B32A32_FLOAT, 16384,
		                     16384, 1, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&ds.cb, 0, 0, 0, 0, 0);
		const float s = ((float)i + 0.5f) / 16384.0f, t = ((float)j + 0.5f) / 16384.0f;

		dev_scene_rect(&ds, s, t, s, t);
		dev_scene_submit(&ds, 1);
		if (vgpu_wait_fence(&dev, 1)) {
			dev_scene_pixel(&ds, 1, 1, got);
			for (unsigned c = 0; c < 4; c++) {
				VT_CHECK_EQ_INT((long long)got[c], 1000 * c + i % 256);
			}
			VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), 0);
		}
	}
	check_still_serving(&dev, 2);
	vgpu_dev_stop(&dev);
}

static const char fs_tex2d_huge_lod[] =
        ".stage fragment\n"
        "ld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\nmov r8, 3000000000.0\n"
        "tex.2d.lod r4, t0, s0, r0, r8\n"
        "st.out color0.x, r4\nst.out color0.y, r5\nst.out color0.z, r6\nst.out color0.w, r7\n"
        "end\n";

/*
 * Issue 18 item 2: LOD, bias and LOD clamps far outside any level (3e9, infinities): (int)floorf(lod)
 * overflowed and the sampler indexed its level table 2^31 entries past its end (SIGSEGV). They select level
 * 0 or the last level, as a value just past them would. A 4x4 R32F texture with 3 levels, level l holding l,
 * over a 2x2 target (an implicit LOD of 1 before bias and clamps).
 */
static void test_huge_lod_keeps_qemu_alive(void)
{
	const float big = 3e9f, inf = INFINITY;
	const struct {
		bool explicit_lod;
		uint32_t mip;
		float bias, min_lod, max_lod, level;
	} cases[] = {
	        {false, 2, big, 0, big, 2},      {false, 1, big, 0, big, 2}, {false, 2, 0, big, big, 2},
	        {false, 1, -big, -big, -big, 0}, {false, 2, inf, 0, inf, 2}, {false, 2, -inf, -inf, inf, 0},
	        {true, 2, 0, -inf, inf, 2},      {true, 1, 0, -inf, inf, 2}, {true, 2, -big, -big, big, 0},
	};
	float texels[16 + 4 + 1];
	struct vgpu_dev dev;
	unsigned wrong = 0;

	for (unsigned n = 0; n < VT_COUNT(texels); n++) {
		texels[n] = n < 16 ? 0.0f : n < 20 ? 1.0f : 2.0f;
	}
	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	vgpu_dev_ready_for_jobs(&dev);
	for (size_t c = 0; c < VT_COUNT(cases) && qt_alive(dev.qt); c++) {
		struct dev_scene ds;
		float got[4];

		if (!dev_scene_init(&ds, &dev, 2, 2,
		                    cases[c].explicit_lod ? fs_tex2d_huge_lod : dev_scene_fs_tex2d)) {
			break;
		}
		uint64_t va = dev_scene_alloc(&ds, sizeof(texels), texels, false);
		vgpu_pkt_set_texture(&ds.cb, 0, va, VGPU_FORMAT_R32_FLOAT, 4, 4, 3, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&ds.cb, 0, cases[c].mip << 8 | VGPU_SAMPLER_MIN_LINEAR, cases[c].bias,
		                     cases[c].min_lod, cases[c].max_lod);
		dev_scene_rect(&ds, 0.0f, 0.0f, 1.0f, 1.0f); /* 2 texels per pixel: an implicit LOD of 1 */
		dev_scene_submit(&ds, c + 1);
		if (!vgpu_wait_fence(&dev, c + 1)) {
			break;
		}
		dev_scene_pixel(&ds, 0, 0, got);
		if (got[0] != cases[c].level) {
			wrong++;
			printf("# case %zu: level %g, expected %g\n", c, got[0], cases[c].level);
		}
	}
	VT_CHECK_EQ_INT(wrong, 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FAULT_STATUS), 0);
	check_still_serving(&dev, 100);
	vgpu_dev_stop(&dev);
}

/*
 * Issue 18 item 8: one draw with sixteen cube maps of 16384 x 16384 texels of 16 bytes and every level, over
 * the aliasing page tables. Building their maps was not charged to the watchdog and grew QEMU from 34 MB to
 * 2 GB over minutes. Now the draw ends within the fence wait (bounded, generous) in BAD_STATE naming
 * SET_TEXTURE, QMP answers meanwhile, QEMU grows by less than 256 MiB, and the next job runs. Then the same
 * with one 16384 x 16384 RGBA8 texture and the smallest WATCHDOG: its maps alone exceed the budget, so the
 * draw ends in a WATCHDOG fault.
 */
static void test_huge_surface_maps_are_bounded(void)
{
	char fs[4096];
	size_t n = (size_t)snprintf(fs, sizeof(fs),
	                            ".stage fragment\nld.var.smooth r0, v0.x\nld.var.smooth r1, v0.y\n"
	                            "ld.var.smooth r2, v0.z\n");
	struct vgpu_dev dev;
	struct dev_scene ds;

	for (unsigned t = 0; t < 16; t++) {
		n += (size_t)snprintf(fs + n, sizeof(fs) - n, "tex.cube.lod r%u, t%u, s0, r0, 0.0\n",
		                      4 + 4 * (t % 4), t);
	}
	snprintf(fs + n, sizeof(fs) - n, "st.out color0.x, r4\nend\n");
	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	vgpu_dev_ready_for_jobs(&dev);
	long rss_before = qt_rss_kib(dev.qt);
	if (dev_scene_init(&ds, &dev, 1, 1, fs)) {
		dev_scene_alias_everything(&ds);
		for (unsigned t = 0; t < 16; t++) {
			vgpu_pkt_set_texture(&ds.cb, t, DEV_SCENE_ALIAS_VA, VGPU_FORMAT_R32G32B32A32_FLOAT,
			                     16384, 16384, 15, VGPU_TEXTURE_CUBE);
		}
		vgpu_pkt_set_sampler(&ds.cb, 0, 0, 0, 0, 0);
		dev_scene_rect(&ds, 0.5f, 0.5f, 0.5f, 0.5f);
		dev_scene_submit(&ds, 1);
		qt_qmp_ok(dev.qt,
		          "{\"execute\": \"query-status\"}"); /* the main loop answers while the GPU works */
		VT_CHECK(vgpu_wait_fence(&dev, 1));
		expect_fault(&dev, VGPU_FAULT_BAD_STATE,
		             VGPU_PKT_SET_TEXTURE); /* maps over 2^21 pages: spec 8.3 */
	}
	long grown_mib = (qt_rss_kib(dev.qt) - rss_before) / 1024;
	if (rss_before < 0 || grown_mib > 256) {
		vt_fail(__FILE__, __LINE__, "the draw grew QEMU by %ld MiB", grown_mib);
	}
	check_still_serving(&dev, 2);

	if (dev_scene_init(&ds, &dev, 1, 1, dev_scene_fs_tex2d)) {
		dev_scene_alias_everything(&ds);
		vgpu_wr(&dev, VGPU_REG_WATCHDOG, 1);
		vgpu_pkt_set_texture(&ds.cb, 0, DEV_SCENE_ALIAS_VA, VGPU_FORMAT_R8G8B8A8_UNORM, 16384, 16384,
		                     1, VGPU_TEXTURE_2D);
		vgpu_pkt_set_sampler(&ds.cb, 0, 0, 0, 0, 0);
		dev_scene_rect(&ds, 0.5f, 0.5f, 0.5f, 0.5f);
		dev_scene_submit(&ds, 3);
		VT_CHECK(vgpu_wait_fence(&dev, 3));
		expect_fault(&dev, VGPU_FAULT_WATCHDOG, 0);
		vgpu_wr(&dev, VGPU_REG_WATCHDOG, VGPU_WATCHDOG_DEFAULT);
	}
	check_still_serving(&dev, 4);
	vgpu_dev_stop(&dev);
}

/* DMA goes through the bus-master address space: with Bus Master Enable off the GPU cannot reach guest RAM.
 */
static void test_dma_needs_bus_mastering(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	vgpu_ring_start(&dev);
	pci_cfg_write(qt, dev.devfn, 0x04, 2, 0x0002); /* memory decoding only */
	vgpu_ring_fence(&dev, 1, false);
	expect_fault(&dev, VGPU_FAULT_DMA_ERROR, TEST_RING_GPA | VGPU_PA_SYSMEM);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_FENCE_SEQ_LO), 0);
	VT_CHECK_EQ_U64(qt_readq(qt, TEST_FENCE_GPA), 0);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_RING_HEAD),
	                dev.ring_tail); /* the CP skipped what it could not read */

	pci_cfg_write(qt, dev.devfn, 0x04, 2, 0x0006);
	vgpu_ring_fence(&dev, 2, false);
	VT_CHECK(vgpu_wait_fence(&dev, 2));
	VT_CHECK_EQ_U64(qt_readq(qt, TEST_FENCE_GPA), 2);
	vgpu_dev_stop(&dev);
}

/* With an IOMMU translating, the GPU's bus addresses are IOVAs: a mapped one reaches the page it maps to, an
 * unmapped one is refused (DMA_ERROR) instead of reaching the guest RAM at the same number. */
static void test_dma_goes_through_the_iommu(void)
{
	struct vgpu_dev dev;
	struct vtd vtd;
	const uint64_t fence_iova = 0x40000000ull, unmapped_iova = 0x300000ull; /* guest RAM, not mapped */

	if (!vgpu_dev_start(&dev, "-device intel-iommu " DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	vtd_setup(&vtd, qt, 0x400000, dev.devfn);
	vtd_map(&vtd, TEST_RING_GPA, TEST_RING_GPA); /* the ring at its own address */
	vtd_map(&vtd, fence_iova, TEST_FENCE_GPA);
	vtd_enable(&vtd);
	vgpu_ring_start(&dev);

	const uint32_t fence[] = {
	        VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5), (uint32_t)fence_iova, 0x80000000, 3, 0, 0};
	vgpu_ring_submit(&dev, fence, VT_COUNT(fence));
	VT_CHECK(vgpu_wait_fence(&dev, 3));
	VT_CHECK_EQ_U64(qt_readq(qt, TEST_FENCE_GPA), 3);
	VT_CHECK_EQ_U64(qt_readq(qt, fence_iova), 0);

	const uint32_t stray[] = {
	        VGPU_PKT_HEADER(VGPU_PKT_FENCE, 5), (uint32_t)unmapped_iova, 0x80000000, 4, 0, 0};
	vgpu_ring_submit(&dev, stray, VT_COUNT(stray));
	expect_fault(&dev, VGPU_FAULT_DMA_ERROR, unmapped_iova | VGPU_PA_SYSMEM);
	VT_CHECK_EQ_U64(qt_readq(qt, unmapped_iova), 0);
	vgpu_dev_stop(&dev);
}

static void test_system_reset_resets_the_gpu(void)
{
	struct vgpu_dev dev;

	if (!vgpu_dev_start(&dev, DEVICE_ARGS)) {
		return;
	}
	struct qt *qt = dev.qt;
	vgpu_wr(&dev, VGPU_REG_SCRATCH, 1);
	vgpu_wr(&dev, VGPU_REG_INT_MASK, VGPU_INT_ALL);
	qt_writel(qt, TEST_BAR2_ADDR + 0x1000, 0x600dcafe);
	qt_qmp_ok(qt, "{\"execute\": \"system_reset\"}");
	/* The reset also clears the BARs: place them again. */
	VT_CHECK(vgpu_dev_open(&dev, qt));
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_SCRATCH), 0xffffffff);
	VT_CHECK_EQ_U64(vgpu_rd(&dev, VGPU_REG_INT_MASK), 0);
	VT_CHECK_EQ_U64(qt_readl(qt, TEST_BAR2_ADDR + 0x1000), 0x600dcafe); /* VRAM is kept */
	vgpu_dev_stop(&dev);
}

static const struct vt_case cases[] = {
        VT_CASE(test_device_help_lists_vgpu),
        VT_CASE(test_bad_properties_are_refused),
        VT_CASE(test_pci_identity_bars_and_msix),
        VT_CASE(test_identity_registers),
        VT_CASE(test_ring_fill_and_copy_vram),
        VT_CASE(test_fence_writes_and_msix_delivery),
        VT_CASE(test_intx_follows_int_pending),
        VT_CASE(test_scanout_and_png_screendump),
        VT_CASE(test_scanout_from_system_memory_and_bad_commit),
        VT_CASE(test_scanout_whose_last_pitch_crosses_256k),
        VT_CASE(test_odd_width_rgb565_scanout),
        VT_CASE(test_cursor_reaches_the_vnc_client),
        VT_CASE(test_window_resize_is_a_hotplug),
        VT_CASE(test_savevm_loadvm_round_trip),
        VT_CASE(test_migration_to_a_new_process),
        VT_CASE(test_malformed_input_keeps_qemu_serving),
        VT_CASE(test_huge_texture_keeps_qemu_alive),
        VT_CASE(test_huge_lod_keeps_qemu_alive),
        VT_CASE(test_huge_surface_maps_are_bounded),
        VT_CASE(test_dma_needs_bus_mastering),
        VT_CASE(test_dma_goes_through_the_iommu),
        VT_CASE(test_system_reset_resets_the_gpu),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
