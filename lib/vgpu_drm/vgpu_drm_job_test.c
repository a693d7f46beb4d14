/* Unit test of libvgpu_drm's job builder, on the host without a device: what a job collects, and that a
 * job that overflowed is refused before any ioctl (fd -1 would fail with EBADF if one were made). */
#include <errno.h>
#include <stdint.h>

#include "vgpu_drm_client.h"
#include "vgpu_test.h"

static void test_bos_are_listed_once_with_merged_flags(void)
{
	struct vgpu_drm_job job;
	struct vgpu_drm_bo a = {.handle = 7}, b = {.handle = 9};

	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_bo(&job, &a, false);
	vgpu_drm_job_add_bo(&job, &b, false);
	vgpu_drm_job_add_bo(&job, &a, true);
	vgpu_drm_job_add_bo(&job, &a, false);
	VT_CHECK_EQ_INT(job.bo_count, 2);
	VT_CHECK_EQ_INT(job.bos[0].handle, 7);
	VT_CHECK_EQ_U64(job.bos[0].flags, DRM_VGPU_SUBMIT_BO_WRITE);
	VT_CHECK_EQ_U64(job.bos[1].flags, 0);
	VT_CHECK(!job.overflow);
}

static void test_cmdstream_becomes_a_cmdbuf(void)
{
	uint32_t words[64];
	struct vgpu_drm_bo ib = {.handle = 3, .size = sizeof(words), .map = words, .va = 0x10000};
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;

	vgpu_drm_cmdstream_init(&cs, &ib);
	vgpu_pkt_nop(&cs.cb, 2);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	VT_CHECK_EQ_INT(job.cmdbuf_count, 1);
	VT_CHECK_EQ_U64(job.cmdbufs[0].va, 0x10000);
	VT_CHECK_EQ_INT(job.cmdbufs[0].size_dwords, 3);
	VT_CHECK_EQ_INT(job.bo_count, 1);
	VT_CHECK_EQ_U64(job.bos[0].flags, 0);
	VT_CHECK_EQ_INT(job.in_fence_fd, -1);
}

static void test_overflow_is_refused_before_the_ioctl(void)
{
	struct vgpu_drm_job job;
	uint32_t words[4];
	struct vgpu_drm_bo ib = {.handle = 3, .size = sizeof(words), .map = words, .va = 0x10000};
	struct vgpu_drm_cmdstream cs;

	vgpu_drm_job_init(&job);
	for (int i = 0; i <= DRM_VGPU_SUBMIT_MAX_CMDBUFS; i++)
		vgpu_drm_job_add_cmdbuf(&job, 0x1000, 1);
	VT_CHECK_EQ_INT(job.cmdbuf_count, DRM_VGPU_SUBMIT_MAX_CMDBUFS);
	VT_CHECK(job.overflow);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(-1, &job, NULL), -E2BIG);

	vgpu_drm_job_init(&job);
	for (uint32_t i = 0; i <= VGPU_DRM_JOB_MAX_SYNCS; i++)
		vgpu_drm_job_signal_syncobj(&job, i + 1, 0);
	VT_CHECK(job.overflow);

	/* A command stream that ran out of room would submit a truncated IB. */
	vgpu_drm_cmdstream_init(&cs, &ib);
	vgpu_pkt_nop(&cs.cb, 8);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	VT_CHECK(job.overflow);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(-1, &job, NULL), -E2BIG);

	/* Without an overflow the ioctl is made: on fd -1 it fails with EBADF. */
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdbuf(&job, 0x1000, 1);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(-1, &job, NULL), -EBADF);
}

static const struct vt_case cases[] = {
        VT_CASE(test_bos_are_listed_once_with_merged_flags),
        VT_CASE(test_cmdstream_becomes_a_cmdbuf),
        VT_CASE(test_overflow_is_refused_before_the_ioctl),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
