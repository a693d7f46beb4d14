/* Shows a known picture through vgpu.ko for the host's screendump (guest_kms_test.py, boot 3): the preferred
 * mode scanned out of an RGB565 framebuffer larger than the mode, panned to (PAN_X, PAN_Y), in four
 * coloured quadrants with magenta outside the visible part, and the hardware cursor at (CURSOR_X,
 * CURSOR_Y): 64x64, its top half opaque yellow, its bottom half transparent (QEMU shows it as a UI overlay,
 * not in screendumps; the test checks its registers). Prints "vgpu-show: WxH" once the picture is latched,
 * then holds it until stdin closes. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#define PAN_X    64
#define PAN_Y    32
#define CURSOR_X 100
#define CURSOR_Y 50

#define RGB565(r, g, b) (uint16_t)((r) << 11 | (g) << 5 | (b))

static int fail(const char *what)
{
	fprintf(stderr, "vgpu_kms_show: %s failed\n", what);
	return 1;
}

static void *create_mapped(int card, uint32_t width, uint32_t height, uint32_t bpp, uint32_t *handle,
                           uint32_t *pitch)
{
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = bpp};
	if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return NULL;
	struct drm_mode_map_dumb map = {.handle = create.handle};
	if (drmIoctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return NULL;
	void *pixels = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, card, (off_t)map.offset);
	*handle = create.handle;
	*pitch = create.pitch;
	return pixels == MAP_FAILED ? NULL : pixels;
}

int main(void)
{
	int card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	drmModeResPtr res = card >= 0 ? drmModeGetResources(card) : NULL;
	if (!res || res->count_connectors < 1 || res->count_crtcs < 1)
		return fail("opening the vgpu card");
	drmModeConnectorPtr connector = drmModeGetConnector(card, res->connectors[0]);
	drmModeModeInfo *mode = NULL;
	for (int i = 0; connector && i < connector->count_modes; i++)
		if (connector->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			mode = &connector->modes[i];
	if (!mode)
		return fail("finding the preferred mode");
	uint32_t w = mode->hdisplay, h = mode->vdisplay;

	uint32_t fb_w = w + 2 * PAN_X, fb_h = h + 2 * PAN_Y, handle, pitch, fb_id;
	uint16_t *screen = create_mapped(card, fb_w, fb_h, 16, &handle, &pitch);
	if (!screen)
		return fail("creating the screen buffer");
	for (uint32_t y = 0; y < fb_h; y++) {
		uint16_t *row = (uint16_t *)((char *)screen + (size_t)y * pitch);
		for (uint32_t x = 0; x < fb_w; x++) {
			int vx = (int)x - PAN_X, vy = (int)y - PAN_Y;
			if (vx < 0 || vy < 0 || vx >= (int)w || vy >= (int)h)
				row[x] = RGB565(31, 0, 31);
			else if (vy < (int)h / 2)
				row[x] = vx < (int)w / 2 ? RGB565(31, 0, 0) : RGB565(0, 63, 0);
			else
				row[x] = vx < (int)w / 2 ? RGB565(0, 0, 31) : RGB565(31, 63, 31);
		}
	}
	uint32_t handles[4] = {handle}, pitches[4] = {pitch}, offsets[4] = {0};
	if (drmModeAddFB2(card, fb_w, fb_h, DRM_FORMAT_RGB565, handles, pitches, offsets, &fb_id, 0))
		return fail("ADDFB2 of the RGB565 screen");

	uint32_t cursor_handle, cursor_pitch;
	uint32_t *cursor = create_mapped(card, 64, 64, 32, &cursor_handle, &cursor_pitch);
	if (!cursor)
		return fail("creating the cursor");
	for (uint32_t y = 0; y < 64; y++)
		for (uint32_t x = 0; x < 64; x++)
			cursor[y * (cursor_pitch / 4) + x] = y < 32 ? 0xffffff00u : 0;

	if (drmModeSetCrtc(card, res->crtcs[0], fb_id, PAN_X, PAN_Y, &res->connectors[0], 1, mode))
		return fail("setting the mode");
	if (drmModeSetCursor(card, res->crtcs[0], cursor_handle, 64, 64) ||
	    drmModeMoveCursor(card, res->crtcs[0], CURSOR_X, CURSOR_Y))
		return fail("showing the cursor");
	/* SETCRTC returns once the device latched the mode; a vblank wait covers the cursor registers. */
	drmVBlank vbl = {.request = {.type = DRM_VBLANK_RELATIVE, .sequence = 2}};
	drmWaitVBlank(card, &vbl);
	printf("vgpu-show: %ux%u\n", w, h);
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
