/* KMS figures of vgpu.ko, run in the guest (guest_bench.sh boots it): page flips per second between two
 * dumb-buffer framebuffers at the preferred mode (each flip waits for its event, so the figure is bounded
 * by the device's refresh rate), and the CPU write bandwidth into a mmapped dumb buffer (VRAM through
 * BAR2, write-combined) and into a mmapped system-memory buffer object (DRM_VGPU_GEM_CREATE_SYSMEM,
 * cached shmem pages) beside memset into guest RAM of the same size in the same run. Wall-clock figures
 * of a TCG guest.
 * usage: vgpu_kms_bench [FLIPS [BUFFER_MIB]] */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include <drm/vgpu_drm.h>
#include "vgpu_drm_client.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "vgpu_kms_bench: %s failed: %s\n", what, strerror(errno));
	return 1;
}

/* A dumb buffer of width x height XRGB8888 pixels; its handle, pitch and size. */
static int create_dumb(int fd, uint32_t width, uint32_t height, struct drm_mode_create_dumb *dumb)
{
	*dumb = (struct drm_mode_create_dumb){.width = width, .height = height, .bpp = 32};
	return drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, dumb);
}

/* GB/s of `repeats` memsets of `size` bytes at dst. */
static double memset_bandwidth(void *dst, size_t size, int repeats)
{
	double start = now_s();
	for (int i = 0; i < repeats; i++)
		memset(dst, i + 1, size);
	return (double)size * repeats / (now_s() - start) / 1e9;
}

static int wait_flip_event(int fd)
{
	drmEventContext events = {.version = 2};
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (poll(&pfd, 1, 5000) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	return drmHandleEvent(fd, &events);
}

static int bench_flips(int fd, int flips)
{
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res || res->count_connectors < 1 || res->count_crtcs < 1)
		return fail("drmModeGetResources (a connector and a CRTC)");
	drmModeConnectorPtr conn = drmModeGetConnector(fd, res->connectors[0]);
	if (!conn || conn->count_modes < 1)
		return fail("drmModeGetConnector (a mode)");
	drmModeModeInfo mode = conn->modes[0];
	for (int i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			mode = conn->modes[i];

	uint32_t fbs[2];
	for (int i = 0; i < 2; i++) {
		struct drm_mode_create_dumb dumb;
		if (create_dumb(fd, mode.hdisplay, mode.vdisplay, &dumb))
			return fail("DRM_IOCTL_MODE_CREATE_DUMB");
		uint32_t handles[4] = {dumb.handle}, pitches[4] = {dumb.pitch}, offsets[4] = {0};
		if (drmModeAddFB2(fd, mode.hdisplay, mode.vdisplay, DRM_FORMAT_XRGB8888, handles, pitches,
		                  offsets, &fbs[i], 0))
			return fail("drmModeAddFB2");
	}
	if (drmModeSetCrtc(fd, res->crtcs[0], fbs[0], 0, 0, &res->connectors[0], 1, &mode))
		return fail("drmModeSetCrtc");

	/* The first flip lines the loop up with vblank; it is not counted. */
	double start = 0;
	for (int i = -1; i < flips; i++) {
		if (i == 0)
			start = now_s();
		if (drmModePageFlip(fd, res->crtcs[0], fbs[(i + 2) % 2], DRM_MODE_PAGE_FLIP_EVENT, NULL))
			return fail("drmModePageFlip");
		if (wait_flip_event(fd))
			return fail("waiting for the flip event");
	}
	double elapsed = now_s() - start;
	double refresh = mode.clock * 1000.0 / ((double)mode.htotal * mode.vtotal);
	printf("page flips: %.1f per second (%d flips, %ux%u, mode refresh %.2f Hz)\n", flips / elapsed,
	       flips, mode.hdisplay, mode.vdisplay, refresh);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	return 0;
}

/* A CPU mapping of size bytes of a new system-memory buffer object; MAP_FAILED on failure. */
static void *map_sysmem_bo(int fd, size_t size)
{
	struct drm_vgpu_gem_create create = {.size = size, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};
	if (drmIoctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &create))
		return MAP_FAILED;
	struct drm_vgpu_gem_info info = {.handle = create.handle};
	if (drmIoctl(fd, DRM_IOCTL_VGPU_GEM_INFO, &info))
		return MAP_FAILED;
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)info.mmap_offset);
}

static int bench_write_bandwidth(int fd, size_t mib)
{
	size_t size = mib << 20;
	struct drm_mode_create_dumb dumb;
	if (create_dumb(fd, 4096, (uint32_t)(size / (4096 * 4)), &dumb))
		return fail("DRM_IOCTL_MODE_CREATE_DUMB of the bandwidth buffer");
	struct drm_mode_map_dumb map = {.handle = dumb.handle};
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return fail("DRM_IOCTL_MODE_MAP_DUMB");
	void *vram = mmap(NULL, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (vram == MAP_FAILED)
		return fail("mmap of the dumb buffer");
	void *sysmem = map_sysmem_bo(fd, size);
	if (sysmem == MAP_FAILED)
		return fail("creating and mapping a system-memory buffer object");
	void *ram = malloc(size);
	if (!ram)
		return fail("malloc");
	/* First touch faults the pages in everywhere; the timed rounds see only writes. */
	memset(vram, 0, size);
	memset(sysmem, 0, size);
	memset(ram, 0, size);
	for (int round = 0; round < 3; round++) {
		double dumb_gbs = memset_bandwidth(vram, size, 8);
		double sysmem_gbs = memset_bandwidth(sysmem, size, 8);
		double ram_gbs = memset_bandwidth(ram, size, 8);
		printf("write bandwidth (memset of %zu MiB x 8): dumb buffer %.2f GB/s, system-memory BO "
		       "%.2f "
		       "GB/s, guest RAM %.2f GB/s (dumb/RAM %.2f, BO/RAM %.2f)\n",
		       mib, dumb_gbs, sysmem_gbs, ram_gbs, dumb_gbs / ram_gbs, sysmem_gbs / ram_gbs);
	}
	free(ram);
	munmap(sysmem, size);
	munmap(vram, dumb.size);
	return 0;
}

int main(int argc, char **argv)
{
	int flips = argc > 1 ? atoi(argv[1]) : 120;
	int mib = argc > 2 ? atoi(argv[2]) : 32;

	if (flips < 1 || mib < 1 || mib > 256) {
		fprintf(stderr,
		        "usage: vgpu_kms_bench [FLIPS [BUFFER_MIB]] (FLIPS >= 1, 1 <= BUFFER_MIB <= 256)\n");
		return 2;
	}
	int fd = vgpu_drm_open_node("card", "vgpu");
	if (fd < 0) {
		fprintf(stderr, "vgpu_kms_bench: no /dev/dri/card* is driven by vgpu; is vgpu.ko loaded?\n");
		return 1;
	}
	if (drmSetMaster(fd)) {
		fprintf(stderr, "vgpu_kms_bench: cannot become DRM master (%s); stop any compositor first\n",
		        strerror(errno));
		return 1;
	}
	int ret = bench_flips(fd, flips) || bench_write_bandwidth(fd, (size_t)mib);
	close(fd);
	return ret;
}
