/* Guest test of vgpu.ko's command submission: 2D jobs through DRM_IOCTL_VGPU_SUBMIT with fences,
 * syncobj chains, sync_files, two concurrent clients, fault isolation, the error paths of every
 * submission ioctl; with --reset (on a driver loaded with a short job_timeout_ms) a hanging job
 * cancelled by a GPU reset; with --watchdog (watchdog=16) a job stopped by the device's watchdog; with
 * --unplug the device removed while a job runs. Runs in the guest
 * (guest_kms_test.py boots it) on the vgpu render node; jobs are built with libvgpu_drm, results checked
 * through CPU mappings. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <poll.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vgpu_drm_client.h"
#include "vgpu_test.h"

#define SIDE          64 /* test surfaces: SIDE x SIDE B8G8R8A8 */
#define PITCH         (SIDE * 4)
#define SURFACE_BYTES (PITCH * SIDE)
#define VA_IB         0x100000ull
#define VA_SRC        0x200000ull
#define VA_DST        0x300000ull
#define VA_SYS        0x400000ull
#define VA_UNMAPPED   0x7000000ull
#define FENCE_WAIT_MS 20000

/* A client: its own file, an IB buffer and two surfaces at the same VAs in every client. */
struct client {
	int fd;
	struct vgpu_drm_bo ib, src, dst;
};

static int open_vgpu_render_node(void)
{
	return vgpu_drm_open_node("renderD", "vgpu");
}

static void bo_setup(int fd, struct vgpu_drm_bo *bo, uint64_t size, uint64_t va)
{
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, size, bo), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, bo), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, bo, va, 0), 0);
}

static void client_open(struct client *c)
{
	c->fd = open_vgpu_render_node();
	VT_CHECK(c->fd >= 0);
	bo_setup(c->fd, &c->ib, 64 * 1024, VA_IB);
	bo_setup(c->fd, &c->src, SURFACE_BYTES, VA_SRC);
	bo_setup(c->fd, &c->dst, SURFACE_BYTES, VA_DST);
}

static void client_close(struct client *c)
{
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c->fd, &c->ib), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c->fd, &c->src), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c->fd, &c->dst), 0);
	close(c->fd);
}

static struct vgpu_pkt_surface surface(uint64_t va)
{
	return (struct vgpu_pkt_surface){.va = va, .pitch = PITCH, .format = VGPU_FORMAT_B8G8R8A8_UNORM};
}

static uint32_t pixel(const struct vgpu_drm_bo *bo, int x, int y)
{
	return ((const volatile uint32_t *)bo->map)[y * SIDE + x];
}

/* Submits the packets of cs (in c's IB) as one job writing src and dst; returns its sync_file fd and
 * its seqno. */
static int submit_job(struct client *c, struct vgpu_drm_cmdstream *cs, uint64_t *seqno)
{
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;

	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, cs);
	vgpu_drm_job_add_bo(&job, &c->src, true);
	vgpu_drm_job_add_bo(&job, &c->dst, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c->fd, &job, &result), 0);
	if (seqno)
		*seqno = result.seqno;
	return result.fence_fd;
}

/* Waits for and closes a job's sync_file; returns its status: 1 done, negative: the job's error. */
static int wait_job(int fence_fd)
{
	int status = 0;

	if (fence_fd < 0)
		return -1000;
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(fence_fd, FENCE_WAIT_MS, &status), 0);
	close(fence_fd);
	return status;
}

static int run_job(struct client *c, struct vgpu_drm_cmdstream *cs, uint64_t *seqno)
{
	return wait_job(submit_job(c, cs, seqno));
}

/* One job: src and dst cleared to `clear`, then a fill of `value` in src's rectangle. */
static void emit_clear_and_fill(struct vgpu_drm_cmdstream *cs, uint32_t clear, uint32_t value)
{
	struct vgpu_pkt_surface src = surface(VA_SRC), dst = surface(VA_DST);

	vgpu_pkt_fill(&cs->cb, &src, 0, 0, SIDE, SIDE, clear);
	vgpu_pkt_fill(&cs->cb, &dst, 0, 0, SIDE, SIDE, clear);
	vgpu_pkt_fill(&cs->cb, &src, 8, 8, 16, 16, value);
}

static int count_pixels(const struct vgpu_drm_bo *bo, uint32_t value)
{
	int n = 0;
	for (int y = 0; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++)
			n += pixel(bo, x, y) == value;
	return n;
}

static void test_fill_and_copy(void)
{
	struct client c;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_pkt_surface src = surface(VA_SRC), dst = surface(VA_DST);

	client_open(&c);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	emit_clear_and_fill(&cs, 0x11111111, 0xaabbccdd);
	/* src (0,0)..(32,32) to dst at (20,30): the filled square lands at (28,38)..(44,54). */
	vgpu_pkt_copy(&cs.cb, &src, 0, 0, &dst, 20, 30, 32, 32);
	VT_CHECK_EQ_INT(run_job(&c, &cs, NULL), 1);
	VT_CHECK_EQ_U64(pixel(&c.src, 8, 8), 0xaabbccdd);
	VT_CHECK_EQ_U64(pixel(&c.src, 23, 23), 0xaabbccdd);
	VT_CHECK_EQ_U64(pixel(&c.src, 24, 24), 0x11111111);
	VT_CHECK_EQ_U64(pixel(&c.dst, 28, 38), 0xaabbccdd);
	VT_CHECK_EQ_U64(pixel(&c.dst, 43, 53), 0xaabbccdd);
	VT_CHECK_EQ_U64(pixel(&c.dst, 27, 38), 0x11111111);
	VT_CHECK_EQ_INT(count_pixels(&c.dst, 0xaabbccdd), 16 * 16);
	VT_CHECK_EQ_INT(count_pixels(&c.src, 0xaabbccdd), 16 * 16);
	/* Done: WAIT_BO polls successfully, no fault was charged. */
	VT_CHECK_EQ_INT(vgpu_drm_bo_wait(c.fd, &c.dst, 0, 0), 0);
	struct drm_vgpu_get_fault fault = {0};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GET_FAULT, &fault), 0);
	VT_CHECK_EQ_INT(fault.count, 0);
	client_close(&c);
}

/* WAIT_BO: a job's buffers are busy until it completes; waiting with a timeout returns once done. */
static void test_wait_bo(void)
{
	struct client c;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;

	client_open(&c);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	emit_clear_and_fill(&cs, 0, 0x01020304);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &c.src, true);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, NULL), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_wait(c.fd, &c.src, DRM_VGPU_WAIT_BO_WRITERS, 10000000000ll), 0);
	VT_CHECK_EQ_U64(pixel(&c.src, 10, 10), 0x01020304);
	VT_CHECK_EQ_INT(vgpu_drm_bo_wait(c.fd, &c.src, 0, 0), 0);
	client_close(&c);
}

/* Three jobs chained through a binary and a timeline syncobj: fill src, copy to dst, copy back. */
static void test_syncobj_chain(void)
{
	struct client c;
	uint32_t binary, timeline;
	struct vgpu_pkt_surface src = surface(VA_SRC), dst = surface(VA_DST);
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	uint64_t point = 0;

	client_open(&c);
	VT_CHECK_EQ_INT(drmSyncobjCreate(c.fd, 0, &binary), 0);
	VT_CHECK_EQ_INT(drmSyncobjCreate(c.fd, 0, &timeline), 0);
	vgpu_drm_cmdstream_init(&cs, &c.ib);

	emit_clear_and_fill(&cs, 0, 0x55667788);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_signal_syncobj(&job, binary, 0);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, NULL), 0);

	/* Each job's packets follow the previous ones in the IB buffer. */
	uint32_t start = cs.cb.count;
	vgpu_pkt_copy(&cs.cb, &src, 0, 0, &dst, 32, 32, 32, 32);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, VA_IB + 4 * start, cs.cb.count - start);
	vgpu_drm_job_wait_syncobj(&job, binary, 0);
	vgpu_drm_job_signal_syncobj(&job, timeline, 1);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, NULL), 0);

	start = cs.cb.count;
	vgpu_pkt_copy(&cs.cb, &dst, 32, 32, &src, 0, 32, 32, 32);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, VA_IB + 4 * start, cs.cb.count - start);
	vgpu_drm_job_wait_syncobj(&job, timeline, 1);
	vgpu_drm_job_signal_syncobj(&job, timeline, 2);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, NULL), 0);

	VT_CHECK_EQ_INT(drmSyncobjTimelineWait(c.fd, &timeline, (uint64_t[]){2}, 1, INT64_MAX,
	                                       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL),
	                0);
	VT_CHECK_EQ_INT(drmSyncobjQuery(c.fd, &timeline, &point, 1), 0);
	VT_CHECK_EQ_U64(point, 2);
	VT_CHECK_EQ_INT(drmSyncobjWait(c.fd, &binary, 1, INT64_MAX, 0, NULL), 0);
	VT_CHECK_EQ_U64(pixel(&c.dst, 40, 40), 0x55667788);
	VT_CHECK_EQ_U64(pixel(&c.src, 8, 40), 0x55667788);
	VT_CHECK_EQ_INT(count_pixels(&c.src, 0x55667788), 2 * 16 * 16);
	drmSyncobjDestroy(c.fd, binary);
	drmSyncobjDestroy(c.fd, timeline);
	client_close(&c);
}

/* A sync_file out of one job is the in-fence of the next; the second's sync_file goes into a syncobj. */
static void test_sync_file(void)
{
	struct client c;
	struct vgpu_pkt_surface src = surface(VA_SRC), dst = surface(VA_DST);
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result first, second;
	uint32_t syncobj;
	int status = 0;

	client_open(&c);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	emit_clear_and_fill(&cs, 0, 0x0badcafe);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, &first), 0);
	VT_CHECK(first.fence_fd >= 0);

	uint32_t start = cs.cb.count;
	vgpu_pkt_copy(&cs.cb, &src, 8, 8, &dst, 0, 0, 16, 16);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, VA_IB + 4 * start, cs.cb.count - start);
	vgpu_drm_job_wait_fence_fd(&job, first.fence_fd);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, &second), 0);
	VT_CHECK(second.fence_fd >= 0 && second.fence_fd != first.fence_fd);
	VT_CHECK_EQ_U64(second.seqno, first.seqno + 1);

	VT_CHECK_EQ_INT(drmSyncobjCreate(c.fd, 0, &syncobj), 0);
	VT_CHECK_EQ_INT(drmSyncobjImportSyncFile(c.fd, syncobj, second.fence_fd), 0);
	VT_CHECK_EQ_INT(drmSyncobjWait(c.fd, &syncobj, 1, INT64_MAX, 0, NULL), 0);
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(second.fence_fd, 0, &status), 0);
	VT_CHECK_EQ_INT(status, 1);
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(first.fence_fd, 0, &status), 0);
	VT_CHECK_EQ_INT(status, 1);
	VT_CHECK_EQ_U64(pixel(&c.dst, 15, 15), 0x0badcafe);
	VT_CHECK_EQ_INT(count_pixels(&c.dst, 0x0badcafe), 16 * 16);
	close(first.fence_fd);
	close(second.fence_fd);
	drmSyncobjDestroy(c.fd, syncobj);
	client_close(&c);
}

#define CONCURRENT_JOBS 32

struct concurrent_client {
	struct client c;
	uint32_t tag;
	int failed_jobs;
};

/* Row i of this client's dst gets the value tag + i, one job per row, all at the same VAs as the
 * other client's buffers. */
static void *concurrent_client_run(void *arg)
{
	struct concurrent_client *cc = arg;
	struct vgpu_pkt_surface dst = surface(VA_DST);
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result = {.fence_fd = -1};
	int status = 0;

	vgpu_drm_cmdstream_init(&cs, &cc->c.ib);
	for (uint32_t i = 0; i < CONCURRENT_JOBS; i++) {
		uint32_t start = cs.cb.count;
		vgpu_pkt_fill(&cs.cb, &dst, 0, i, SIDE, 1, cc->tag + i);
		vgpu_drm_job_init(&job);
		vgpu_drm_job_add_cmdbuf(&job, VA_IB + 4 * start, cs.cb.count - start);
		vgpu_drm_job_add_bo(&job, &cc->c.dst, true);
		if (i == CONCURRENT_JOBS - 1)
			vgpu_drm_job_want_fence_fd(&job);
		if (vgpu_drm_job_submit(cc->c.fd, &job, &result))
			cc->failed_jobs++;
	}
	if (result.fence_fd < 0 || vgpu_drm_fence_fd_wait(result.fence_fd, FENCE_WAIT_MS, &status) ||
	    status != 1)
		cc->failed_jobs++;
	if (result.fence_fd >= 0)
		close(result.fence_fd);
	return NULL;
}

static void test_two_clients_concurrent(void)
{
	struct concurrent_client clients[2] = {{.tag = 0x10000000}, {.tag = 0x20000000}};
	pthread_t threads[2];

	for (int i = 0; i < 2; i++)
		client_open(&clients[i].c);
	for (int i = 0; i < 2; i++)
		VT_CHECK_EQ_INT(pthread_create(&threads[i], NULL, concurrent_client_run, &clients[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < 2; i++) {
		struct concurrent_client *cc = &clients[i];
		int wrong = 0;
		VT_CHECK_EQ_INT(cc->failed_jobs, 0);
		for (int y = 0; y < CONCURRENT_JOBS; y++)
			for (int x = 0; x < SIDE; x++)
				wrong += pixel(&cc->c.dst, x, y) != cc->tag + (uint32_t)y;
		VT_CHECK_EQ_INT(wrong, 0);
		client_close(&cc->c);
	}
}

/* A job that touches an unmapped VA fails with EIO and its client alone sees the fault; the rest of its
 * IB is abandoned; the other client's jobs, on the ring before and after it, and the faulting client's
 * next job are unaffected. */
static void test_fault_isolated(void)
{
	struct client bad, good;
	struct vgpu_pkt_surface unmapped = surface(VA_UNMAPPED), dst = surface(VA_DST);
	struct vgpu_drm_cmdstream bad_cs, good_cs;
	struct drm_vgpu_get_fault fault = {0};
	uint64_t seqno = 0;

	client_open(&bad);
	client_open(&good);
	vgpu_drm_cmdstream_init(&bad_cs, &bad.ib);
	emit_clear_and_fill(&bad_cs, 0x01010101, 0x02020202);
	VT_CHECK_EQ_INT(run_job(&bad, &bad_cs, NULL), 1);

	/* In flight together: good, bad, good. */
	vgpu_drm_cmdstream_init(&good_cs, &good.ib);
	emit_clear_and_fill(&good_cs, 0x03030303, 0x04040404);
	int good_first = submit_job(&good, &good_cs, NULL);
	vgpu_drm_cmdstream_init(&bad_cs, &bad.ib);
	vgpu_pkt_fill(&bad_cs.cb, &unmapped, 0, 0, 4, 4, 0xdeaddead);
	vgpu_pkt_fill(&bad_cs.cb, &dst, 0, 0, SIDE, SIDE, 0xdeaddead);
	int bad_job = submit_job(&bad, &bad_cs, &seqno);
	uint32_t start = good_cs.cb.count;
	vgpu_pkt_fill(&good_cs.cb, &dst, 0, 0, SIDE, 8, 0x07070707);
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result = {.fence_fd = -1};
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, VA_IB + 4 * start, good_cs.cb.count - start);
	vgpu_drm_job_add_bo(&job, &good.dst, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(good.fd, &job, &result), 0);

	VT_CHECK_EQ_INT(wait_job(bad_job), -EIO);
	VT_CHECK_EQ_INT(wait_job(good_first), 1);
	VT_CHECK_EQ_INT(wait_job(result.fence_fd), 1);
	VT_CHECK_EQ_INT(count_pixels(&bad.dst, 0xdeaddead), 0);
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(bad.fd, DRM_IOCTL_VGPU_GET_FAULT, &fault), 0);
	VT_CHECK_EQ_INT(fault.count, 1);
	VT_CHECK_EQ_U64(fault.type, VGPU_FAULT_MMU_NOT_MAPPED);
	VT_CHECK_EQ_U64(fault.addr, VA_UNMAPPED);
	VT_CHECK_EQ_U64(fault.seqno, seqno);
	VT_CHECK_EQ_INT(fault.ib_pos, 0);

	VT_CHECK_EQ_INT(count_pixels(&good.src, 0x04040404), 16 * 16);
	VT_CHECK_EQ_INT(count_pixels(&good.dst, 0x07070707), SIDE * 8);
	VT_CHECK_EQ_INT(count_pixels(&good.dst, 0x03030303), SIDE * (SIDE - 8));
	memset(&fault, 0, sizeof(fault));
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(good.fd, DRM_IOCTL_VGPU_GET_FAULT, &fault), 0);
	VT_CHECK_EQ_INT(fault.count, 0);

	vgpu_drm_cmdstream_init(&bad_cs, &bad.ib);
	emit_clear_and_fill(&bad_cs, 0x05050505, 0x06060606);
	VT_CHECK_EQ_INT(run_job(&bad, &bad_cs, NULL), 1);
	VT_CHECK_EQ_INT(count_pixels(&bad.src, 0x06060606), 16 * 16);
	client_close(&bad);
	client_close(&good);
}

static bool fence_fd_signaled(int fence_fd)
{
	struct pollfd pfd = {.fd = fence_fd, .events = POLLIN};
	return poll(&pfd, 1, 0) == 1;
}

/* Implicit synchronisation: a mode set with a framebuffer that a job is still rendering waits for the
 * job (the job's write fence in the buffer's reservation), so the display never shows it half done. */
static void test_scanout_waits_for_rendering(void)
{
	int card = vgpu_drm_open_node("card", "vgpu");
	VT_CHECK(card >= 0);
	drmModeResPtr res = drmModeGetResources(card);
	VT_CHECK(res && res->count_connectors > 0 && res->count_crtcs > 0);
	drmModeConnectorPtr conn = drmModeGetConnector(card, res->connectors[0]);
	VT_CHECK(conn && conn->count_modes > 0);
	drmModeModeInfo mode = conn->modes[0];
	struct drm_mode_create_dumb create = {.width = mode.hdisplay, .height = mode.vdisplay, .bpp = 32};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create), 0);
	uint32_t fb_id = 0;
	VT_CHECK_EQ_INT(
	        drmModeAddFB(card, mode.hdisplay, mode.vdisplay, 24, 32, create.pitch, create.handle, &fb_id),
	        0);

	/* The dumb buffer, bound in the card file's own address space, filled over and over. */
	struct vgpu_drm_bo fb = {.handle = create.handle, .size = create.size};
	struct vgpu_drm_bo ib;
	bo_setup(card, &ib, 64 * 1024, VA_IB);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(card, &fb), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(card, &fb, 0x10000000, 0), 0);
	struct vgpu_pkt_surface screen = {
	        .va = 0x10000000, .pitch = create.pitch, .format = VGPU_FORMAT_B8G8R8X8_UNORM};
	struct vgpu_drm_cmdstream cs;
	vgpu_drm_cmdstream_init(&cs, &ib);
	for (uint32_t i = 0; i <= 300; i++)
		vgpu_pkt_fill(&cs.cb, &screen, 0, 0, mode.hdisplay, mode.vdisplay, 0x00102030 + i);
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &fb, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(card, &job, &result), 0);
	VT_CHECK(!fence_fd_signaled(result.fence_fd));
	VT_CHECK_EQ_INT(drmModeSetCrtc(card, res->crtcs[0], fb_id, 0, 0, &conn->connector_id, 1, &mode), 0);
	VT_CHECK(fence_fd_signaled(result.fence_fd));
	VT_CHECK_EQ_U64(((volatile uint32_t *)fb.map)[0], 0x00102030 + 300);
	close(result.fence_fd);

	drmModeRmFB(card, fb_id);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(card, &fb), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(card, &ib), 0);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	close(card);
}

static int submit_raw(int fd, struct drm_vgpu_submit *args)
{
	return vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_SUBMIT, args);
}

static void test_error_paths(void)
{
	struct client c;
	struct vgpu_drm_bo extra;
	void *unmapped_page;
	struct drm_vgpu_cmdbuf cmdbuf = {.va = VA_IB, .size_dwords = 1};
	struct drm_vgpu_submit_bo bo = {0};
	struct drm_vgpu_sync sync = {0};

	client_open(&c);
	((uint32_t *)c.ib.map)[0] = VGPU_PKT_HEADER(VGPU_PKT_NOP, 0);
	unmapped_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VT_CHECK(unmapped_page != MAP_FAILED);
	munmap(unmapped_page, 4096);
	uint64_t bad_ptr = (uintptr_t)unmapped_page;

	/* GEM_CREATE, GEM_INFO. */
	struct drm_vgpu_gem_create create = {.size = 0};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 4096, .flags = 2};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 4096, .flags = DRM_VGPU_GEM_CREATE_SYSMEM | (1u << 31)};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 0, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 1ull << 50, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -ENOMEM);
	create = (struct drm_vgpu_gem_create){.size = UINT64_MAX};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 1ull << 40};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -ENOMEM);
	struct drm_vgpu_gem_info info = {.handle = 0xdead};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_INFO, &info), -ENOENT);
	info = (struct drm_vgpu_gem_info){.handle = c.ib.handle, .pad = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GEM_INFO, &info), -EINVAL);

	/* VM_BIND. */
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(c.fd, 8192, &extra), 0);
	struct drm_vgpu_vm_bind bind = {.op = DRM_VGPU_VM_BIND_MAP, .handle = 0xdead, .va = 0x900000};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -ENOENT);
	bind = (struct drm_vgpu_vm_bind){.op = 7, .handle = extra.handle, .va = 0x900000};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = 0x900000, .flags = 2};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = 0x900000, .pad = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){.op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = 0x900100};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = (1ull << 39) - 4096};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = UINT64_MAX & ~4095ull};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	bind = (struct drm_vgpu_vm_bind){
	        .op = DRM_VGPU_VM_BIND_MAP, .handle = extra.handle, .va = VA_IB + 4096};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EBUSY);
	bind = (struct drm_vgpu_vm_bind){.op = DRM_VGPU_VM_BIND_UNMAP, .va = 0x900000};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -ENOENT);
	bind = (struct drm_vgpu_vm_bind){.op = DRM_VGPU_VM_BIND_UNMAP, .va = VA_IB, .handle = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &bind), -EINVAL);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(c.fd, &extra, 0x900000, DRM_VGPU_VM_BIND_READ_ONLY), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c.fd, &extra), 0);

	/* SUBMIT: a good one first, then one thing wrong at a time. */
	struct drm_vgpu_submit good = {.cmdbufs = (uintptr_t)&cmdbuf, .cmdbuf_count = 1};
	struct drm_vgpu_submit s = good;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), 0);
	VT_CHECK(s.seqno >= 1);
	s = good, s.cmdbuf_count = 0;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.cmdbuf_count = DRM_VGPU_SUBMIT_MAX_CMDBUFS + 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.cmdbuf_count = UINT32_MAX;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.bo_count = UINT32_MAX;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.in_sync_count = 0x80000001u;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.out_sync_count = DRM_VGPU_SUBMIT_MAX_SYNCS + 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.flags = 4;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.pad = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.cmdbufs = bad_ptr;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EFAULT);
	s = good, s.cmdbufs = 0;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EFAULT);
	s = good, s.bos = bad_ptr, s.bo_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EFAULT);
	s = good, s.in_syncs = bad_ptr, s.in_sync_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EFAULT);
	s = good, s.out_syncs = bad_ptr, s.out_sync_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EFAULT);
	struct drm_vgpu_cmdbuf bad_cmdbufs[] = {
	        {.va = VA_IB, .size_dwords = 0},      {.va = VA_IB, .size_dwords = VGPU_IB_MAX_DWORDS + 1},
	        {.va = VA_IB + 2, .size_dwords = 1},  {.va = VA_IB, .size_dwords = 1, .pad = 1},
	        {.va = 1ull << 39, .size_dwords = 1}, {.va = (1ull << 39) - 4, .size_dwords = 2},
	};
	for (size_t i = 0; i < sizeof(bad_cmdbufs) / sizeof(bad_cmdbufs[0]); i++) {
		s = good, s.cmdbufs = (uintptr_t)&bad_cmdbufs[i];
		VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	}
	bo = (struct drm_vgpu_submit_bo){.handle = 0xdead};
	s = good, s.bos = (uintptr_t)&bo, s.bo_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -ENOENT);
	bo = (struct drm_vgpu_submit_bo){.handle = c.ib.handle, .flags = 2};
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	struct drm_vgpu_submit_bo twice[] = {
	        {.handle = c.ib.handle}, {.handle = c.src.handle}, {.handle = c.ib.handle}};
	s = good, s.bos = (uintptr_t)twice, s.bo_count = 3;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	sync = (struct drm_vgpu_sync){.handle = 0xdead};
	s = good, s.in_syncs = (uintptr_t)&sync, s.in_sync_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -ENOENT);
	s = good, s.out_syncs = (uintptr_t)&sync, s.out_sync_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -ENOENT);
	uint32_t syncobj;
	VT_CHECK_EQ_INT(drmSyncobjCreate(c.fd, 0, &syncobj), 0);
	sync = (struct drm_vgpu_sync){.handle = syncobj, .flags = 1};
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	/* Waiting for a syncobj that has no fence yet. */
	sync = (struct drm_vgpu_sync){.handle = syncobj};
	s = good, s.in_syncs = (uintptr_t)&sync, s.in_sync_count = 1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	drmSyncobjDestroy(c.fd, syncobj);
	s = good, s.flags = DRM_VGPU_SUBMIT_IN_FENCE_FD, s.in_fence_fd = -1;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);
	s = good, s.flags = DRM_VGPU_SUBMIT_IN_FENCE_FD, s.in_fence_fd = c.fd;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), -EINVAL);

	/* WAIT_BO, GET_FAULT. */
	struct drm_vgpu_wait_bo wait = {.handle = 0xdead};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_WAIT_BO, &wait), -ENOENT);
	wait = (struct drm_vgpu_wait_bo){.handle = c.ib.handle, .flags = 2};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_WAIT_BO, &wait), -EINVAL);
	struct drm_vgpu_get_fault fault = {.pad = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GET_FAULT, &fault), -EINVAL);

	/* Unmapped ioctl argument itself. */
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_SUBMIT, unmapped_page), -EFAULT);

	/* After all that, a good job still runs. */
	s = good;
	s.flags = DRM_VGPU_SUBMIT_OUT_FENCE_FD;
	VT_CHECK_EQ_INT(submit_raw(c.fd, &s), 0);
	int status = 0;
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(s.out_fence_fd, FENCE_WAIT_MS, &status), 0);
	VT_CHECK_EQ_INT(status, 1);
	close(s.out_fence_fd);
	client_close(&c);
}

/* Run on a driver loaded with a short job_timeout_ms: a job whose single IB fills 4 GiB runs past the
 * timeout (but within the device's watchdog budget), the driver resets the GPU, the job's fence
 * carries an error, and the next jobs of both clients succeed. */
static void test_hang_reset(void)
{
	struct client hung, other;
	struct vgpu_drm_bo big;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;
	int status = 0;

	client_open(&hung);
	client_open(&other);
	bo_setup(hung.fd, &big, 16 << 20, 0x10000000);
	struct vgpu_pkt_surface big_surface = {
	        .va = 0x10000000, .pitch = 4096 * 4, .format = VGPU_FORMAT_B8G8R8A8_UNORM};
	vgpu_drm_cmdstream_init(&cs, &hung.ib);
	for (int i = 0; i < 250; i++)
		vgpu_pkt_fill(&cs.cb, &big_surface, 0, 0, 4096, 1024, (uint32_t)i);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &big, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(hung.fd, &job, &result), 0);
	VT_CHECK(result.fence_fd >= 0);

	/* The other client's job, queued behind the hanging one. */
	vgpu_drm_cmdstream_init(&cs, &other.ib);
	emit_clear_and_fill(&cs, 0, 0x0a0b0c0d);
	VT_CHECK_EQ_INT(run_job(&other, &cs, NULL), 1);
	VT_CHECK_EQ_INT(count_pixels(&other.src, 0x0a0b0c0d), 16 * 16);

	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(result.fence_fd, FENCE_WAIT_MS, &status), 0);
	VT_CHECK(status < 0);
	printf("# the hanging job's fence status: %d (%s)\n", status, strerror(-status));
	close(result.fence_fd);

	vgpu_drm_cmdstream_init(&cs, &hung.ib);
	emit_clear_and_fill(&cs, 0, 0x0e0f0102);
	VT_CHECK_EQ_INT(run_job(&hung, &cs, NULL), 1);
	VT_CHECK_EQ_INT(count_pixels(&hung.src, 0x0e0f0102), 16 * 16);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(hung.fd, &big), 0);
	client_close(&hung);
	client_close(&other);
}

static bool write_sysfs(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The PCI function's sysfs folder of a DRM node's fd. */
static bool device_sysfs_path(int fd, char *out, size_t size)
{
	struct stat st;
	char link[64];
	if (fstat(fd, &st))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(st.st_rdev), minor(st.st_rdev));
	return realpath(link, out) != NULL && strlen(out) < size;
}

/* The device goes away (PCI remove) while a long job runs: the job's fence signals (with ENODEV when
 * it had not finished), ioctls fail with ENODEV, closing cleans up, and after a PCI rescan a new client's
 * job succeeds. Replaces the device: runs on its own (--unplug). */
static void test_hot_unplug_while_running(void)
{
	struct client c;
	struct vgpu_drm_bo big;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;
	char device[4096], path[4200];
	int status = 0;

	client_open(&c);
	VT_CHECK(device_sysfs_path(c.fd, device, sizeof(device)));
	bo_setup(c.fd, &big, 16 << 20, 0x10000000);
	struct vgpu_pkt_surface big_surface = {
	        .va = 0x10000000, .pitch = 4096 * 4, .format = VGPU_FORMAT_B8G8R8A8_UNORM};
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	for (int i = 0; i < 250; i++)
		vgpu_pkt_fill(&cs.cb, &big_surface, 0, 0, 4096, 1024, (uint32_t)i);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &big, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, &result), 0);

	snprintf(path, sizeof(path), "%s/remove", device);
	VT_CHECK(write_sysfs(path, "1"));
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(result.fence_fd, FENCE_WAIT_MS, &status), 0);
	VT_CHECK(status == 1 || status == -ENODEV);
	printf("# the running job's fence status after the unplug: %d\n", status);
	close(result.fence_fd);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, NULL), -ENODEV);
	struct drm_vgpu_vm_bind unbind = {.op = DRM_VGPU_VM_BIND_UNMAP, .va = VA_IB};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_VM_BIND, &unbind), -ENODEV);
	munmap(big.map, big.size);
	munmap(c.ib.map, c.ib.size);
	munmap(c.src.map, c.src.size);
	munmap(c.dst.map, c.dst.size);
	close(c.fd);

	VT_CHECK(write_sysfs("/sys/bus/pci/rescan", "1"));
	int fd = -1;
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		fd = open_vgpu_render_node();
		if (fd < 0)
			usleep(100 * 1000);
	}
	VT_CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	client_open(&c);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	emit_clear_and_fill(&cs, 0, 0x0f0e0d0c);
	VT_CHECK_EQ_INT(run_job(&c, &cs, NULL), 1);
	VT_CHECK_EQ_INT(count_pixels(&c.src, 0x0f0e0d0c), 16 * 16);
	client_close(&c);
}

/* A buffer object in guest system memory (DRM_VGPU_GEM_CREATE_SYSMEM), CPU-mapped and bound at va. */
static void sysmem_bo_setup(int fd, struct vgpu_drm_bo *bo, uint64_t va)
{
	struct drm_vgpu_gem_create create = {.size = SURFACE_BYTES, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};

	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), 0);
	*bo = (struct vgpu_drm_bo){.handle = create.handle};
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, bo), 0);
	VT_CHECK_EQ_U64(bo->size, SURFACE_BYTES);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, bo, va, 0), 0);
}

/* A pixel pattern no fill produces: every pixel differs. */
static uint32_t pattern(int x, int y)
{
	return 0x80000000u | (uint32_t)(y << 8 | x);
}

/* The CPU writes rows 48.. of a system-memory surface, a job fills rows 0..47 and a square, then
 * copies the whole surface into a VRAM one: the GPU saw the CPU's writes, the CPU sees the GPU's, and
 * both surfaces agree pixel for pixel. A system-memory object cannot be a framebuffer. */
static void test_sysmem_fill_and_copy(void)
{
	struct client c;
	struct vgpu_drm_bo sys;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_pkt_surface sys_surface = surface(VA_SYS), dst = surface(VA_DST);

	client_open(&c);
	sysmem_bo_setup(c.fd, &sys, VA_SYS);
	for (int y = 48; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++)
			((uint32_t *)sys.map)[y * SIDE + x] = pattern(x, y);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	vgpu_pkt_fill(&cs.cb, &sys_surface, 0, 0, SIDE, 48, 0x11111111);
	vgpu_pkt_fill(&cs.cb, &sys_surface, 8, 8, 16, 16, 0xaabbccdd);
	vgpu_pkt_copy(&cs.cb, &sys_surface, 0, 0, &dst, 0, 0, SIDE, SIDE);
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &sys, true);
	vgpu_drm_job_add_bo(&job, &c.dst, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, &result), 0);
	VT_CHECK_EQ_INT(wait_job(result.fence_fd), 1);
	VT_CHECK_EQ_INT(count_pixels(&sys, 0xaabbccdd), 16 * 16);
	VT_CHECK_EQ_INT(count_pixels(&sys, 0x11111111), SIDE * 48 - 16 * 16);
	VT_CHECK_EQ_INT(count_pixels(&c.dst, 0xaabbccdd), 16 * 16);
	int mismatches = 0;
	for (int y = 0; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++)
			mismatches += pixel(&c.dst, x, y) != pixel(&sys, x, y) ||
			              (y >= 48 && pixel(&sys, x, y) != pattern(x, y));
	VT_CHECK_EQ_INT(mismatches, 0);

	int card = vgpu_drm_open_node("card", "vgpu");
	VT_CHECK(card >= 0);
	uint32_t prime_handle = 0, fb = 0;
	int dmabuf = -1;
	VT_CHECK_EQ_INT(drmPrimeHandleToFD(c.fd, sys.handle, DRM_CLOEXEC, &dmabuf), 0);
	VT_CHECK_EQ_INT(drmPrimeFDToHandle(card, dmabuf, &prime_handle), 0);
	uint32_t handles[4] = {prime_handle}, pitches[4] = {PITCH}, offsets[4] = {0};
	errno = 0;
	VT_CHECK(drmModeAddFB2(card, SIDE, SIDE, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0) !=
	         0);
	VT_CHECK_EQ_INT(errno, EINVAL);
	close(dmabuf);
	close(card);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c.fd, &sys), 0);
	client_close(&c);
}

static int prime_export(int fd, uint32_t handle, uint32_t flags, int *dmabuf)
{
	struct drm_prime_handle args = {.handle = handle, .flags = flags, .fd = -1};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);

	*dmabuf = args.fd;
	return ret;
}

static int prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle args = {.fd = dmabuf};
	int ret = vgpu_drm_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);

	*handle = args.handle;
	return ret;
}

/* Client a's job fills a system-memory object and a exports it; client b imports it, binds it in its
 * own address space and copies it into its VRAM surface, then fills a square of it that a sees. The
 * dma-buf maps for the CPU too. Error paths of export and import. */
static void test_prime_sysmem(void)
{
	struct client a, b;
	struct vgpu_drm_bo shared, imported;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_pkt_surface shared_surface = surface(VA_SYS), dst = surface(VA_DST);
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;
	int dmabuf = -1;

	client_open(&a);
	client_open(&b);
	sysmem_bo_setup(a.fd, &shared, VA_SYS);
	vgpu_drm_cmdstream_init(&cs, &a.ib);
	vgpu_pkt_fill(&cs.cb, &shared_surface, 0, 0, SIDE, SIDE, 0x22222222);
	vgpu_pkt_fill(&cs.cb, &shared_surface, 4, 4, 8, 8, 0x0a0b0c0d);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &shared, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(a.fd, &job, &result), 0);
	VT_CHECK_EQ_INT(wait_job(result.fence_fd), 1);

	VT_CHECK_EQ_INT(prime_export(a.fd, shared.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf), 0);
	VT_CHECK(dmabuf >= 0);
	imported = (struct vgpu_drm_bo){0};
	VT_CHECK_EQ_INT(prime_import(b.fd, dmabuf, &imported.handle), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(b.fd, &imported), 0);
	VT_CHECK_EQ_U64(imported.size, SURFACE_BYTES);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(b.fd, &imported, VA_SYS, 0), 0);
	/* Importing into the exporting file gives back the same handle. */
	uint32_t again = 0;
	VT_CHECK_EQ_INT(prime_import(a.fd, dmabuf, &again), 0);
	VT_CHECK_EQ_U64(again, shared.handle);

	vgpu_drm_cmdstream_init(&cs, &b.ib);
	vgpu_pkt_fill(&cs.cb, &dst, 0, 0, SIDE, SIDE, 0);
	vgpu_pkt_copy(&cs.cb, &shared_surface, 0, 0, &dst, 0, 0, SIDE, SIDE);
	vgpu_pkt_fill(&cs.cb, &shared_surface, 40, 40, 4, 4, 0x33333333);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &imported, true);
	vgpu_drm_job_add_bo(&job, &b.dst, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(b.fd, &job, &result), 0);
	VT_CHECK_EQ_INT(wait_job(result.fence_fd), 1);
	VT_CHECK_EQ_INT(count_pixels(&b.dst, 0x0a0b0c0d), 8 * 8);
	VT_CHECK_EQ_INT(count_pixels(&b.dst, 0x22222222), SIDE * SIDE - 8 * 8);
	VT_CHECK_EQ_U64(pixel(&b.dst, 4, 4), 0x0a0b0c0d);
	VT_CHECK_EQ_INT(count_pixels(&shared, 0x33333333), 4 * 4);
	VT_CHECK_EQ_U64(pixel(&shared, 40, 40), 0x33333333);
	const volatile uint32_t *dmabuf_map = mmap(NULL, SURFACE_BYTES, PROT_READ, MAP_SHARED, dmabuf, 0);
	VT_CHECK(dmabuf_map != MAP_FAILED);
	if (dmabuf_map != MAP_FAILED) {
		VT_CHECK_EQ_U64(dmabuf_map[43 * SIDE + 43], 0x33333333);
		munmap((void *)dmabuf_map, SURFACE_BYTES);
	}

	/* Errors: unknown flags, unknown handle, a VRAM object, a closed fd, an fd that is no dma-buf. */
	int unused = -1;
	VT_CHECK_EQ_INT(prime_export(a.fd, shared.handle, 0x100, &unused), -EINVAL);
	VT_CHECK_EQ_INT(prime_export(a.fd, 0xdead, DRM_CLOEXEC, &unused), -ENOENT);
	VT_CHECK_EQ_INT(prime_export(a.fd, a.dst.handle, DRM_CLOEXEC, &unused), -EOPNOTSUPP);
	uint32_t handle = 0;
	VT_CHECK_EQ_INT(prime_import(b.fd, -1, &handle), -EBADF);
	VT_CHECK_EQ_INT(prime_import(b.fd, a.fd, &handle), -EINVAL);

	close(dmabuf);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(b.fd, &imported), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(a.fd, &shared), 0);
	client_close(&b);
	client_close(&a);
}

/* A dma-buf of another device: a vgem dumb buffer (guest_submit.sh loads vgem) written by the CPU is
 * imported, bound and COPYed into VRAM by a job, which also FILLs a square of it that the CPU then sees
 * through vgem's mapping. */
static void test_prime_import_other_device(void)
{
	struct client c;
	struct vgpu_drm_bo imported = {0};
	struct vgpu_drm_cmdstream cs;
	struct vgpu_pkt_surface foreign = surface(VA_SYS), dst = surface(VA_DST);
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result;

	int vgem = vgpu_drm_open_node("card", "vgem");
	VT_CHECK(vgem >= 0);
	if (vgem < 0)
		return;
	struct drm_mode_create_dumb dumb = {.width = SIDE, .height = SIDE, .bpp = 32};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb), 0);
	VT_CHECK_EQ_U64(dumb.pitch, PITCH);
	struct drm_mode_map_dumb map = {.handle = dumb.handle};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &map), 0);
	volatile uint32_t *vgem_map =
	        mmap(NULL, SURFACE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, vgem, (off_t)map.offset);
	VT_CHECK(vgem_map != MAP_FAILED);
	if (vgem_map == MAP_FAILED)
		return;
	for (int y = 0; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++)
			vgem_map[y * SIDE + x] = pattern(x, y);
	int dmabuf = -1;
	VT_CHECK_EQ_INT(prime_export(vgem, dumb.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf), 0);

	client_open(&c);
	VT_CHECK_EQ_INT(prime_import(c.fd, dmabuf, &imported.handle), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(c.fd, &imported, VA_SYS, 0), 0);
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	vgpu_pkt_copy(&cs.cb, &foreign, 0, 0, &dst, 0, 0, SIDE, SIDE);
	vgpu_pkt_fill(&cs.cb, &foreign, 10, 20, 5, 6, 0x44444444);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &imported, true);
	vgpu_drm_job_add_bo(&job, &c.dst, true);
	vgpu_drm_job_want_fence_fd(&job);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(c.fd, &job, &result), 0);
	VT_CHECK_EQ_INT(wait_job(result.fence_fd), 1);
	int mismatches = 0, filled = 0;
	for (int y = 0; y < SIDE; y++)
		for (int x = 0; x < SIDE; x++) {
			mismatches += pixel(&c.dst, x, y) != pattern(x, y);
			filled += vgem_map[y * SIDE + x] == 0x44444444;
		}
	VT_CHECK_EQ_INT(mismatches, 0);
	VT_CHECK_EQ_INT(filled, 5 * 6);
	VT_CHECK_EQ_U64(vgem_map[20 * SIDE + 10], 0x44444444);
	VT_CHECK_EQ_U64(vgem_map[19 * SIDE + 10], pattern(10, 19));

	munmap((void *)vgem_map, SURFACE_BYTES);
	close(dmabuf);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c.fd, &imported), 0);
	client_close(&c);
	close(vgem);
}

static const struct vt_case cases[] = {
        VT_CASE(test_fill_and_copy),
        VT_CASE(test_wait_bo),
        VT_CASE(test_syncobj_chain),
        VT_CASE(test_sync_file),
        VT_CASE(test_two_clients_concurrent),
        VT_CASE(test_fault_isolated),
        VT_CASE(test_scanout_waits_for_rendering),
        VT_CASE(test_error_paths),
        VT_CASE(test_sysmem_fill_and_copy),
        VT_CASE(test_prime_sysmem),
        VT_CASE(test_prime_import_other_device),
};

static const struct vt_case reset_cases[] = {
        VT_CASE(test_hang_reset),
};

/* Run on a driver loaded with watchdog=16 (2^20 work units per ring packet): a 2048x1024 fill exceeds
 * the budget, the device abandons the IB with a WATCHDOG fault, the job fails with EIO and its client
 * sees the fault; a job within the budget then succeeds. */
static void test_watchdog_fault(void)
{
	struct client c;
	struct vgpu_drm_bo big;
	struct vgpu_drm_cmdstream cs;
	struct drm_vgpu_get_fault fault = {0};
	uint64_t seqno = 0;

	client_open(&c);
	bo_setup(c.fd, &big, 8 << 20, 0x10000000);
	struct vgpu_pkt_surface big_surface = {
	        .va = 0x10000000, .pitch = 2048 * 4, .format = VGPU_FORMAT_B8G8R8A8_UNORM};
	vgpu_drm_cmdstream_init(&cs, &c.ib);
	vgpu_pkt_fill(&cs.cb, &big_surface, 0, 0, 2048, 1024, 0x77777777);
	VT_CHECK_EQ_INT(run_job(&c, &cs, &seqno), -EIO);
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(c.fd, DRM_IOCTL_VGPU_GET_FAULT, &fault), 0);
	VT_CHECK_EQ_INT(fault.count, 1);
	VT_CHECK_EQ_U64(fault.type, VGPU_FAULT_WATCHDOG);
	VT_CHECK_EQ_U64(fault.seqno, seqno);

	vgpu_drm_cmdstream_init(&cs, &c.ib);
	emit_clear_and_fill(&cs, 0, 0x08090a0b);
	VT_CHECK_EQ_INT(run_job(&c, &cs, NULL), 1);
	VT_CHECK_EQ_INT(count_pixels(&c.src, 0x08090a0b), 16 * 16);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(c.fd, &big), 0);
	client_close(&c);
}

static const struct vt_case watchdog_cases[] = {
        VT_CASE(test_watchdog_fault),
};

static const struct vt_case unplug_cases[] = {
        VT_CASE(test_hot_unplug_while_running),
};

int main(int argc, char **argv)
{
	int fd = open_vgpu_render_node();
	if (fd < 0) {
		fprintf(stderr,
		        "vgpu_submit_test: no /dev/dri/renderD* is driven by vgpu; is vgpu.ko loaded?\n");
		return 1;
	}
	close(fd);
	/* The runs that need a driver loaded with other parameters, or that replace the device. */
	static const struct {
		const char *option;
		const struct vt_case *cases;
		size_t count;
	} runs[] = {
	        {"--reset", reset_cases, VT_COUNT(reset_cases)},
	        {"--watchdog", watchdog_cases, VT_COUNT(watchdog_cases)},
	        {"--unplug", unplug_cases, VT_COUNT(unplug_cases)},
	};
	for (size_t i = 0; argc > 1 && i < VT_COUNT(runs); i++)
		if (strcmp(argv[1], runs[i].option) == 0)
			return vt_main(runs[i].cases, runs[i].count, argc - 1, argv + 1);
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
