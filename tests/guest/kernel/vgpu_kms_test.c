/* Guest test of vgpu.ko's ioctls: its own (GET_PARAM), the dumb-buffer, framebuffer, page-flip, vblank
 * and cursor ioctls it implements through DRM helpers, their error paths, and the display timing. Runs in
 * the guest (tests/guest/kernel/guest_kms_test.py boots it); needs DRM master on the vgpu card. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "drm/vgpu_drm.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu_drm_client.h"
#include "vgpu_test.h"

static int card = -1;

/* 0, or the negative errno of a failed ioctl. */
static int ioctl_result(unsigned long request, void *arg)
{
	return drmIoctl(card, request, arg) ? -errno : 0;
}

static uint64_t get_param(uint32_t param)
{
	struct drm_vgpu_get_param args = {.param = param};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_VGPU_GET_PARAM, &args), 0);
	return args.value;
}

struct dumb {
	uint32_t handle, pitch, fb_id;
	uint64_t size;
	void *map;
};

static int dumb_create(uint32_t width, uint32_t height, uint32_t bpp, struct dumb *out)
{
	struct drm_mode_create_dumb args = {.width = width, .height = height, .bpp = bpp};
	int ret = ioctl_result(DRM_IOCTL_MODE_CREATE_DUMB, &args);
	if (ret == 0 && out) {
		*out = (struct dumb){.handle = args.handle, .pitch = args.pitch, .size = args.size};
	} else if (ret == 0) {
		struct drm_mode_destroy_dumb destroy = {.handle = args.handle};
		ioctl_result(DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	return ret;
}

static void *dumb_map(struct dumb *bo)
{
	struct drm_mode_map_dumb args = {.handle = bo->handle};
	if (ioctl_result(DRM_IOCTL_MODE_MAP_DUMB, &args) != 0)
		return NULL;
	void *map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, card, (off_t)args.offset);
	return map == MAP_FAILED ? NULL : map;
}

static void dumb_destroy(struct dumb *bo)
{
	struct drm_mode_destroy_dumb args = {.handle = bo->handle};
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->fb_id)
		drmModeRmFB(card, bo->fb_id);
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_MODE_DESTROY_DUMB, &args), 0);
}

static int add_fb(uint32_t width, uint32_t height, uint32_t format, uint32_t handle, uint32_t pitch,
                  uint32_t offset, uint32_t flags, uint32_t *fb_id)
{
	struct drm_mode_fb_cmd2 args = {
	        .width = width, .height = height, .pixel_format = format, .flags = flags};
	args.handles[0] = handle;
	args.pitches[0] = pitch;
	args.offsets[0] = offset;
	int ret = ioctl_result(DRM_IOCTL_MODE_ADDFB2, &args);
	if (ret == 0 && fb_id)
		*fb_id = args.fb_id;
	else if (ret == 0)
		drmModeRmFB(card, args.fb_id);
	return ret;
}

static void test_version_and_params(void)
{
	drmVersionPtr version = drmGetVersion(card);
	VT_CHECK(version && strcmp(version->name, "vgpu") == 0);
	VT_CHECK_EQ_INT(version->version_major, DRM_VGPU_VERSION_MAJOR);
	drmFreeVersion(version);

	VT_CHECK_EQ_U64(get_param(DRM_VGPU_PARAM_DEVICE_VERSION) >> 16, VGPU_VERSION_MAJOR);
	uint64_t caps = get_param(DRM_VGPU_PARAM_CAPS);
	VT_CHECK((caps & (VGPU_CAP_DISPLAY | VGPU_CAP_CURSOR)) == (VGPU_CAP_DISPLAY | VGPU_CAP_CURSOR));
	uint64_t vram = get_param(DRM_VGPU_PARAM_VRAM_SIZE);
	VT_CHECK(vram >= VGPU_VRAM_SIZE_MIN && vram <= VGPU_VRAM_SIZE_MAX && (vram & (vram - 1)) == 0);
	VT_CHECK_EQ_U64(get_param(DRM_VGPU_PARAM_MAX_SURFACE_DIM), VGPU_MAX_SURFACE_DIM);
	VT_CHECK_EQ_U64(get_param(DRM_VGPU_PARAM_WARP_LANES), VGPU_WARP_LANES);
	VT_CHECK_EQ_U64(get_param(DRM_VGPU_PARAM_REFRESH_MHZ), VGPU_REFRESH_MHZ_DEFAULT);
}

static void test_get_param_errors(void)
{
	struct drm_vgpu_get_param unknown = {.param = 0x7fffffff};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_VGPU_GET_PARAM, &unknown), -EINVAL);
	struct drm_vgpu_get_param zero = {.param = 0};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_VGPU_GET_PARAM, &zero), -EINVAL);
	struct drm_vgpu_get_param padded = {.param = DRM_VGPU_PARAM_CAPS, .pad = 1};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_VGPU_GET_PARAM, &padded), -EINVAL);
}

static void test_dumb_errors(void)
{
	VT_CHECK_EQ_INT(dumb_create(0, 64, 32, NULL), -EINVAL);
	VT_CHECK_EQ_INT(dumb_create(64, 64, 0, NULL), -EINVAL);
	/* width x bpp and the total size overflow 32 bits. */
	VT_CHECK_EQ_INT(dumb_create(0xffffffffu, 1, 32, NULL), -EINVAL);
	VT_CHECK_EQ_INT(dumb_create(65536, 65536, 32, NULL), -EINVAL);
	/* Beyond the largest surface the display accepts. */
	VT_CHECK_EQ_INT(dumb_create(VGPU_MAX_SURFACE_DIM + 1, 1, 32, NULL), -EINVAL);
	VT_CHECK_EQ_INT(dumb_create(1, VGPU_MAX_SURFACE_DIM + 1, 32, NULL), -EINVAL);
	VT_CHECK_EQ_INT(dumb_create(64, 64, 12, NULL), -EINVAL);
	/* Valid dimensions, but more than the whole VRAM (16384 x 16384 x 4 bytes = 1 GiB). */
	if (get_param(DRM_VGPU_PARAM_VRAM_SIZE) < (1ull << 30))
		VT_CHECK_EQ_INT(dumb_create(VGPU_MAX_SURFACE_DIM, VGPU_MAX_SURFACE_DIM, 32, NULL), -ENOMEM);

	struct drm_mode_create_dumb flagged = {.width = 64, .height = 64, .bpp = 32, .flags = 1};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_MODE_CREATE_DUMB, &flagged), -EINVAL);
	struct drm_mode_map_dumb map = {.handle = 0xdeadbeef};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_MODE_MAP_DUMB, &map), -ENOENT);
	struct drm_mode_destroy_dumb destroy = {.handle = 0xdeadbeef};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_MODE_DESTROY_DUMB, &destroy), -EINVAL);
	struct drm_gem_close close_args = {.handle = 0xdeadbeef};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_GEM_CLOSE, &close_args), -EINVAL);
}

/* A dumb buffer is CPU-mapped VRAM: what is written reads back, through a second mapping too. */
static void test_dumb_mmap(void)
{
	struct dumb bo;
	VT_CHECK_EQ_INT(dumb_create(300, 200, 32, &bo), 0);
	VT_CHECK_EQ_INT(bo.pitch, 300 * 4);
	VT_CHECK(bo.size >= 300u * 4 * 200 && bo.size % 4096 == 0);
	bo.map = dumb_map(&bo);
	VT_CHECK(bo.map != NULL);
	if (!bo.map)
		return dumb_destroy(&bo);
	uint32_t *pixels = bo.map;
	for (uint32_t i = 0; i < bo.size / 4; i++)
		pixels[i] = i * 2654435761u;
	struct dumb again = bo;
	again.map = dumb_map(&again);
	VT_CHECK(again.map != NULL);
	uint32_t mismatches = 0;
	for (uint32_t i = 0; again.map && i < bo.size / 4; i++)
		mismatches += ((uint32_t *)again.map)[i] != i * 2654435761u;
	VT_CHECK_EQ_INT(mismatches, 0);
	if (again.map)
		munmap(again.map, again.size);
	dumb_destroy(&bo);
}

static void test_addfb_errors(void)
{
	struct dumb bo;
	VT_CHECK_EQ_INT(dumb_create(256, 256, 32, &bo), 0);
	uint32_t pitch = bo.pitch;

	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, 0, NULL), 0);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_ARGB8888, bo.handle, pitch, 0, 0, NULL), 0);
	VT_CHECK_EQ_INT(add_fb(512, 256, DRM_FORMAT_RGB565, bo.handle, pitch, 0, 0, NULL), 0);
	/* Handles that do not exist. */
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, 0xdeadbeef, pitch, 0, 0, NULL), -ENOENT);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, 0, pitch, 0, 0, NULL), -EINVAL);
	/* Formats the display cannot scan out, and unknown ones. */
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XBGR8888, bo.handle, pitch, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_NV12, bo.handle, pitch, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(256, 256, 0x20202020, bo.handle, pitch, 0, 0, NULL), -EINVAL);
	/* Pitches: too short for a row, not whole pixels, beyond the device's limit, zero. */
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch - 4, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(128, 128, DRM_FORMAT_XRGB8888, bo.handle, 128 * 4 + 2, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(1, 1, DRM_FORMAT_XRGB8888, bo.handle, VGPU_SURFACE_PITCH_MAX + 4, 0, 0, NULL),
	                -EINVAL);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, 0, 0, 0, NULL), -EINVAL);
	/* The buffer is too small: one row more, an offset pushing the last row out, a misaligned offset. */
	VT_CHECK_EQ_INT(add_fb(256, 257, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 4096, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(128, 128, DRM_FORMAT_XRGB8888, bo.handle, pitch, 2, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(add_fb(128, 128, DRM_FORMAT_XRGB8888, bo.handle, pitch, 4096, 0, NULL), 0);
	/* offset + height x pitch overflowing 32 bits. */
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0xfffff000u, 0, NULL),
	                -ERANGE);
	/* Sizes: zero, and beyond the largest surface. */
	VT_CHECK_EQ_INT(add_fb(0, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, 0, NULL), -EINVAL);
	VT_CHECK_EQ_INT(
	        add_fb(VGPU_MAX_SURFACE_DIM + 1, 1, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, 0, NULL),
	        -EINVAL);
	/* Flags: modifiers (none supported) and unknown bits. */
	VT_CHECK_EQ_INT(
	        add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, DRM_MODE_FB_MODIFIERS, NULL),
	        -EINVAL);
	VT_CHECK_EQ_INT(add_fb(256, 256, DRM_FORMAT_XRGB8888, bo.handle, pitch, 0, 0x80, NULL), -EINVAL);

	VT_CHECK_EQ_INT(drmModeRmFB(card, 0xdeadbeef), -ENOENT);
	dumb_destroy(&bo);
}

struct display {
	uint32_t crtc_id, connector_id;
	drmModeModeInfo mode;
	bool found;
};

/* The connector's preferred mode must be the host window's size, offered first. */
static struct display find_display(void)
{
	struct display d = {0};
	drmModeResPtr res = drmModeGetResources(card);
	VT_CHECK(res && res->count_crtcs == 1 && res->count_connectors == 1);
	if (!res || res->count_crtcs < 1 || res->count_connectors < 1)
		return d;
	drmModeConnectorPtr conn = drmModeGetConnector(card, res->connectors[0]);
	VT_CHECK(conn && conn->connection == DRM_MODE_CONNECTED && conn->count_modes > 1);
	for (int i = 0; conn && i < conn->count_modes; i++) {
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			d.mode = conn->modes[i];
			d.found = true;
			break;
		}
	}
	VT_CHECK(d.found);
	d.crtc_id = res->crtcs[0];
	d.connector_id = res->connectors[0];
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	return d;
}

static bool make_scanout(const struct display *d, uint32_t color, struct dumb *bo)
{
	if (dumb_create(d->mode.hdisplay, d->mode.vdisplay, 32, bo) != 0)
		return false;
	bo->map = dumb_map(bo);
	if (!bo->map)
		return false;
	for (uint32_t y = 0; y < d->mode.vdisplay; y++)
		for (uint32_t x = 0; x < d->mode.hdisplay; x++)
			((uint32_t *)((char *)bo->map + (size_t)y * bo->pitch))[x] = color;
	return add_fb(d->mode.hdisplay, d->mode.vdisplay, DRM_FORMAT_XRGB8888, bo->handle, bo->pitch, 0, 0,
	              &bo->fb_id) == 0;
}

static bool wait_flip_event(struct drm_event_vblank *event)
{
	struct pollfd pfd = {.fd = card, .events = POLLIN};
	if (poll(&pfd, 1, 5000) != 1)
		return false;
	return read(card, event, sizeof(*event)) == (ssize_t)sizeof(*event) &&
	       event->base.type == DRM_EVENT_FLIP_COMPLETE;
}

#define FLIPS 30

/* The device's vblank counter and the time of its last vblank (device clock, ns), as the driver's
 * debugfs shows them; read twice with the same count, so the time belongs to that count. */
struct vblank_regs {
	uint32_t count;
	uint64_t time;
};

static bool read_vblank_regs_once(const char *path, struct vblank_regs *regs)
{
	char line[128];
	uint32_t lo = 0, hi = 0, value;
	int found = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char name[32];
		if (sscanf(line, "%*x %31s %x", name, &value) != 2)
			continue;
		if (strcmp(name, "VBLANK_COUNT") == 0)
			regs->count = value, found |= 1;
		else if (strcmp(name, "VBLANK_TIME_LO") == 0)
			lo = value, found |= 2;
		else if (strcmp(name, "VBLANK_TIME_HI") == 0)
			hi = value, found |= 4;
	}
	fclose(f);
	regs->time = (uint64_t)hi << 32 | lo;
	return found == 7;
}

static bool read_vblank_regs(struct vblank_regs *regs)
{
	struct stat st;
	char path[64];
	if (fstat(card, &st))
		return false;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/registers", minor(st.st_rdev));
	if (access(path, R_OK))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	for (int tries = 0; tries < 10; tries++) {
		struct vblank_regs again;
		if (!read_vblank_regs_once(path, regs) || !read_vblank_regs_once(path, &again))
			return false;
		if (again.count == regs->count && again.time == regs->time)
			return true;
	}
	return false;
}

/* Page flips complete with events from FLIP_DONE whose sequences and times strictly increase; the
 * device's vblanks are at least a refresh period apart in its own clock. */
static void test_modeset_and_page_flips(void)
{
	struct display d = find_display();
	struct dumb front = {0}, back = {0};
	if (!d.found)
		return;
	VT_CHECK(make_scanout(&d, 0x00ff0000, &front) && make_scanout(&d, 0x000000ff, &back));
	uint32_t connector = d.connector_id;
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, front.fb_id, 0, 0, &connector, 1, &d.mode), 0);

	struct drm_event_vblank events[FLIPS];
	int completed = 0;
	for (int i = 0; i < FLIPS; i++) {
		uint32_t fb = i % 2 ? front.fb_id : back.fb_id;
		if (drmModePageFlip(card, d.crtc_id, fb, DRM_MODE_PAGE_FLIP_EVENT, NULL) != 0 ||
		    !wait_flip_event(&events[i]))
			break;
		completed++;
	}
	VT_CHECK_EQ_INT(completed, FLIPS);
	int ordered = 1;
	for (int i = 1; i < completed; i++) {
		uint64_t t0 = events[i - 1].tv_sec * 1000000ull + events[i - 1].tv_usec;
		uint64_t t1 = events[i].tv_sec * 1000000ull + events[i].tv_usec;
		ordered &= events[i].sequence > events[i - 1].sequence && t1 > t0 &&
		           events[i].crtc_id == d.crtc_id;
	}
	VT_CHECK(ordered);
	/* How fast vblanks come is timing, which a loaded host stretches (make bench measures flips per
	 * second). What holds on any host: a flip completes at a vblank the device counted, and the
	 * device's clock stamped a later vblank time. */
	struct vblank_regs before, after;
	VT_CHECK(read_vblank_regs(&before));
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, front.fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL), 0);
	struct drm_event_vblank last;
	VT_CHECK(wait_flip_event(&last));
	VT_CHECK(read_vblank_regs(&after));
	printf("# the flip took %u vblanks of the device's counter\n", after.count - before.count);
	VT_CHECK(after.count > before.count);
	VT_CHECK(after.time > before.time);
	VT_CHECK(last.sequence > events[FLIPS - 1].sequence);

	/* The vblank counter advances while no flip is pending, too. */
	drmVBlank vbl = {.request = {.type = DRM_VBLANK_RELATIVE, .sequence = 1}};
	VT_CHECK_EQ_INT(drmWaitVBlank(card, &vbl), 0);
	uint32_t first = vbl.reply.sequence;
	vbl = (drmVBlank){.request = {.type = DRM_VBLANK_RELATIVE, .sequence = 3}};
	VT_CHECK_EQ_INT(drmWaitVBlank(card, &vbl), 0);
	VT_CHECK(vbl.reply.sequence >= first + 3);

	/* Page-flip error paths. */
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, 0xdeadbeef, DRM_MODE_PAGE_FLIP_EVENT, NULL),
	                -ENOENT);
	VT_CHECK_EQ_INT(drmModePageFlip(card, 0xdeadbeef, back.fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL),
	                -ENOENT);
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, back.fb_id, 0x80000000u, NULL), -EINVAL);
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, back.fb_id, DRM_MODE_PAGE_FLIP_ASYNC, NULL),
	                -EINVAL);
	struct dumb small;
	VT_CHECK_EQ_INT(dumb_create(64, 64, 32, &small), 0);
	VT_CHECK_EQ_INT(add_fb(64, 64, DRM_FORMAT_XRGB8888, small.handle, small.pitch, 0, 0, &small.fb_id),
	                0);
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, small.fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL),
	                -ENOSPC);
	dumb_destroy(&small);

	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, 0, 0, 0, NULL, 0, NULL), 0);
	dumb_destroy(&front);
	dumb_destroy(&back);
}

/* The hardware cursor takes exactly 64x64 ARGB8888 images. */
static void test_cursor(void)
{
	struct display d = find_display();
	struct dumb screen = {0}, cursor, small;
	if (!d.found)
		return;
	VT_CHECK(make_scanout(&d, 0x00404040, &screen));
	uint32_t connector = d.connector_id;
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, screen.fb_id, 0, 0, &connector, 1, &d.mode), 0);
	VT_CHECK_EQ_INT(dumb_create(64, 64, 32, &cursor), 0);
	VT_CHECK_EQ_INT(dumb_create(32, 32, 32, &small), 0);

	VT_CHECK_EQ_INT(drmModeSetCursor(card, d.crtc_id, cursor.handle, 64, 64), 0);
	VT_CHECK_EQ_INT(drmModeMoveCursor(card, d.crtc_id, 100, 50), 0);
	VT_CHECK_EQ_INT(drmModeMoveCursor(card, d.crtc_id, -30, -30), 0);
	VT_CHECK_EQ_INT(drmModeSetCursor(card, d.crtc_id, small.handle, 32, 32), -EINVAL);
	VT_CHECK_EQ_INT(drmModeSetCursor(card, d.crtc_id, 0xdeadbeef, 64, 64), -ENOENT);
	VT_CHECK_EQ_INT(drmModeSetCursor(card, d.crtc_id, 0, 0, 0), 0);

	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, 0, 0, 0, NULL, 0, NULL), 0);
	dumb_destroy(&small);
	dumb_destroy(&cursor);
	dumb_destroy(&screen);
}

/* The id of the property NAME of a KMS object, or 0. */
static uint32_t property_id(uint32_t object_id, uint32_t object_type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(card, object_id, object_type);
	uint32_t id = 0;
	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(card, props->props[i]);
		if (prop && strcmp(prop->name, name) == 0)
			id = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	VT_CHECK(id != 0);
	return id;
}

struct plane_setup {
	uint32_t plane_id, fb_id;
	int32_t crtc_x, crtc_y;
	uint32_t crtc_w, crtc_h, src_x, src_y, src_w, src_h; /* source in whole pixels */
};

static void add_plane(drmModeAtomicReqPtr req, uint32_t crtc_id, const struct plane_setup *p)
{
	const struct {
		const char *name;
		uint64_t value;
	} props[] = {
	        {"FB_ID", p->fb_id},
	        {"CRTC_ID", crtc_id},
	        {"CRTC_X", (uint64_t)(int64_t)p->crtc_x},
	        {"CRTC_Y", (uint64_t)(int64_t)p->crtc_y},
	        {"CRTC_W", p->crtc_w},
	        {"CRTC_H", p->crtc_h},
	        {"SRC_X", (uint64_t)p->src_x << 16},
	        {"SRC_Y", (uint64_t)p->src_y << 16},
	        {"SRC_W", (uint64_t)p->src_w << 16},
	        {"SRC_H", (uint64_t)p->src_h << 16},
	};
	for (size_t i = 0; i < VT_COUNT(props); i++)
		drmModeAtomicAddProperty(req, p->plane_id,
		                         property_id(p->plane_id, DRM_MODE_OBJECT_PLANE, props[i].name),
		                         props[i].value);
}

/* The result of a TEST_ONLY atomic commit of the given planes on the active CRTC. */
static int test_planes(uint32_t crtc_id, const struct plane_setup *planes, size_t count, uint32_t flags)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	for (size_t i = 0; i < count; i++)
		add_plane(req, crtc_id, &planes[i]);
	int ret = drmModeAtomicCommit(card, req, flags, NULL);
	drmModeAtomicFree(req);
	return ret < 0 ? -errno : ret;
}

static uint32_t plane_of_type(uint64_t type)
{
	drmModePlaneResPtr planes = drmModeGetPlaneResources(card);
	uint32_t found = 0;
	for (uint32_t i = 0; planes && i < planes->count_planes && !found; i++) {
		uint32_t id = planes->planes[i];
		drmModeObjectPropertiesPtr props =
		        drmModeObjectGetProperties(card, id, DRM_MODE_OBJECT_PLANE);
		uint32_t type_prop = property_id(id, DRM_MODE_OBJECT_PLANE, "type");
		for (uint32_t j = 0; props && j < props->count_props; j++)
			if (props->props[j] == type_prop && props->prop_values[j] == type)
				found = id;
		drmModeFreeObjectProperties(props);
	}
	drmModeFreePlaneResources(planes);
	VT_CHECK(found != 0);
	return found;
}

/* Plane checks through the atomic API: what the display cannot do is refused before it reaches it. */
static void test_atomic_plane_checks(void)
{
	struct display d = find_display();
	struct dumb screen = {0}, cursor = {0}, small = {0};
	if (!d.found)
		return;
	VT_CHECK_EQ_INT(drmSetClientCap(card, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1), 0);
	VT_CHECK_EQ_INT(drmSetClientCap(card, DRM_CLIENT_CAP_ATOMIC, 1), 0);
	VT_CHECK(make_scanout(&d, 0x00202020, &screen));
	VT_CHECK_EQ_INT(dumb_create(64, 64, 32, &cursor), 0);
	VT_CHECK_EQ_INT(add_fb(64, 64, DRM_FORMAT_ARGB8888, cursor.handle, cursor.pitch, 0, 0, &cursor.fb_id),
	                0);
	VT_CHECK_EQ_INT(dumb_create(32, 32, 32, &small), 0);
	VT_CHECK_EQ_INT(add_fb(32, 32, DRM_FORMAT_ARGB8888, small.handle, small.pitch, 0, 0, &small.fb_id),
	                0);
	uint32_t connector = d.connector_id;
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, screen.fb_id, 0, 0, &connector, 1, &d.mode), 0);

	uint32_t w = d.mode.hdisplay, h = d.mode.vdisplay;
	uint32_t primary = plane_of_type(DRM_PLANE_TYPE_PRIMARY),
	         cursor_plane = plane_of_type(DRM_PLANE_TYPE_CURSOR);
	const uint32_t test_only = DRM_MODE_ATOMIC_TEST_ONLY;
	struct plane_setup full = {primary, screen.fb_id, 0, 0, w, h, 0, 0, w, h};
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &full, 1, test_only), 0);

	/* Unknown flags. */
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &full, 1, 0x40000000u), -EINVAL);
	/* The source reaches outside the framebuffer. */
	struct plane_setup outside = {primary, screen.fb_id, 0, 0, w, h, 1, 0, w, h};
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &outside, 1, test_only), -ENOSPC);
	/* Scaling: the device has no scaler. */
	struct plane_setup scaled = {primary, screen.fb_id, 0, 0, w, h, 0, 0, w / 2, h / 2};
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &scaled, 1, test_only), -ERANGE);
	/* A primary plane that does not cover the CRTC: the device scans out the whole mode. */
	struct plane_setup partial = {primary, screen.fb_id, 16, 16, w - 16, h - 16, 0, 0, w - 16, h - 16};
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &partial, 1, test_only), -EINVAL);

	/* The cursor: 64x64 anywhere, partly or wholly off-screen too; nothing else. */
	struct plane_setup cursors[] = {
	        {cursor_plane, cursor.fb_id, 100, 100, 64, 64, 0, 0, 64, 64},
	        {cursor_plane, cursor.fb_id, -32, -10, 64, 64, 0, 0, 64, 64},
	        {cursor_plane, cursor.fb_id, (int32_t)w + 10, 0, 64, 64, 0, 0, 64, 64},
	};
	for (size_t i = 0; i < VT_COUNT(cursors); i++)
		VT_CHECK_EQ_INT(test_planes(d.crtc_id, &cursors[i], 1, test_only), 0);
	struct plane_setup bad_cursors[] = {
	        {cursor_plane, small.fb_id, 0, 0, 32, 32, 0, 0, 32, 32},    /* not 64x64 */
	        {cursor_plane, cursor.fb_id, 0, 0, 32, 32, 0, 0, 32, 32},   /* a part of the image */
	        {cursor_plane, cursor.fb_id, 0, 0, 128, 128, 0, 0, 64, 64}, /* scaled */
	        {cursor_plane, screen.fb_id, 0, 0, 64, 64, 0, 0, 64, 64},   /* XRGB, the mode's size */
	};
	for (size_t i = 0; i < VT_COUNT(bad_cursors); i++) {
		int ret = test_planes(d.crtc_id, &bad_cursors[i], 1, test_only);
		VT_CHECK(ret == -EINVAL || ret == -ERANGE);
	}
	/* A real commit of the cursor, then the state holds. */
	VT_CHECK_EQ_INT(test_planes(d.crtc_id, &cursors[0], 1, 0), 0);

	VT_CHECK_EQ_INT(drmModeSetCursor(card, d.crtc_id, 0, 0, 0), 0);
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, 0, 0, 0, NULL, 0, NULL), 0);
	VT_CHECK_EQ_INT(drmSetClientCap(card, DRM_CLIENT_CAP_ATOMIC, 0), 0);
	dumb_destroy(&small);
	dumb_destroy(&cursor);
	dumb_destroy(&screen);
}

/* The PCI address (0000:00:04.0) of the device behind a DRM card fd, into out. */
static bool card_pci_address(int fd, char *out, size_t size)
{
	struct stat st;
	char link[128], target[256];
	if (fstat(fd, &st) != 0)
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(st.st_rdev), minor(st.st_rdev));
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	snprintf(out, size, "%s", base ? base + 1 : target);
	return true;
}

static bool write_sysfs(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * The device goes away (PCI remove) while a client holds a mode, a framebuffer and a CPU mapping: its
 * ioctls then fail with ENODEV, the mapping stays harmless, closing cleans up, and a PCI rescan brings
 * the device back to a working driver. Runs last: it replaces the card every other case used.
 */
static void test_hot_unplug(void)
{
	struct display d = find_display();
	struct dumb screen = {0};
	char address[256], path[320];
	bool found = d.found && card_pci_address(card, address, sizeof(address));
	VT_CHECK(found);
	if (!found)
		return;
	VT_CHECK(make_scanout(&d, 0x00336699, &screen));
	uint32_t connector = d.connector_id;
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, d.crtc_id, screen.fb_id, 0, 0, &connector, 1, &d.mode), 0);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", address);
	VT_CHECK(write_sysfs(path, "1"));
	struct drm_vgpu_get_param param = {.param = DRM_VGPU_PARAM_CAPS};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_VGPU_GET_PARAM, &param), -ENODEV);
	struct drm_mode_create_dumb create = {.width = 64, .height = 64, .bpp = 32};
	VT_CHECK_EQ_INT(ioctl_result(DRM_IOCTL_MODE_CREATE_DUMB, &create), -ENODEV);
	VT_CHECK_EQ_INT(drmModePageFlip(card, d.crtc_id, screen.fb_id, DRM_MODE_PAGE_FLIP_EVENT, NULL),
	                -ENODEV);
	/* The mapping of the vanished VRAM: accesses land on a dummy page instead of faulting. */
	if (screen.map) {
		volatile uint32_t *pixels = screen.map;
		pixels[0] = 0x12345678;
		(void)pixels[screen.size / 4 - 1];
		munmap(screen.map, screen.size);
	}
	close(card);

	VT_CHECK(write_sysfs("/sys/bus/pci/rescan", "1"));
	card = -1;
	for (int tries = 0; tries < 100 && card < 0; tries++) {
		card = vgpu_drm_open_node("card", "vgpu");
		if (card < 0)
			usleep(100 * 1000);
	}
	VT_CHECK(card >= 0);
	if (card >= 0)
		VT_CHECK_EQ_U64(get_param(DRM_VGPU_PARAM_DEVICE_VERSION) >> 16, VGPU_VERSION_MAJOR);
}

static const struct vt_case cases[] = {
        VT_CASE(test_version_and_params),
        VT_CASE(test_get_param_errors),
        VT_CASE(test_dumb_errors),
        VT_CASE(test_dumb_mmap),
        VT_CASE(test_addfb_errors),
        VT_CASE(test_modeset_and_page_flips),
        VT_CASE(test_cursor),
        VT_CASE(test_atomic_plane_checks),
        VT_CASE(test_hot_unplug),
};

int main(int argc, char **argv)
{
	card = vgpu_drm_open_node("card", "vgpu");
	if (card < 0) {
		fprintf(stderr,
		        "vgpu_kms_test: no /dev/dri/card* is driven by vgpu; is vgpu.ko loaded and bound?\n");
		return 1;
	}
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
