/* SPDX-License-Identifier: MIT */
/* Preemption (issue 18, items 5 and 6; spec 3.3 and 12): a ring disable, a pause and a state save take effect
 * in the middle of a packet that would run for hours at the largest watchdog, instead of waiting for it.
 *
 * The hostile packet: one INDIRECT of FILL_COUNT FILLs of 16384 x 16384 texels of 16 bytes (4 GiB each) over
 * page tables that map all of it onto one VRAM page; FILL i writes the value i + 1, so that page shows which
 * FILL runs. Nothing here measures time: a change that made these operations wait for the packet again would
 * hang, and the suite's timeout fails the test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu_fixture.h"
#include "vgpu_test.h"

#define ALIAS_GIB  8u
#define ALIAS_VA   ((uint64_t)ALIAS_GIB << 30)
#define PAGE_PA    FX_DATA_PA
#define IB_VA      0x100000ull
#define IB_PA      (FX_DATA_PA + 0x10000)
#define FILL_COUNT 4096u

/* The ring offset of the INDIRECT, and the fence sequence written after it. */
#define INDIRECT_RING_POS 16u
#define FENCE_SEQ         77u

static uint32_t page_value(struct fixture *fx)
{
	return __atomic_load_n((uint32_t *)fx_ptr(fx, PAGE_PA), __ATOMIC_RELAXED);
}

/* Sleep about ms milliseconds (for "nothing happens meanwhile", never to measure anything). */
static void pause_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Wait until the aliased page shows a value above `above`: the packet made progress. Gives up after about
 * 60 s (a stuck GPU), failing the test. */
static uint32_t wait_progress(struct fixture *fx, uint32_t above, const char *what)
{
	for (unsigned i = 0; i < 60000; i++) {
		uint32_t v = page_value(fx);
		if (v > above && v != 0)
			return v;
		pause_ms(1);
	}
	vt_fail(__FILE__, __LINE__, "no progress of the long packet %s", what);
	return 0;
}

/* Build the hostile IB and start it: SET_CONTEXT, INDIRECT (at INDIRECT_RING_POS), FENCE. Returns once the
 * second FILL is running, i.e. inside the packet. */
static struct fixture *start_long_packet(void)
{
	struct fixture *fx = fx_create();
	fx_map_alias(fx, ALIAS_GIB, PAGE_PA, true);
	fx_map(fx, IB_VA, IB_PA, FILL_COUNT * 8 * 4 / VGPU_PAGE_SIZE, false);
	uint32_t *ib = malloc(FILL_COUNT * 8 * 4);
	struct vgpu_cmdbuf ib_cb = VGPU_CMDBUF_INIT(ib, FILL_COUNT * 8);
	struct vgpu_pkt_surface surface = {ALIAS_VA, 16384 * 16, VGPU_FORMAT_R32G32B32A32_FLOAT};
	for (uint32_t i = 0; i < FILL_COUNT; i++)
		vgpu_pkt_fill(&ib_cb, &surface, 0, 0, 16384, 16384, i + 1);
	memcpy(fx_ptr(fx, IB_PA), ib, (size_t)ib_cb.count * 4);

	uint32_t words[16];
	struct vgpu_cmdbuf cb = VGPU_CMDBUF_INIT(words, 16);
	fx_emit_context(fx, &cb, 1);
	VT_CHECK_EQ_INT(cb.count * 4, INDIRECT_RING_POS);
	vgpu_pkt_indirect(&cb, IB_VA, ib_cb.count);
	vgpu_pkt_fence(&cb, FX_FENCE_PA, FENCE_SEQ, 0);
	vgpu_reg_write(fx->gpu, VGPU_REG_WATCHDOG, 0xffffffffu);
	fx_submit_nowait(fx, &cb);
	free(ib);
	wait_progress(fx, 1, "to start");
	return fx;
}

/* Item 5: RING_CTRL.ENABLE 1 -> 0 cuts the packet short and records nothing; the FENCE after it never runs,
 * and the ring, programmed again, serves. */
static void test_ring_disable_cuts_a_long_packet_short(void)
{
	struct fixture *fx = start_long_packet();
	vgpu_reg_write(fx->gpu, VGPU_REG_RING_CTRL, 0);
	uint32_t stopped_at = page_value(fx);
	VT_CHECK(stopped_at < FILL_COUNT);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), 0);
	pause_ms(20);
	VT_CHECK_EQ_U64(page_value(fx), stopped_at); /* stopped, not running on behind the register */
	fx_ring_restart(fx);
	FX_CHECK_ALIVE(fx, 5);
	fx_destroy(fx);
}

/* Item 6: vgpu_pause (QEMU's stop) suspends the packet where it is: nothing is written while paused, the
 * packet goes on after resume, and a RESET still ends it. */
static void test_pause_suspends_a_long_packet(void)
{
	struct fixture *fx = start_long_packet();
	vgpu_pause(fx->gpu);
	uint32_t paused_at = page_value(fx);
	VT_CHECK(paused_at < FILL_COUNT);
	VT_CHECK(vgpu_reg_read(fx->gpu, VGPU_REG_STATUS) & VGPU_STATUS_CP_BUSY);
	pause_ms(20);
	VT_CHECK_EQ_U64(page_value(fx), paused_at);
	vgpu_pause(fx->gpu); /* nests */
	vgpu_resume(fx->gpu);
	pause_ms(20);
	VT_CHECK_EQ_U64(page_value(fx), paused_at);
	vgpu_resume(fx->gpu);
	wait_progress(fx, paused_at, "after resume");
	vgpu_reset(fx->gpu);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), 0);
	fx_ring_restart(fx);
	FX_CHECK_ALIVE(fx, 6);
	fx_destroy(fx);
}

/* Item 6: a state saved while the pause holds a packet mid-way restores as that packet cut short (spec 12):
 * HEAD past it, a WATCHDOG fault with FAULT_ADDR 1 naming its ring position, and the ring goes on with the
 * FENCE after it. The paused device itself is not changed by the save. */
static void test_state_saved_mid_packet_restores_as_cut_short(void)
{
	struct fixture *fx = start_long_packet();
	vgpu_pause(fx->gpu);
	size_t len = vgpu_state_size(fx->gpu);
	uint8_t *blob = malloc(len);
	VT_CHECK_EQ_INT(vgpu_state_save(fx->gpu, blob, len), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_STATUS), 0);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_RING_HEAD), INDIRECT_RING_POS);
	vgpu_resume(fx->gpu);

	char error[200];
	VT_CHECK_EQ_INT(vgpu_state_load(fx->gpu, blob, len, error, sizeof(error)), 0);
	free(blob);
	fx_wait(fx);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FENCE_SEQ_LO), FENCE_SEQ);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_RING_POS), INDIRECT_RING_POS);
	VT_CHECK_EQ_U64(vgpu_reg_read(fx->gpu, VGPU_REG_FAULT_INFO) & 0xff, VGPU_PKT_INDIRECT);
	VT_CHECK(vgpu_reg_read(fx->gpu, VGPU_REG_INT_STATUS) & VGPU_INT_FAULT);
	VT_CHECK_EQ_U64(FX_EXPECT_FAULT(fx, VGPU_FAULT_WATCHDOG), VGPU_WATCHDOG_ADDR_CUT_SHORT);
	fx_destroy(fx);
}

int main(int argc, char **argv)
{
	static const struct vt_case cases[] = {
	        VT_CASE(test_ring_disable_cuts_a_long_packet_short),
	        VT_CASE(test_pause_suspends_a_long_packet),
	        VT_CASE(test_state_saved_mid_packet_restores_as_cut_short),
	};
	return vt_main(cases, VT_COUNT(cases), argc, argv);
}
