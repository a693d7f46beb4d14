/* SPDX-License-Identifier: MIT */
/*
 * The vgpu drm-shim (mesa/src/gallium/drivers/vgpu/drm-shim) against vgpu.ko's UAPI, through the same
 * client library the guest tests use (lib/vgpu_drm): run under LD_PRELOAD of the shim by run_on_shim.sh.
 * Pixels written by the GPU are compared with the values the packets asked for; errnos with the UAPI
 * header's documentation.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "vgpu/vgpu_pkt.h"
#include "vgpu_drm_client.h"
#include "vgpu_test.h"

#define SIZE     64
#define PITCH    (SIZE * 4)
#define BO_BYTES (PITCH * SIZE)

static int fd = -1;

static int open_shim(void)
{
	if (fd < 0)
		fd = vgpu_drm_open_node("renderD", "vgpu");
	return fd;
}

/* One job of the packets `emit` writes into a fresh IB, listing `bos`. */
static uint64_t run_job(void (*emit)(struct vgpu_cmdbuf *cb, void *arg), void *arg, struct vgpu_drm_bo **bos,
                        int bo_count)
{
	struct vgpu_drm_bo ib;
	struct vgpu_drm_cmdstream cs;
	struct vgpu_drm_job job;
	struct vgpu_drm_job_result result = {0};

	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, 4096, &ib), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, &ib), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &ib, 0x7000000, DRM_VGPU_VM_BIND_READ_ONLY), 0);
	vgpu_drm_cmdstream_init(&cs, &ib);
	emit(&cs.cb, arg);
	vgpu_drm_job_init(&job);
	vgpu_drm_job_add_cmdstream(&job, &cs);
	vgpu_drm_job_add_bo(&job, &ib, false);
	for (int i = 0; i < bo_count; i++)
		vgpu_drm_job_add_bo(&job, bos[i], true);
	VT_CHECK_EQ_INT(vgpu_drm_job_submit(fd, &job, &result), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &ib), 0);
	return result.seqno;
}

struct fill_args {
	uint64_t va;
	uint32_t value;
};

static void emit_fill(struct vgpu_cmdbuf *cb, void *arg)
{
	struct fill_args *fill = arg;
	struct vgpu_pkt_surface s = {fill->va, PITCH, VGPU_FORMAT_R8G8B8A8_UNORM};
	vgpu_pkt_fill(cb, &s, 0, 0, SIZE, SIZE, fill->value);
}

static void emit_copy(struct vgpu_cmdbuf *cb, void *arg)
{
	uint64_t *vas = arg;
	struct vgpu_pkt_surface src = {vas[0], PITCH, VGPU_FORMAT_R8G8B8A8_UNORM};
	struct vgpu_pkt_surface dst = {vas[1], PITCH, VGPU_FORMAT_R8G8B8A8_UNORM};
	vgpu_pkt_copy(cb, &src, 8, 4, &dst, 0, 0, 16, 16);
}

static int count_not(const struct vgpu_drm_bo *bo, uint32_t value, int x0, int y0, int x1, int y1)
{
	int bad = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			bad += ((const uint32_t *)bo->map)[y * SIZE + x] != value;
	return bad;
}

static void test_identity_is_the_model(void)
{
	VT_CHECK(open_shim() >= 0);
	struct drm_vgpu_get_param gp = {.param = DRM_VGPU_PARAM_DEVICE_VERSION};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_PARAM, &gp), 0);
	VT_CHECK_EQ_U64(gp.value, VGPU_VERSION);
	gp = (struct drm_vgpu_get_param){.param = DRM_VGPU_PARAM_CAPS};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_PARAM, &gp), 0);
	VT_CHECK(gp.value & VGPU_CAP_3D);
	gp = (struct drm_vgpu_get_param){.param = 99};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_PARAM, &gp), -EINVAL);
}

/* The GPU's writes land in the pages the CPU maps: FILL, then COPY of a sub-rectangle. */
static void test_fill_and_copy_are_seen_by_the_cpu(void)
{
	struct vgpu_drm_bo a, b;
	VT_CHECK(open_shim() >= 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, &a), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, &b), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, &a), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, &b), 0);
	VT_CHECK_EQ_INT(count_not(&b, 0, 0, 0, SIZE, SIZE), 0); /* fresh objects read zeros */
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &a, 0x1000000, 0), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &b, 0x2000000, 0), 0);

	struct fill_args fill = {a.va, 0xff336699};
	struct vgpu_drm_bo *bos[] = {&a, &b};
	VT_CHECK(run_job(emit_fill, &fill, bos, 1) > 0);
	VT_CHECK_EQ_INT(count_not(&a, 0xff336699, 0, 0, SIZE, SIZE), 0);
	((uint32_t *)a.map)[4 * SIZE + 8] = 0x12345678; /* a CPU write the GPU must see */
	uint64_t vas[2] = {a.va, b.va};
	run_job(emit_copy, vas, bos, 2);
	VT_CHECK_EQ_U64(((uint32_t *)b.map)[0], 0x12345678);
	VT_CHECK_EQ_INT(count_not(&b, 0xff336699, 1, 0, 16, 1), 0);
	VT_CHECK_EQ_INT(count_not(&b, 0xff336699, 0, 1, 16, 16), 0);
	VT_CHECK_EQ_INT(count_not(&b, 0, 16, 0, SIZE, SIZE), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &a), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &b), 0);
}

static void test_faults_are_reported_to_the_file(void)
{
	struct drm_vgpu_get_fault before = {0}, after = {0};
	struct vgpu_drm_bo ro;
	VT_CHECK(open_shim() >= 0);
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_FAULT, &before), 0);

	struct fill_args fill = {0x3000000, 1}; /* nothing mapped there */
	uint64_t seqno = run_job(emit_fill, &fill, NULL, 0);
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_FAULT, &after), 0);
	VT_CHECK_EQ_INT(after.count, before.count + 1);
	VT_CHECK_EQ_INT(after.type, VGPU_FAULT_MMU_NOT_MAPPED);
	VT_CHECK_EQ_U64(after.addr, 0x3000000);
	VT_CHECK_EQ_U64(after.seqno, seqno);

	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, &ro), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &ro, 0x4000000, DRM_VGPU_VM_BIND_READ_ONLY), 0);
	fill.va = ro.va;
	struct vgpu_drm_bo *bos[] = {&ro};
	run_job(emit_fill, &fill, bos, 1);
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GET_FAULT, &after), 0);
	VT_CHECK_EQ_INT(after.count, before.count + 2);
	VT_CHECK_EQ_INT(after.type, VGPU_FAULT_MMU_READ_ONLY);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &ro), 0);
}

static void test_errnos_follow_the_uapi(void)
{
	struct vgpu_drm_bo a, b;
	VT_CHECK(open_shim() >= 0);
	struct drm_vgpu_gem_create create = {.size = 0};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	create = (struct drm_vgpu_gem_create){.size = 4096, .flags = 1u << 5};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_CREATE, &create), -EINVAL);
	struct drm_vgpu_gem_info info = {.handle = 0xdead};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_GEM_INFO, &info), -ENOENT);

	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, 2 * 4096, &a), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, 4096, &b), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &a, 0x5000000, 0), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &b, 0x5001000, 0), -EBUSY);  /* a's second page */
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &b, 0x5000800, 0), -EINVAL); /* not page-aligned */
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &b, 1ull << 39, 0), -EINVAL);
	struct drm_vgpu_vm_bind unbind = {.op = DRM_VGPU_VM_BIND_UNMAP, .va = 0x6000000};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &unbind), -ENOENT);
	struct drm_vgpu_vm_bind bad_op = {.op = 7, .handle = b.handle, .va = 0x6000000};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &bad_op), -EINVAL);

	struct drm_vgpu_submit submit = {.cmdbuf_count = 0};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_SUBMIT, &submit), -EINVAL);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &a), 0);
	/* After a's unbind its range is free again. */
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &b, 0x5001000, 0), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &b), 0);
}

/* Objects closed while still bound stay until unbound; the pages the GPU writes are never another
 * object's. */
static void test_close_while_bound_keeps_the_pages(void)
{
	struct vgpu_drm_bo a, b;
	VT_CHECK(open_shim() >= 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, &a), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_bind(fd, &a, 0x8000000, 0), 0);
	struct drm_gem_close close_args = {.handle = a.handle};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_create(fd, BO_BYTES, &b), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_map(fd, &b), 0);
	struct fill_args fill = {a.va, 0xabcdef01};
	run_job(emit_fill, &fill, NULL, 0);
	VT_CHECK_EQ_INT(count_not(&b, 0, 0, 0, SIZE, SIZE), 0);
	struct drm_vgpu_vm_bind unbind = {.op = DRM_VGPU_VM_BIND_UNMAP, .va = a.va};
	VT_CHECK_EQ_INT(vgpu_drm_ioctl(fd, DRM_IOCTL_VGPU_VM_BIND, &unbind), 0);
	VT_CHECK_EQ_INT(vgpu_drm_bo_destroy(fd, &b), 0);
}

static const struct vt_case cases[] = {
        VT_CASE(test_identity_is_the_model),
        VT_CASE(test_fill_and_copy_are_seen_by_the_cpu),
        VT_CASE(test_faults_are_reported_to_the_file),
        VT_CASE(test_errnos_follow_the_uapi),
        VT_CASE(test_close_while_bound_keeps_the_pages),
};

int main(int argc, char **argv)
{
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
