// SPDX-License-Identifier: MIT
/* Guest test of vgpu.ko against clients that try to hurt the kernel (issue 18, items 9-12): an
 * UNMAP racing a SUBMIT of the same buffer (an ABBA deadlock), an unpin interrupted by a signal while
 * the buffer's reservation is contended (a leaked pin), the limit on pinned system memory, and
 * syncobj ioctls with huge counts. With --pin-limit (a driver loaded with pinned_sysmem_limit_mb=4)
 * the limit's exact edges. Runs in the guest (guest_submit.sh); jobs are held back by a vgem fence
 * (guest_submit.sh loads vgem), so the races are set up by the test, not left to timing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "vgpu_drm_client.h"
#include "vgpu_test.h"

#define VA_IB      0x100000ull
#define VA_SHARED  0x200000ull
#define VA_OTHER   0x300000ull
#define BO_BYTES   (64 * 1024)
#define JOIN_LIMIT 10 /* seconds a thread may take once nothing holds it back any more */

/* vgem's fence ioctls (include/uapi/drm/vgem_drm.h of the kernel; libdrm ships no header). */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags; /* 1: a write fence */
	uint32_t out_fence;
	uint32_t pad;
};
struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define VGEM_IOCTL_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 2, struct vgem_fence_signal)

/* A fence the test signals when it wants: a vgem buffer's write fence, as a sync_file. */
struct gate {
	int vgem;
	uint32_t fence;
	int sync_file;
};

static void gate_open(struct gate *g)
{
	g->vgem = vgpu_drm_open_node("card", "vgem");
	g->sync_file = -1;
	VT_CHECK(g->vgem >= 0);
	if (g->vgem < 0)
		return;
	struct drm_mode_create_dumb dumb = {.width = 16, .height = 16, .bpp = 32};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(g->vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb), 0);
	struct vgem_fence_attach attach = {.handle = dumb.handle, .flags = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(g->vgem, VGEM_IOCTL_FENCE_ATTACH, &attach), 0);
	g->fence = attach.out_fence;
	struct drm_prime_handle prime = {.handle = dumb.handle, .flags = DRM_CLOEXEC, .fd = -1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(g->vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime), 0);
	struct dma_buf_export_sync_file export = {.flags = DMA_BUF_SYNC_RW, .fd = -1};
	VT_CHECK_EQ_INT(ioctl(prime.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &export), 0);
	close(prime.fd);
	g->sync_file = export.fd;
}

static void gate_open_now(struct gate *g)
{
	struct vgem_fence_signal sig = {.fence = g->fence};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(g->vgem, VGEM_IOCTL_FENCE_SIGNAL, &sig), 0);
}

static void gate_close(struct gate *g)
{
	if (g->sync_file >= 0)
		close(g->sync_file);
	if (g->vgem >= 0)
		close(g->vgem);
}

static void bo_setup(int fd, struct vgpu_drm_bo *bo, uint64_t va)
{
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, bo), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, bo), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, bo, va, 0), 0);
}

/* Submits a job of one NOP in ib, using bo (if any) for writing and waiting for in_fence (if >= 0);
 * returns the SUBMIT's result, the job's sync_file in *fence_fd. */
static int submit_nop(int fd, struct vgpu_drm_bo *ib, struct vgpu_drm_bo *bo, int in_fence, int *fence_fd)
{
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result = {.fence_fd = -1};

	vgpu_drm_cmdstream_init(&cs, ib);
	vgpu_pkt_nop(&cs.cb, 0);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	if (bo)
		vgpu_drm_job_add_bo(&job, bo, true);
	if (in_fence >= 0)
		vgpu_drm_job_wait_fence_fd(&job, in_fence);
	vgpu_drm_job_want_fence_fd(&job);
	int ret = vgpu_drm_job_submit(fd, &job, &result);
	*fence_fd = result.fence_fd;
	return ret;
}

static void wait_fence(int fence_fd)
{
	int status = 0;
	VT_CHECK_EQ_INT(vgpu_drm_fence_fd_wait(fence_fd, 20000, &status), 0);
	VT_CHECK_EQ_INT(status, 1);
	close(fence_fd);
}

/* A thread running one ioctl, whose end the test can wait for with a limit. */
struct call {
	pthread_t thread;
	pid_t tid;
	int fd;
	unsigned long request;
	void *arg;
	int ret;
	volatile int started;
	bool joined;
};

static void *call_run(void *arg)
{
	struct call *c = arg;
	c->tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	c->ret = ioctl(c->fd, c->request, c->arg) ? -errno : 0;
	return NULL;
}

static void call_start(struct call *c)
{
	c->started = 0;
	VT_CHECK_EQ_INT(pthread_create(&c->thread, NULL, call_run, c), 0);
	while (!__atomic_load_n(&c->started, __ATOMIC_ACQUIRE))
		usleep(1000);
}

/* Waits until the thread sleeps inside the ioctl (state S or D, in syscall 16), up to 5 s. */
static bool call_blocked(const struct call *c)
{
	char path[64], buf[256];
	for (int tries = 0; tries < 500; tries++) {
		usleep(10000);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", c->tid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		const char *state = strrchr(buf, ')');
		if (!state || (state[2] != 'S' && state[2] != 'D'))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", c->tid);
		f = fopen(path, "r");
		if (!f)
			continue;
		int nr = -1;
		if (fscanf(f, "%d", &nr) != 1)
			nr = -1;
		fclose(f);
		if (nr == SYS_ioctl)
			return true;
	}
	return false;
}

/* Joins the thread if it ends within `seconds`. */
static bool call_join(struct call *c, int seconds)
{
	struct timespec limit;
	if (c->joined)
		return true;
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += seconds;
	c->joined = pthread_timedjoin_np(c->thread, NULL, &limit) == 0;
	return c->joined;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A stuck thread (the bug being tested) is freed by signals: the old driver's unpin gave up on a
 * signal, so the test ends instead of hanging; it has failed by then. */
static void call_join_or_free(struct call *c)
{
	for (int i = 0; i < 100; i++) {
		if (call_join(c, 1))
			return;
		pthread_kill(c->thread, SIGUSR1);
	}
	vt_fail(__FILE__, __LINE__, "thread %d still stuck in its ioctl", c->tid);
}

/* Kernel warnings (WARNING:, BUG:) in the kernel log so far. */
static int kernel_warnings(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (size <= 0)
		return -1;
	char *log = malloc((size_t)size + 1);
	if (!log)
		return -1;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, size), count = 0;
	log[n > 0 ? n : 0] = 0;
	for (const char *p = log; (p = strstr(p, "WARNING:")) != NULL; p++)
		count++;
	for (const char *p = log; (p = strstr(p, "BUG:")) != NULL; p++)
		count++;
	free(log);
	return count;
}

/* The driver's count of buffers pinned for the GPU (debugfs "submission"), -1 if it has none. */
static int gpu_pins(int fd)
{
	struct stat st;
	char path[80], line[128];
	int pins = -1;

	if (fstat(fd, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/submission", minor(st.st_rdev) % 64);
	if (access(path, R_OK))
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "buffers pinned for the GPU %d", &pins) == 1)
			break;
	fclose(f);
	return pins;
}

static struct drm_vgpu_vm_bind unmap_args(uint64_t va)
{
	return (struct drm_vgpu_vm_bind){.op = DRM_VGPU_VM_BIND_UNMAP, .va = va};
}

/*
 * The file's holder: a job held back by a gate, and a thread whose UNMAP (of `unmap_va`) waits for it
 * with the file's submit lock held; then a thread whose SUBMIT of `contended` holds that buffer's
 * reservation and waits for the submit lock. Returns with both threads asleep in their ioctls.
 */
struct holder {
	struct gate gate;
	int job_fence;
	struct drm_vgpu_vm_bind unmap;
	struct drm_vgpu_submit submit;
	struct vgpu_drm_job job;
	struct call unmapper, submitter;
};

static void holder_start(struct holder *h, int fd, struct vgpu_drm_bo *ib, struct vgpu_drm_bo *contended,
                         uint64_t unmap_va)
{
	gate_open(&h->gate);
	VT_CHECK_EQ_INT(submit_nop(fd, ib, NULL, h->gate.sync_file, &h->job_fence), 0);
	h->unmap = unmap_args(unmap_va);
	h->unmapper = (struct call){.fd = fd, .request = DRM_IOCTL_VGPU_VM_BIND, .arg = &h->unmap};
	call_start(&h->unmapper);
	VT_CHECK(call_blocked(&h->unmapper));

	struct vgpu_drm_cmdstream cs;
	vgpu_drm_cmdstream_init(&cs, ib);
	vgpu_pkt_nop(&cs.cb, 0);
	vgpu_drm_job_init(&h->job);
	vgpu_drm_job_add_cmdstream(&h->job, &cs);
	vgpu_drm_job_add_bo(&h->job, contended, true);
	h->submit = (struct drm_vgpu_submit){
	        .cmdbufs = (uintptr_t)h->job.cmdbufs,
	        .cmdbuf_count = h->job.cmdbuf_count,
	        .bos = (uintptr_t)h->job.bos,
	        .bo_count = h->job.bo_count,
	};
	h->submitter = (struct call){.fd = fd, .request = DRM_IOCTL_VGPU_SUBMIT, .arg = &h->submit};
	call_start(&h->submitter);
	VT_CHECK(call_blocked(&h->submitter));
}

static void holder_finish(struct holder *h)
{
	call_join_or_free(&h->unmapper);
	call_join_or_free(&h->submitter);
	wait_fence(h->job_fence);
	gate_close(&h->gate);
}

/* Item 9: UNMAP of a buffer waits for the file's jobs under the submit lock, while a SUBMIT listing
 * that buffer holds its reservation and waits for the submit lock. Both must finish once the job
 * does; the driver used to unpin under the submit lock: an ABBA deadlock. */
static void test_unmap_races_submit(void)
{
	int fd = vgpu_drm_open_node("renderD", "vgpu");
	struct vgpu_drm_bo ib, shared;
	struct holder h;

	int warnings = kernel_warnings();
	VT_CHECK(fd >= 0);
	bo_setup(fd, &ib, VA_IB);
	bo_setup(fd, &shared, VA_SHARED);
	holder_start(&h, fd, &ib, &shared, VA_SHARED);
	gate_open_now(&h.gate);
	bool unmapped = call_join(&h.unmapper, JOIN_LIMIT);
	bool submitted = call_join(&h.submitter, JOIN_LIMIT);
	VT_CHECK(unmapped);
	VT_CHECK(submitted);
	if (!unmapped || !submitted)
		printf("# deadlock: UNMAP %s, SUBMIT %s\n", unmapped ? "done" : "stuck",
		       submitted ? "done" : "stuck");
	if (unmapped)
		VT_CHECK_EQ_INT(h.unmapper.ret, 0);
	if (submitted)
		VT_CHECK_EQ_INT(h.submitter.ret, 0);
	holder_finish(&h);
	shared.va = 0;
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &shared), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &ib), 0);
	close(fd);
	VT_CHECK_EQ_INT(kernel_warnings(), warnings);
}

/* Item 10: a buffer shared by two files (flink on the card node). File 1 holds its reservation (a
 * SUBMIT waiting for file 1's submit lock); file 2 unmaps it, and its unpin waits for the
 * reservation while signals arrive. The unpin must not be skipped: a leaked pin makes the last put
 * warn in ttm_bo_release (guest_submit.sh checks dmesg and the pin counter in debugfs). */
static void test_unpin_interrupted(void)
{
	int fd1 = vgpu_drm_open_node("card", "vgpu");
	int fd2 = vgpu_drm_open_node("card", "vgpu");
	struct vgpu_drm_bo ib, shared, other, shared2 = {0};
	struct holder h;

	int warnings = kernel_warnings();
	VT_CHECK(fd1 >= 0 && fd2 >= 0);
	bo_setup(fd1, &ib, VA_IB);
	bo_setup(fd1, &shared, VA_SHARED);
	bo_setup(fd1, &other, VA_OTHER);
	struct drm_gem_flink flink = {.handle = shared.handle};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd1, DRM_IOCTL_GEM_FLINK, &flink), 0);
	struct drm_gem_open open_args = {.name = flink.name};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd2, DRM_IOCTL_GEM_OPEN, &open_args), 0);
	shared2.handle = open_args.handle;
	shared2.size = open_args.size;
	int pins = gpu_pins(fd1);
	VT_CHECK(pins >= 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd2, &shared2, VA_SHARED, 0), 0);

	holder_start(&h, fd1, &ib, &shared, VA_OTHER);
	struct drm_vgpu_vm_bind unmap = unmap_args(VA_SHARED);
	struct call unpinner = {.fd = fd2, .request = DRM_IOCTL_VGPU_VM_BIND, .arg = &unmap};
	call_start(&unpinner);
	VT_CHECK(call_blocked(&unpinner));
	for (int i = 0; i < 10; i++) {
		pthread_kill(unpinner.thread, SIGUSR1);
		usleep(20000);
	}
	gate_open_now(&h.gate);
	call_join_or_free(&unpinner);
	VT_CHECK(unpinner.ret == 0 || unpinner.ret == -EINTR);
	holder_finish(&h);
	if (unpinner.ret == -EINTR) /* not unmapped: the retry must succeed */
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd2, DRM_IOCTL_VGPU_VM_BIND, &unmap), 0);
	/* The holder's unmap and file 2's are undone: back to the pins before file 2's bind, less
	 * the holder's buffer. */
	VT_CHECK_EQ_INT(gpu_pins(fd1), pins - 1);

	struct drm_gem_close close_args = {.handle = shared2.handle};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd2, DRM_IOCTL_GEM_CLOSE, &close_args), 0);
	other.va = 0;
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd1, &other), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd1, &shared), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd1, &ib), 0);
	close(fd2);
	close(fd1);
	/* A leaked pin warns in ttm_bo_release() when the buffer is freed, just now. */
	VT_CHECK_EQ_INT(kernel_warnings(), warnings);
}

static int bind_va(int fd, uint32_t handle, uint64_t va)
{
	struct drm_vgpu_vm_bind args = {.op = DRM_VGPU_VM_BIND_MAP, .handle = handle, .va = va};
	return vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &args);
}

static int unbind_va(int fd, uint64_t va)
{
	struct drm_vgpu_vm_bind args = unmap_args(va);
	return vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &args);
}

static uint32_t sysmem_create(int fd, uint64_t size)
{
	struct drm_vgpu_gem_create args = {.size = size, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &args), 0);
	return args.handle;
}

/* Item 11, the default limit: one file may pin half the guest's RAM. A system-memory object just
 * larger is refused with ENOSPC by VM_BIND before any page is allocated. */
static void test_pin_limit_default(void)
{
	struct sysinfo info;
	int fd = vgpu_drm_open_node("renderD", "vgpu");

	VT_CHECK(fd >= 0);
	VT_CHECK_EQ_INT(sysinfo(&info), 0);
	uint64_t half = (uint64_t)info.totalram * info.mem_unit / 2;
	uint32_t big = sysmem_create(fd, (half & ~0xfffull) + 0x1000);
	VT_CHECK_EQ_INT(bind_va(fd, big, 0x40000000), -ENOSPC);
	struct drm_gem_close close_args = {.handle = big};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args), 0);
	close(fd);
}

/* Item 11 on a driver loaded with pinned_sysmem_limit_mb=4: two 2 MiB objects fill a file's budget
 * exactly, one more page is refused, unmapping gives the budget back, every file has its own, and
 * VRAM objects do not count. */
static void test_pin_limit_edges(void)
{
	int fd = vgpu_drm_open_node("renderD", "vgpu");
	int other = vgpu_drm_open_node("renderD", "vgpu");

	VT_CHECK(fd >= 0 && other >= 0);
	uint32_t a = sysmem_create(fd, 2 << 20), b = sysmem_create(fd, 2 << 20);
	uint32_t page = sysmem_create(fd, 4096);
	VT_CHECK_EQ_INT(bind_va(fd, a, 0x1000000), 0);
	VT_CHECK_EQ_INT(bind_va(fd, b, 0x2000000), 0);
	VT_CHECK_EQ_INT(bind_va(fd, page, 0x3000000), -ENOSPC);
	/* The same object mapped twice pins it twice. */
	VT_CHECK_EQ_INT(bind_va(fd, a, 0x4000000), -ENOSPC);
	struct vgpu_drm_bo vram;
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, 1 << 20, &vram), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &vram, 0x5000000, 0), 0);
	VT_CHECK_EQ_INT(unbind_va(fd, 0x1000000), 0);
	VT_CHECK_EQ_INT(bind_va(fd, page, 0x3000000), 0);
	VT_CHECK_EQ_INT(bind_va(fd, a, 0x1000000), -ENOSPC);
	uint32_t c = sysmem_create(other, 4 << 20);
	VT_CHECK_EQ_INT(bind_va(other, c, 0x1000000), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &vram), 0);
	close(other);
	close(fd);
}

/* Item 12: the DRM core allocates count_handles entries before looking at any; vgpu refuses counts
 * above DRM_VGPU_SYNCOBJ_MAX_HANDLES with EINVAL so a huge count cannot make the page allocator
 * warn (the dmesg check of guest_submit.sh). */
static void test_syncobj_huge_counts(void)
{
	int fd = vgpu_drm_open_node("renderD", "vgpu");
	uint32_t handle = 0;

	int warnings = kernel_warnings();
	VT_CHECK(fd >= 0);
	VT_CHECK_EQ_INT(drmSyncobjCreate(fd, 0, &handle), 0);
	uint64_t handles = (uintptr_t)&handle, points = 0;
	uint32_t counts[] = {DRM_VGPU_SYNCOBJ_MAX_HANDLES + 1, 1u << 24, 0x7fffffffu, 0xffffffffu};
	for (size_t i = 0; i < VT_COUNT(counts); i++) {
		struct drm_syncobj_wait wait = {.handles = handles, .count_handles = counts[i]};
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &wait), -EINVAL);
		struct drm_syncobj_timeline_wait twait = {
		        .handles = handles, .points = (uintptr_t)&points, .count_handles = counts[i]};
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &twait), -EINVAL);
		struct drm_syncobj_timeline_array query = {
		        .handles = handles, .points = (uintptr_t)&points, .count_handles = counts[i]};
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &query), -EINVAL);
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &query), -EINVAL);
		struct drm_syncobj_array array = {.handles = handles, .count_handles = counts[i]};
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &array), -EINVAL);
		VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &array), -EINVAL);
	}
	/* At the limit the core answers as usual: handle 0 names no syncobj. */
	uint32_t *zeros = calloc(DRM_VGPU_SYNCOBJ_MAX_HANDLES, sizeof(*zeros));
	VT_CHECK(zeros != NULL);
	struct drm_syncobj_array array = {.handles = (uintptr_t)zeros,
	                                  .count_handles = DRM_VGPU_SYNCOBJ_MAX_HANDLES};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &array), -ENOENT);
	free(zeros);
	struct drm_syncobj_timeline_array query = {
	        .handles = handles, .points = (uintptr_t)&points, .count_handles = 1};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &query), 0);
	VT_CHECK_EQ_INT(drmSyncobjDestroy(fd, handle), 0);
	close(fd);
	VT_CHECK_EQ_INT(kernel_warnings(), warnings);
}

static const struct vt_case cases[] = {
        VT_CASE(test_unmap_races_submit),
        VT_CASE(test_unpin_interrupted),
        VT_CASE(test_pin_limit_default),
        VT_CASE(test_syncobj_huge_counts),
};

static const struct vt_case pin_limit_cases[] = {
        VT_CASE(test_pin_limit_edges),
};

int main(int argc, char **argv)
{
	/* Without SA_RESTART: a signal interrupts a sleeping ioctl, as an attacker's would. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGUSR1, &sa, NULL);
	if (argc > 1 && strcmp(argv[1], "--pin-limit") == 0)
		return vt_main(pin_limit_cases, VT_COUNT(pin_limit_cases), argc - 1, argv + 1);
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
