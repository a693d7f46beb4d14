/* Command-submission cost of vgpu.ko, run in the guest (submit_bench.sh boots it): the submit-to-signal
 * latency of an empty job (one IB holding one NOP; median and p99 over many jobs, each waited for
 * through a syncobj before the next), and empty jobs per second (a stream submitted back to back,
 * waited for once at the end). Wall-clock figures of a TCG guest: they measure the whole path (ioctl,
 * scheduler thread, ring, device thread, interrupt) as a guest sees it. The baseline, measured in the
 * same run: a GET_PARAM ioctl plus a syncobj signalled and waited for from the CPU, the part of the path
 * that involves neither the scheduler nor the device.
 * usage: vgpu_submit_bench [LATENCY_JOBS [STREAM_JOBS]] */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "vgpu_drm_client.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int open_vgpu_render_node(void)
{
	return vgpu_drm_open_node("renderD", "vgpu");
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "vgpu_submit_bench: %s failed: %s\n", what, strerror(-err));
	return 1;
}

/* One empty job; with syncobj != 0 it signals that syncobj. */
static int submit_empty(int fd, const struct vgpu_drm_bo *ib, uint32_t syncobj)
{
	struct vgpu_drm_job job;

	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, ib->va, 1);
	if (syncobj)
		vgpu_drm_job_signal_syncobj(&job, syncobj, 0);
	return vgpu_drm_job_submit(fd, &job, NULL);
}

int main(int argc, char **argv)
{
	int latency_jobs = argc > 1 ? atoi(argv[1]) : 2000;
	int stream_jobs = argc > 2 ? atoi(argv[2]) : 10000;
	struct vgpu_drm_bo ib;
	uint32_t syncobj;
	int fd, ret;

	if (latency_jobs < 1 || stream_jobs < 1) {
		fprintf(stderr, "usage: vgpu_submit_bench [LATENCY_JOBS [STREAM_JOBS]] (both at least 1)\n");
		return 2;
	}
	fd = open_vgpu_render_node();
	if (fd < 0) {
		fprintf(stderr,
		        "vgpu_submit_bench: no /dev/dri/renderD* is driven by vgpu; is vgpu.ko loaded?\n");
		return 1;
	}
	if ((ret = vgpu_drm_bo_create(fd, 4096, &ib)) || (ret = vgpu_drm_bo_map(fd, &ib)) ||
	    (ret = vgpu_drm_bo_bind(fd, &ib, 0x100000, DRM_VGPU_VM_BIND_READ_ONLY)))
		return fail("setting up the IB buffer", ret);
	((uint32_t *)ib.map)[0] = VGPU_PKT_HEADER(VGPU_PKT_NOP, 0);
	if (drmSyncobjCreate(fd, 0, &syncobj))
		return fail("DRM_IOCTL_SYNCOBJ_CREATE", -errno);

	double *latency = calloc((size_t)latency_jobs, sizeof(*latency));
	if (!latency)
		return fail("allocating", -ENOMEM);
	/* A first job sets the context up; it is not counted. */
	for (int i = -1; i < latency_jobs; i++) {
		double start = now_us();
		if ((ret = submit_empty(fd, &ib, syncobj)))
			return fail("DRM_IOCTL_VGPU_SUBMIT", ret);
		if (drmSyncobjWait(fd, &syncobj, 1, INT64_MAX, 0, NULL))
			return fail("DRM_IOCTL_SYNCOBJ_WAIT", -errno);
		if (i >= 0)
			latency[i] = now_us() - start;
	}
	qsort(latency, (size_t)latency_jobs, sizeof(*latency), compare_double);
	double job_median = latency[latency_jobs / 2];
	printf("empty job submit-to-signal latency: median %.1f us, p99 %.1f us, min %.1f us (%d jobs)\n",
	       job_median, latency[(size_t)(latency_jobs * 0.99)], latency[0], latency_jobs);

	for (int i = 0; i < latency_jobs; i++) {
		struct drm_vgpu_get_param param = {.param = DRM_VGPU_PARAM_CAPS};
		double start = now_us();
		if ((ret = vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_PARAM, &param)))
			return fail("DRM_IOCTL_VGPU_GET_PARAM", ret);
		if (drmSyncobjReset(fd, &syncobj, 1) || drmSyncobjSignal(fd, &syncobj, 1) ||
		    drmSyncobjWait(fd, &syncobj, 1, INT64_MAX, 0, NULL))
			return fail("the CPU-signalled syncobj", -errno);
		latency[i] = now_us() - start;
	}
	qsort(latency, (size_t)latency_jobs, sizeof(*latency), compare_double);
	printf("baseline (ioctl + CPU-signalled syncobj, no job): median %.1f us, p99 %.1f us; job/baseline "
	       "%.1fx\n",
	       latency[latency_jobs / 2], latency[(size_t)(latency_jobs * 0.99)],
	       job_median / latency[latency_jobs / 2]);

	double start = now_us();
	for (int i = 0; i < stream_jobs; i++) {
		if ((ret = submit_empty(fd, &ib, i == stream_jobs - 1 ? syncobj : 0)))
			return fail("DRM_IOCTL_VGPU_SUBMIT", ret);
	}
	if (drmSyncobjWait(fd, &syncobj, 1, INT64_MAX, 0, NULL))
		return fail("DRM_IOCTL_SYNCOBJ_WAIT", -errno);
	double elapsed = now_us() - start;
	printf("empty jobs per second: %.0f (%d jobs in %.3f s)\n", stream_jobs / (elapsed / 1e6),
	       stream_jobs, elapsed / 1e6);
	free(latency);
	vgpu_drm_bo_destroy(fd, &ib);
	close(fd);
	return 0;
}
