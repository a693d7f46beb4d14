// SPDX-License-Identifier: MIT
/* The ioctl fuzzer of vgpu.ko, run in the guest (guest_submit.sh): several processes (one forked
 * from another now and then), each with threads sharing a table of DRM files, call every ioctl of
 * the UAPI (and the core's GEM, PRIME and syncobj ioctls) with random and boundary arguments, close
 * files and handles while their jobs run, mmap buffers, and interrupt each other with signals.
 * Seeded: each thread's sequence of calls follows from --seed (the interleaving of threads does not).
 * Command buffers hold 2D and memory packets with small sizes and random addresses, and random
 * garbage: no 3D work, whose cost the device does not bound yet (issue 18, items 7-8).
 * Output: TAP, one point per process (it ended, by the deadline) and its counts. Whether the kernel
 * stayed healthy (dmesg, leak counters in debugfs) is checked by guest_submit.sh afterwards.
 * Usage: vgpu_ioctl_fuzz [--seconds N] [--seed S] */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "vgpu_drm_client.h"

#define PROCESSES 3
#define THREADS   3
#define FILES     4
#define HANDLES   16

struct rng {
	uint64_t state;
};

/* splitmix64: small, and the same sequence for the same seed everywhere. */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rnd(r) % n);
}

/* A boundary value or a random one, for sizes, counts and addresses. */
static uint64_t edge64(struct rng *r)
{
	static const uint64_t edges[] = {0,          1,
	                                 4095,       4096,
	                                 4097,       65536,
	                                 1u << 20,   16u << 20,
	                                 1ull << 31, 1ull << 32,
	                                 1ull << 39, (1ull << 39) - 4096,
	                                 UINT64_MAX, UINT64_MAX - 4095,
	                                 INT64_MAX};
	switch (below(r, 3)) {
	case 0:
		return edges[below(r, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return rnd(r);
	default:
		return (uint64_t)below(r, 64) << 12;
	}
}

static uint32_t edge32(struct rng *r)
{
	static const uint32_t edges[] = {0,    1,    2,     16,    17,         256,       257,
	                                 4096, 4097, 16384, 16385, 0x7fffffff, 0xffffffff};
	return below(r, 2) ? edges[below(r, sizeof(edges) / sizeof(edges[0]))] : (uint32_t)rnd(r);
}

/* What the threads of one process share: DRM files, and per file the handles it made. */
struct file_slot {
	int fd; /* -1: free */
	uint32_t handles[HANDLES];
	uint32_t syncobjs[HANDLES];
};

static struct file_slot files[FILES];
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec deadline;
static unsigned long calls, calls_ok;

static bool past_deadline(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

/* A file (possibly closed since: the ioctl then fails, or reaches a file opened in its place). */
static int pick_fd(struct rng *r, struct file_slot **slot)
{
	*slot = &files[below(r, FILES)];
	return __atomic_load_n(&(*slot)->fd, __ATOMIC_RELAXED);
}

static uint32_t pick_handle(struct rng *r, const struct file_slot *s)
{
	return below(r, 4) ? s->handles[below(r, HANDLES)] : edge32(r);
}

static uint32_t pick_syncobj(struct rng *r, const struct file_slot *s)
{
	return below(r, 4) ? s->syncobjs[below(r, HANDLES)] : edge32(r);
}

static void fuzz_ioctl(int fd, unsigned long request, void *arg)
{
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (ioctl(fd, request, arg) == 0)
		__atomic_add_fetch(&calls_ok, 1, __ATOMIC_RELAXED);
}

static void op_open_close(struct rng *r)
{
	struct file_slot *s = &files[below(r, FILES)];
	int old, fd = vgpu_drm_open_node(below(r, 4) ? "renderD" : "card", "vgpu");

	pthread_mutex_lock(&files_lock);
	old = s->fd;
	s->fd = fd < 0 ? -1 : fd;
	memset(s->handles, 0, sizeof(s->handles));
	memset(s->syncobjs, 0, sizeof(s->syncobjs));
	pthread_mutex_unlock(&files_lock);
	/* Its jobs may still run: the driver must wait for them, not the program. */
	if (old >= 0)
		close(old);
}

static void op_gem_create(struct rng *r, int fd, struct file_slot *s)
{
	struct drm_vgpu_gem_create args = {
	        .size = below(r, 3) ? (below(r, 64) + 1) << 12 : edge64(r),
	        .flags = below(r, 4) ? (below(r, 2) ? DRM_VGPU_GEM_CREATE_SYSMEM : 0) : edge32(r),
	};
	fuzz_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &args);
	s->handles[below(r, HANDLES)] = args.handle;
}

static void op_vm_bind(struct rng *r, int fd, struct file_slot *s)
{
	struct drm_vgpu_vm_bind args = {
	        .op = below(r, 8) ? 1 + below(r, 2) : edge32(r),
	        .handle = pick_handle(r, s),
	        .va = below(r, 2) ? (uint64_t)below(r, 8) << 20 : edge64(r),
	        .flags = below(r, 4) ? 0 : edge32(r),
	        .pad = below(r, 16) ? 0 : edge32(r),
	};
	if (args.op == DRM_VGPU_VM_BIND_UNMAP && below(r, 4))
		args.handle = 0;
	fuzz_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &args);
}

/* Command buffers: 2D and memory packets at small sizes and random addresses, or garbage. */
static uint32_t fill_ib(struct rng *r, uint32_t *words, uint32_t max)
{
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, max);
	uint32_t packets = 1 + below(r, 8);

	for (uint32_t i = 0; i < packets && cb.count + 32 < max; i++) {
		struct vgpu_pkt_surface a = {.va = (uint64_t)below(r, 8) << 20,
		                             .pitch = 4 * (1 + below(r, 256)),
		                             .format = below(r, 8)};
		struct vgpu_pkt_surface b = {.va = below(r, 4) ? (uint64_t)below(r, 8) << 20 : edge64(r),
		                             .pitch = below(r, 4) ? 4 * (1 + below(r, 256)) : edge32(r),
		                             .format = below(r, 8)};
		uint32_t data[4] = {edge32(r), edge32(r), edge32(r), edge32(r)};
		switch (below(r, 6)) {
		case 0:
			vgpu_pkt_nop(&cb, below(r, 4));
			break;
		case 1:
			vgpu_pkt_fill(&cb, below(r, 2) ? &a : &b, below(r, 300), below(r, 300), below(r, 128),
			              below(r, 128), edge32(r));
			break;
		case 2:
			vgpu_pkt_copy(&cb, &a, below(r, 64), below(r, 64), &b, below(r, 64), below(r, 64),
			              below(r, 64), below(r, 64));
			break;
		case 3:
			vgpu_pkt_write_data(&cb, b.va, data, 1 + below(r, 4));
			break;
		case 4:
			vgpu_pkt_timestamp(&cb, b.va);
			break;
		default:
			for (uint32_t n = below(r, 8); n > 0 && cb.count < max; n--)
				words[cb.count++] = (uint32_t)rnd(r);
			break;
		}
	}
	return cb.count;
}

static void op_submit(struct rng *r, int fd, struct file_slot *s)
{
	struct drm_vgpu_cmdbuf cmdbufs[DRM_VGPU_SUBMIT_MAX_CMDBUFS + 1];
	struct drm_vgpu_submit_bo bos[8];
	struct drm_vgpu_sync in[4], out[4];
	struct drm_vgpu_submit args = {0};

	/* An IB: a fresh system-memory object, written by the CPU and bound at 0x700000 (the bind fails
	 * when something is there already: the IB's address then names whatever is). */
	struct vgpu_drm_bo ib = {0};
	struct drm_vgpu_gem_create create = {.size = 4096, .flags = DRM_VGPU_GEM_CREATE_SYSMEM};
	uint32_t ib_dwords = 0;
	if (vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &create) == 0) {
		ib.handle = create.handle;
		ib.size = 4096;
		if (vgpu_drm_bo_map(fd, &ib) == 0) {
			ib_dwords = fill_ib(r, ib.map, 1024);
			munmap(ib.map, ib.size);
		}
		vgpu_drm_bo_bind(fd, &ib, 0x700000, 0);
		s->handles[below(r, HANDLES)] = ib.handle;
	}
	uint32_t n = 1 + below(r, 3);
	for (uint32_t i = 0; i < n; i++)
		cmdbufs[i] = (struct drm_vgpu_cmdbuf){
		        .va = below(r, 4) ? 0x700000 : edge64(r),
		        .size_dwords = below(r, 4) ? (ib_dwords ? ib_dwords : 1) : edge32(r),
		        .pad = below(r, 32) ? 0 : 1,
		};
	args.cmdbufs = (uintptr_t)cmdbufs;
	args.cmdbuf_count = below(r, 16) ? n : edge32(r);
	uint32_t bo_count = below(r, 9);
	for (uint32_t i = 0; i < bo_count; i++)
		bos[i] = (struct drm_vgpu_submit_bo){.handle = pick_handle(r, s),
		                                     .flags = below(r, 8) ? below(r, 2) : edge32(r)};
	args.bos = below(r, 32) ? (uintptr_t)bos : edge64(r);
	args.bo_count = below(r, 16) ? bo_count : edge32(r);
	for (int i = 0; i < 4; i++) {
		in[i] = (struct drm_vgpu_sync){.handle = pick_syncobj(r, s),
		                               .point = below(r, 2) ? below(r, 4) : 0};
		out[i] = (struct drm_vgpu_sync){.handle = pick_syncobj(r, s),
		                                .point = below(r, 2) ? below(r, 4) : 0};
	}
	args.in_syncs = (uintptr_t)in;
	args.in_sync_count = below(r, 8) ? below(r, 2) : edge32(r);
	args.out_syncs = (uintptr_t)out;
	args.out_sync_count = below(r, 4) ? below(r, 5) : edge32(r);
	args.flags = below(r, 4) ? below(r, 4) : edge32(r);
	args.in_fence_fd = below(r, 2) ? -1 : (int32_t)below(r, 64);
	fuzz_ioctl(fd, DRM_IOCTL_VGPU_SUBMIT, &args);
	if ((args.flags & DRM_VGPU_SUBMIT_OUT_FENCE_FD) && args.out_fence_fd > 2) {
		struct drm_syncobj_handle import = {.fd = args.out_fence_fd,
		                                    .flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		                                    .handle = pick_syncobj(r, s)};
		if (below(r, 2))
			fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &import);
		close(args.out_fence_fd);
	}
	/* The IB's handle closed now or later, while the job may run. */
	if (ib.handle && below(r, 2)) {
		struct drm_gem_close close_args = {.handle = ib.handle};
		fuzz_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	}
}

static void op_syncobj(struct rng *r, int fd, struct file_slot *s)
{
	uint32_t handles[8];
	uint64_t points[8];
	uint32_t count = below(r, 8) ? below(r, 9) : edge32(r);

	for (int i = 0; i < 8; i++) {
		handles[i] = pick_syncobj(r, s);
		points[i] = below(r, 4);
	}
	switch (below(r, 8)) {
	case 0: {
		struct drm_syncobj_create args = {.flags = below(r, 8) ? below(r, 2) : edge32(r)};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &args);
		s->syncobjs[below(r, HANDLES)] = args.handle;
		break;
	}
	case 1: {
		struct drm_syncobj_destroy args = {.handle = pick_syncobj(r, s)};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &args);
		break;
	}
	case 2: {
		struct drm_syncobj_wait args = {.handles = (uintptr_t)handles,
		                                .count_handles = count,
		                                .timeout_nsec = (int64_t)below(r, 2) * 1000000,
		                                .flags = below(r, 4) ? below(r, 8) : edge32(r)};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &args);
		break;
	}
	case 3: {
		struct drm_syncobj_timeline_wait args = {.handles = (uintptr_t)handles,
		                                         .points = (uintptr_t)points,
		                                         .count_handles = count,
		                                         .timeout_nsec = (int64_t)below(r, 2) * 1000000,
		                                         .flags = below(r, 16)};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &args);
		break;
	}
	case 4: {
		struct drm_syncobj_timeline_array args = {.handles = (uintptr_t)handles,
		                                          .points = (uintptr_t)points,
		                                          .count_handles = count,
		                                          .flags = below(r, 4) ? 0 : edge32(r)};
		fuzz_ioctl(fd, below(r, 2) ? DRM_IOCTL_SYNCOBJ_QUERY : DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
		           &args);
		break;
	}
	case 5: {
		struct drm_syncobj_array args = {.handles = (uintptr_t)handles, .count_handles = count};
		fuzz_ioctl(fd, below(r, 2) ? DRM_IOCTL_SYNCOBJ_RESET : DRM_IOCTL_SYNCOBJ_SIGNAL, &args);
		break;
	}
	case 6: {
		struct drm_syncobj_transfer args = {.src_handle = pick_syncobj(r, s),
		                                    .dst_handle = pick_syncobj(r, s),
		                                    .src_point = below(r, 4),
		                                    .dst_point = below(r, 4),
		                                    .flags = below(r, 4) ? 0 : edge32(r)};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &args);
		break;
	}
	default: {
		struct drm_syncobj_handle args = {
		        .handle = pick_syncobj(r, s),
		        .flags = below(r, 2) ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE : 0};
		fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &args);
		if (args.fd > 2) {
			struct drm_syncobj_handle back = {
			        .fd = args.fd,
			        .flags = args.flags ? DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE : 0,
			        .handle = args.flags ? pick_syncobj(r, s) : 0};
			fuzz_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &back);
			close(args.fd);
		}
		break;
	}
	}
}

static void op_buffers(struct rng *r, int fd, struct file_slot *s)
{
	switch (below(r, 6)) {
	case 0: {
		struct drm_vgpu_gem_info args = {.handle = pick_handle(r, s), .pad = below(r, 16) ? 0 : 1};
		fuzz_ioctl(fd, DRM_IOCTL_VGPU_GEM_INFO, &args);
		/* A CPU mapping, touched, then dropped: maybe after the handle is gone. */
		if (args.size && args.size <= (1u << 20)) {
			void *map = mmap(NULL, args.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			                 (off_t)args.mmap_offset);
			if (map != MAP_FAILED) {
				((volatile uint32_t *)map)[below(r, (uint32_t)(args.size / 4))] =
				        (uint32_t)rnd(r);
				munmap(map, args.size);
			}
		}
		break;
	}
	case 1: {
		struct drm_vgpu_wait_bo args = {.handle = pick_handle(r, s),
		                                .flags = below(r, 4) ? below(r, 2) : edge32(r),
		                                .timeout_ns = below(r, 2) ? 0 : (int64_t)edge64(r)};
		if (args.timeout_ns) { /* absolute CLOCK_MONOTONIC: at most 10 ms from now */
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			args.timeout_ns = now.tv_sec * 1000000000ll + now.tv_nsec + below(r, 10000000);
		}
		fuzz_ioctl(fd, DRM_IOCTL_VGPU_WAIT_BO, &args);
		break;
	}
	case 2: {
		struct drm_gem_close args = {.handle = pick_handle(r, s)};
		fuzz_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
		break;
	}
	case 3: {
		struct drm_prime_handle args = {.handle = pick_handle(r, s),
		                                .flags = below(r, 4) ? DRM_CLOEXEC | DRM_RDWR : edge32(r),
		                                .fd = -1};
		fuzz_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
		if (args.fd > 2) {
			/* Into another file of the process. */
			struct file_slot *other;
			int other_fd = pick_fd(r, &other);
			struct drm_prime_handle back = {.fd = args.fd};
			fuzz_ioctl(other_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &back);
			other->handles[below(r, HANDLES)] = back.handle;
			close(args.fd);
		}
		break;
	}
	case 4: {
		struct drm_vgpu_get_param args = {.param = below(r, 4) ? below(r, 8) : edge32(r),
		                                  .pad = below(r, 16) ? 0 : 1};
		fuzz_ioctl(fd, DRM_IOCTL_VGPU_GET_PARAM, &args);
		struct drm_vgpu_get_fault fault = {.pad = below(r, 16) ? 0 : 1};
		fuzz_ioctl(fd, DRM_IOCTL_VGPU_GET_FAULT, &fault);
		break;
	}
	default: {
		/* An unknown driver ioctl number, and a known one with a short or long argument size. */
		uint8_t arg[256] = {0};
		for (size_t i = 0; i < sizeof(arg); i++)
			arg[i] = (uint8_t)rnd(r);
		unsigned long nr = DRM_COMMAND_BASE + below(r, 12);
		unsigned long size = below(r, 2) ? below(r, 256) : 8;
		fuzz_ioctl(fd, _IOC(below(r, 4), DRM_IOCTL_BASE, nr, size), arg);
		break;
	}
	}
}

static void op_fork(struct rng *r)
{
	uint64_t seed = rnd(r);
	pid_t pid = fork();
	if (pid == 0) {
		/* The child shares the files: a few calls, then it exits with its jobs maybe running. */
		struct rng child = {seed};
		for (int i = 0; i < 20; i++) {
			struct file_slot *s;
			int fd = pick_fd(&child, &s);
			if (below(&child, 2))
				op_submit(&child, fd, s);
			else
				op_vm_bind(&child, fd, s);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void fuzz_once(struct rng *r)
{
	struct file_slot *s;
	int fd = pick_fd(r, &s);

	switch (below(r, 16)) {
	case 0:
		op_open_close(r);
		break;
	case 1:
	case 2:
		op_gem_create(r, fd, s);
		break;
	case 3:
	case 4:
		op_vm_bind(r, fd, s);
		break;
	case 5:
	case 6:
	case 7:
	case 8:
		op_submit(r, fd, s);
		break;
	case 9:
	case 10:
	case 11:
		op_syncobj(r, fd, s);
		break;
	case 12:
		if (below(r, 8) == 0) {
			op_fork(r);
			break;
		}
		/* fall through */
	default:
		op_buffers(r, fd, s);
		break;
	}
}

static void on_signal(int sig)
{
	(void)sig;
}

struct worker {
	pthread_t thread;
	uint64_t seed;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct rng r = {w->seed};

	while (!past_deadline())
		fuzz_once(&r);
	return NULL;
}

/* One process: its threads fuzz the shared files; the main thread interrupts them with signals. */
static int process_run(uint64_t seed)
{
	struct worker workers[THREADS];
	struct rng r = {seed};

	for (int i = 0; i < FILES; i++)
		files[i].fd = -1;
	for (int i = 0; i < THREADS; i++) {
		workers[i].seed = rnd(&r);
		if (pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]))
			return 1;
	}
	while (!past_deadline()) {
		usleep(1000 * (1 + below(&r, 50)));
		pthread_kill(workers[below(&r, THREADS)].thread, SIGUSR1);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(workers[i].thread, NULL);
	printf("# process seed %#llx: %lu calls, %lu succeeded\n", (unsigned long long)seed, calls, calls_ok);
	fflush(stdout);
	/* The files close with the process, some with jobs in flight. */
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long seconds = 20;
	uint64_t seed = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--seconds") == 0)
			seconds = strtoul(argv[i + 1], NULL, 0);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 0);
		else {
			fprintf(stderr,
			        "vgpu_ioctl_fuzz: unknown option '%s'; usage: vgpu_ioctl_fuzz [--seconds N] "
			        "[--seed S]\n",
			        argv[i]);
			return 2;
		}
	}
	int probe = vgpu_drm_open_node("renderD", "vgpu");
	if (probe < 0) {
		fprintf(stderr,
		        "vgpu_ioctl_fuzz: no /dev/dri/renderD* is driven by vgpu; is vgpu.ko loaded?\n");
		return 1;
	}
	close(probe);
	/* Without SA_RESTART: signals interrupt sleeping ioctls. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)seconds;
	printf("1..%d\n", PROCESSES);
	printf("# seed %#llx, %lu s, %d processes of %d threads\n", (unsigned long long)seed, seconds,
	       PROCESSES, THREADS);
	fflush(stdout);
	pid_t pids[PROCESSES];
	struct rng r = {seed};
	for (int i = 0; i < PROCESSES; i++) {
		uint64_t process_seed = rnd(&r);
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(process_run(process_seed));
	}
	/* Every process must be done within 60 s of the deadline: a stuck one is a deadlock. */
	deadline.tv_sec += 60;
	int failed = 0;
	for (int i = 0; i < PROCESSES; i++) {
		int status = -1;
		bool ended = false;
		while (!ended && pids[i] > 0) {
			ended = waitpid(pids[i], &status, WNOHANG) == pids[i];
			if (!ended && past_deadline())
				break;
			if (!ended)
				usleep(100000);
		}
		bool ok = ended && WIFEXITED(status) && WEXITSTATUS(status) == 0;
		printf("%s %d - fuzzing process %d ended within 60 s of the deadline%s\n",
		       ok ? "ok" : "not ok", i + 1, i, ended ? "" : " (stuck: see the hung-task check)");
		failed |= !ok;
	}
	return failed;
}
